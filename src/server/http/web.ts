// The web UI's files (web/dist, built by `npm run web:build`) served from the server's own origin.
// Hashed assets are cached for a year; index.html is revalidated every time (ETag), so a new
// build shows on the next load. Any other GET path that is not an API path is the single-page
// app's: it gets index.html and the UI's router decides. Text files are compressed once and kept
// in memory until the file changes. Without a build, `/` says how to make one.
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App, RoutePlugin } from '../app.js';

/** web/dist of this checkout (the same path from src/ and from the compiled dist/). */
export function defaultWebDir(): string {
  return fileURLToPath(new URL('../../../web/dist', import.meta.url));
}

// Paths the UI never owns: an unknown one is the API's JSON 404, not the app.
const RESERVED = /^\/(?:api|rpc|hook|healthz|version|metrics|varz|stream)(?:[/?]|$)/;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.webmanifest': 'application/manifest+json',
};

const COMPRESSIBLE = new Set([
  '.html',
  '.js',
  '.mjs',
  '.css',
  '.json',
  '.map',
  '.txt',
  '.svg',
  '.webmanifest',
]);

// The UI talks only to its own origin; avatars may come from an SCM's host.
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: https:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

interface Cached {
  mtimeMs: number;
  size: number;
  etag: string;
  raw: Buffer;
  gzip?: Buffer;
  br?: Buffer;
}

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Hangar</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.5">
<h1>Hangar is running</h1>
<p>The web UI has not been built on this server. Build it with <code>npm run web:build</code>
(or <code>npm run build</code>) and reload this page.</p>
<p>The REST API answers under <a href="/api/user"><code>/api</code></a>; health is at <a href="/healthz"><code>/healthz</code></a>.</p>
</body></html>
`;

/** The UI's routes over the files in `dir`. */
export function webRoutesFrom(dir: string): RoutePlugin {
  const root = resolve(dir);
  const cache = new Map<string, Cached>();

  const load = async (file: string): Promise<Cached | undefined> => {
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(file);
    } catch {
      return undefined;
    }
    if (!info.isFile()) return undefined;
    const hit = cache.get(file);
    if (hit && hit.mtimeMs === info.mtimeMs && hit.size === info.size) return hit;
    const raw = await readFile(file);
    const entry: Cached = {
      mtimeMs: info.mtimeMs,
      size: info.size,
      etag: `"${createHash('sha1').update(raw).digest('base64url').slice(0, 20)}"`,
      raw,
    };
    if (COMPRESSIBLE.has(extname(file)) && raw.length > 1024) {
      entry.gzip = gzipSync(raw, { level: 9 });
      entry.br = brotliCompressSync(raw, {
        params: { [zlib.BROTLI_PARAM_QUALITY]: 10, [zlib.BROTLI_PARAM_SIZE_HINT]: raw.length },
      });
    }
    cache.set(file, entry);
    return entry;
  };

  const send = (
    request: FastifyRequest,
    reply: FastifyReply,
    file: string,
    entry: Cached,
    cacheControl: string,
  ) => {
    const ext = extname(file);
    reply
      .header('content-type', TYPES[ext] ?? 'application/octet-stream')
      .header('cache-control', cacheControl)
      .header('etag', entry.etag)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'same-origin');
    if (ext === '.html') reply.header('content-security-policy', CSP).header('x-frame-options', 'DENY');
    if (entry.gzip) reply.header('vary', 'accept-encoding');
    if (request.headers['if-none-match'] === entry.etag) return reply.code(304).send();
    const accept = String(request.headers['accept-encoding'] ?? '');
    if (entry.br && /\bbr\b/.test(accept)) return reply.header('content-encoding', 'br').send(entry.br);
    if (entry.gzip && /\bgzip\b/.test(accept))
      return reply.header('content-encoding', 'gzip').send(entry.gzip);
    return reply.send(entry.raw);
  };

  /** The file a URL path names inside `root`, or undefined for anything that leaves it. */
  const fileOf = (urlPath: string): string | undefined => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(urlPath);
    } catch {
      return undefined;
    }
    if (decoded.includes('\0') || decoded.split(/[/\\]/).includes('..')) return undefined;
    const file = resolve(join(root, decoded));
    return file.startsWith(root + sep) ? file : undefined;
  };

  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const urlPath = request.url.split(/[?#]/, 1)[0] ?? '/';
    if (RESERVED.test(urlPath)) return reply.callNotFound();
    const index = await load(join(root, 'index.html'));
    if (urlPath !== '/' && urlPath !== '/index.html') {
      const file = fileOf(urlPath);
      const entry = file ? await load(file) : undefined;
      if (file && entry) {
        const hashed = urlPath.startsWith('/assets/');
        return send(request, reply, file, entry, hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
      }
      // A missing file (a stale hashed asset, a typo) is a 404; only page paths get the app.
      if (extname(urlPath) !== '') return reply.callNotFound();
    }
    if (!index) {
      return reply
        .code(404)
        .header('content-type', 'text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .send(NOT_BUILT);
    }
    return send(request, reply, join(root, 'index.html'), index, 'no-cache');
  };

  return (app: App) => {
    app.get('/', handler);
    app.get('/*', handler);
  };
}

/** The UI from web/dist, registered last in `routes` (src/server/app.ts). */
export const webRoutes: RoutePlugin = webRoutesFrom(defaultWebDir());
