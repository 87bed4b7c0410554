// A remote git repository on loopback for mirror tests: a bare repository served over smart HTTP
// (`git http-backend` per request, optionally behind Basic auth; test/exec/support/git-http.ts) or
// as dumb HTTP (its files, after `git update-server-info`), and a working copy that commits and
// pushes into it, as someone pushing to a forge would.
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import { execa } from 'execa';
import { startGitServer } from '../exec/support/git-http.js';
import { GIT_ENV, git } from './git.js';

export interface RemoteOptions {
  /** Serve as dumb HTTP (static files) instead of smart HTTP. */
  dumb?: boolean;
  /** Require these Basic-auth credentials (smart HTTP only). */
  auth?: { login: string; password: string };
}

export interface GitRemote {
  /** The clone URL, e.g. `http://127.0.0.1:1234/app.git`. */
  url: string;
  /** The server's base URL. */
  base: string;
  /** Every Authorization header the server received. */
  authHeaders: string[];
  /** Writes `files`, commits them on `main` and pushes; the new sha. */
  commit(message: string, files: Record<string, string>): Promise<string>;
  /** Pushes `sha` as `ref` (a branch or tag) into the served repository. */
  pushRef(sha: string, ref: string): Promise<void>;
  close(): Promise<void>;
}

/** A served bare repository `app.git` on branch `main`, empty until the first commit. */
export async function startRemote(options: RemoteOptions = {}): Promise<GitRemote> {
  const root = await mkdtemp(join(tmpdir(), 'hangar-remote-'));
  const served = join(root, 'served');
  const bare = join(served, 'app.git');
  await mkdir(served);
  await execa('git', ['init', '-q', '--bare', '-b', 'main', bare], { env: GIT_ENV });
  const work = join(root, 'work');
  await execa('git', ['init', '-q', '-b', 'main', work], { env: GIT_ENV });
  await git(work, 'remote', 'add', 'origin', bare);
  const refresh = async () => {
    if (options.dumb) await git(bare, 'update-server-info');
  };

  let base: string;
  let authHeaders: string[] = [];
  let stop: () => Promise<void>;
  if (options.dumb) {
    const server = createServer(async (req, res) => {
      const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
      const file = join(served, path);
      if (!file.startsWith(served) || !(await stat(file).catch(() => undefined))?.isFile()) {
        res.writeHead(404);
        res.end('not found\n');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      createReadStream(file).pipe(res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    stop = () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
  } else {
    const server = await startGitServer({ root: served, ...(options.auth && { auth: options.auth }) });
    base = server.url;
    authHeaders = server.authHeaders;
    stop = server.close;
  }

  return {
    url: `${base}/app.git`,
    base,
    authHeaders,
    async commit(message, files) {
      for (const [path, content] of Object.entries(files)) {
        await mkdir(dirname(join(work, path)), { recursive: true });
        await writeFile(join(work, path), content);
        await git(work, 'add', path);
      }
      await git(work, 'commit', '-q', '--allow-empty', '-m', message);
      await git(work, 'push', '-q', 'origin', 'main');
      await refresh();
      return git(work, 'rev-parse', 'HEAD');
    },
    async pushRef(sha, ref) {
      await git(work, 'push', '-q', 'origin', `${sha}:${ref}`);
      await refresh();
    },
    async close() {
      await stop();
      await rm(root, { recursive: true, force: true });
    },
  };
}
