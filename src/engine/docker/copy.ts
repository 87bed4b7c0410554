// Copies a host folder into a Docker volume: a helper container that mounts the volume is created
// (never started) and the folder is streamed into it as a tar archive by the host's `tar`.
import { spawn } from 'node:child_process';
import type Docker from 'dockerode';

/** Streams the contents of `dir` into `volume` (mounted at `mountPath`), keeping relative paths. */
export async function copyIntoVolume(
  docker: Docker,
  opts: {
    dir: string;
    volume: string;
    mountPath: string;
    helperImage: string;
    name: string;
    labels: Record<string, string>;
  },
): Promise<void> {
  const helper = await docker.createContainer({
    name: opts.name,
    Image: opts.helperImage,
    Cmd: ['/hangar/none'],
    Labels: opts.labels,
    NetworkDisabled: true,
    HostConfig: {
      Mounts: [{ Type: 'volume', Source: opts.volume, Target: opts.mountPath }],
      NetworkMode: 'none',
    },
  });
  try {
    const tar = spawn('tar', ['-c', '-C', opts.dir, '.'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    tar.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const exited = new Promise<number>((resolve, reject) => {
      tar.on('error', reject);
      tar.on('close', (code) => resolve(code ?? 1));
    });
    await helper.putArchive(tar.stdout, { path: opts.mountPath });
    const code = await exited;
    if (code !== 0) throw new Error(`tar exited with ${code}: ${stderr.trim()}`);
  } finally {
    await helper.remove({ force: true, v: false }).catch(() => undefined);
  }
}
