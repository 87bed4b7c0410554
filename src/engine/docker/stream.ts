// Splits Docker's multiplexed attach stream (Tty:false): each frame is an 8-byte header
// `[stream, 0, 0, 0, size u32 BE]` and `size` bytes of payload. Frames may arrive cut at any byte, so
// partial headers and payloads are kept until complete; text is decoded per stream so a UTF-8
// character split across frames is not mangled.
import { StringDecoder } from 'node:string_decoder';

/** Turns raw attach bytes into text chunks in arrival order (stdout and stderr interleaved). */
export class FrameDemuxer {
  private pending: Buffer = Buffer.alloc(0);
  private readonly decoders = [
    new StringDecoder('utf8'),
    new StringDecoder('utf8'),
    new StringDecoder('utf8'),
  ];

  constructor(private readonly emit: (chunk: string) => void) {}

  /** Feeds bytes as they come from the socket. */
  push(data: Buffer): void {
    this.pending = this.pending.length === 0 ? data : Buffer.concat([this.pending, data]);
    while (this.pending.length >= 8) {
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < 8 + size) break;
      const kind = this.pending[0] ?? 1;
      const payload = this.pending.subarray(8, 8 + size);
      this.pending = this.pending.subarray(8 + size);
      const text = (this.decoders[kind] ?? this.decoders[1]!).write(payload);
      if (text) this.emit(text);
    }
  }

  /** Flushes what the decoders still hold at the end of the stream. */
  end(): void {
    for (const d of this.decoders) {
      const rest = d.end();
      if (rest) this.emit(rest);
    }
  }
}
