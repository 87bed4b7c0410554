import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FrameDemuxer } from './stream.js';

function frame(stream: number, text: string | Buffer): Buffer {
  const payload = typeof text === 'string' ? Buffer.from(text) : text;
  const head = Buffer.alloc(8);
  head[0] = stream;
  head.writeUInt32BE(payload.length, 4);
  return Buffer.concat([head, payload]);
}

test('frames become text in arrival order, stdout and stderr interleaved', () => {
  const out: string[] = [];
  const d = new FrameDemuxer((c) => out.push(c));
  d.push(Buffer.concat([frame(1, 'hi\n'), frame(2, 'oops\n'), frame(1, 'bye\n')]));
  d.end();
  assert.deepEqual(out, ['hi\n', 'oops\n', 'bye\n']);
});

test('frames cut at any byte (inside the header, inside a UTF-8 character) are reassembled', () => {
  const all = Buffer.concat([frame(1, 'héllo wörld\n'), frame(2, '→ done\n')]);
  for (let size = 1; size <= all.length; size++) {
    const out: string[] = [];
    const d = new FrameDemuxer((c) => out.push(c));
    for (let i = 0; i < all.length; i += size) d.push(all.subarray(i, i + size));
    d.end();
    assert.equal(out.join(''), 'héllo wörld\n→ done\n', `chunk size ${size}`);
  }
});

test('a UTF-8 character split across two frames of the same stream survives', () => {
  const bytes = Buffer.from('ü');
  const out: string[] = [];
  const d = new FrameDemuxer((c) => out.push(c));
  d.push(frame(1, bytes.subarray(0, 1)));
  d.push(frame(1, bytes.subarray(1)));
  d.end();
  assert.equal(out.join(''), 'ü');
});
