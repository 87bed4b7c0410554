// A small smart-HTTP git server for clone tests: `git http-backend` behind node:http(s), with
// optional Basic auth, TLS and a number of initial requests answered 500 (to exercise retries).
import { spawn } from 'node:child_process';
import { createServer as createHttp, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface GitServerOptions {
  /** Folder holding the bare repositories (`GIT_PROJECT_ROOT`). */
  root: string;
  auth?: { login: string; password: string };
  tls?: { key: string; cert: string };
  /** Answer this many requests with 500 before serving. */
  failFirst?: number;
}

export interface GitServer {
  /** Base URL, e.g. `http://127.0.0.1:1234`. */
  url: string;
  /** Every Authorization header received (to check what the client sent). */
  authHeaders: string[];
  close(): Promise<void>;
}

/** Starts the server on an ephemeral port of 127.0.0.1. */
export async function startGitServer(opts: GitServerOptions): Promise<GitServer> {
  let failures = opts.failFirst ?? 0;
  const authHeaders: string[] = [];
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const header = req.headers.authorization;
    if (header) authHeaders.push(header);
    if (opts.auth) {
      const want = `Basic ${Buffer.from(`${opts.auth.login}:${opts.auth.password}`).toString('base64')}`;
      if (header !== want) {
        res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"' });
        res.end('unauthorized\n');
        return;
      }
    }
    if (failures > 0) {
      failures--;
      res.writeHead(500);
      res.end('try again\n');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://x');
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      GIT_PROJECT_ROOT: opts.root,
      GIT_HTTP_EXPORT_ALL: '1',
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.slice(1),
      REQUEST_METHOD: req.method ?? 'GET',
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      REMOTE_ADDR: '127.0.0.1',
      REMOTE_USER: opts.auth?.login ?? '',
    };
    const proto = req.headers['git-protocol'];
    if (typeof proto === 'string') env.GIT_PROTOCOL = proto;
    const enc = req.headers['content-encoding'];
    if (typeof enc === 'string') env.HTTP_CONTENT_ENCODING = enc;
    const cgi = spawn('git', ['http-backend'], { env });
    req.pipe(cgi.stdin);
    const chunks: Buffer[] = [];
    cgi.stdout.on('data', (d: Buffer) => chunks.push(d));
    cgi.on('close', () => {
      const out = Buffer.concat(chunks);
      let sep = out.indexOf('\r\n\r\n');
      let sepLen = 4;
      if (sep === -1) {
        sep = out.indexOf('\n\n');
        sepLen = 2;
      }
      const head = out.subarray(0, Math.max(0, sep)).toString('latin1');
      const body = sep === -1 ? Buffer.alloc(0) : out.subarray(sep + sepLen);
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of head.split(/\r?\n/)) {
        const i = line.indexOf(':');
        if (i === -1) continue;
        const k = line.slice(0, i).trim();
        const v = line.slice(i + 1).trim();
        if (k.toLowerCase() === 'status') status = Number.parseInt(v, 10);
        else headers[k] = v;
      }
      res.writeHead(status, headers);
      res.end(body);
    });
  };
  const server = opts.tls
    ? createHttps({ key: opts.tls.key, cert: opts.tls.cert }, handler)
    : createHttp(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    authHeaders,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
