// The helper image that holds the workspace volume while the host-side clone is copied into it. It
// is made locally (`docker import` of a one-folder archive), so no registry is needed, and it is
// never started: Docker can copy into the volumes of a created container.
import type Docker from 'dockerode';
import { Readable } from 'node:stream';

/** A tar archive with a single empty folder, `hangar/`. */
export function emptyTar(): Buffer {
  const header = Buffer.alloc(512);
  const put = (text: string, offset: number) => header.write(text, offset, 'ascii');
  put('hangar/', 0);
  put('0000755\0', 100);
  put('0000000\0', 108);
  put('0000000\0', 116);
  put('00000000000\0', 124);
  put('00000000000\0', 136);
  put('        ', 148);
  put('5', 156);
  put('ustar\0', 257);
  put('00', 263);
  let sum = 0;
  for (const b of header) sum += b;
  put(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  // Two zero blocks end the archive.
  return Buffer.concat([header, Buffer.alloc(1024)]);
}

/** Makes sure `image` exists locally, importing it from an empty archive when it does not. */
export async function ensureHelperImage(docker: Docker, image: string): Promise<void> {
  try {
    await docker.getImage(image).inspect();
    return;
  } catch {
    // Missing: import below.
  }
  const colon = image.lastIndexOf(':');
  const [repo, tag] =
    colon > image.lastIndexOf('/') ? [image.slice(0, colon), image.slice(colon + 1)] : [image, 'latest'];
  const stream = await docker.importImage(Readable.from([emptyTar()]), {
    repo,
    tag,
    changes: ['LABEL io.hangar.helper=true', 'CMD ["/hangar/none"]'],
  });
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve()));
  });
}
