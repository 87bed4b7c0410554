// The convert extension client (Drone's plugin/converter/remote.go over drone-go's converter
// client): POST `{build, config: {data, kind}, repo, token}` signed as Drone signs it, and the
// answer `{data}` is the configuration; 204 No Content or an empty `data` leaves it unchanged.
// Every failure is a ConvertExtensionError whose message can stand in an error build (no secret,
// no token in it).
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { signedHeaders } from './http-signature.js';
import type { ConvertExtensionSettings } from './settings.js';

/** The request body, as drone-go's converter.Request marshals it. */
export interface ConvertRequest {
  build: object;
  config: { data: string; kind: string };
  repo: object;
  token: { access: string; refresh: string };
}

/** The extension could not convert the configuration. */
export class ConvertExtensionError extends Error {
  override name = 'ConvertExtensionError';
}

/** Largest answer accepted. */
const MAX_BYTES = 4 * 1024 * 1024;

/** Asks the extension; the converted text, or undefined when it leaves the configuration as it is. */
export async function callConvertExtension(
  settings: ConvertExtensionSettings,
  req: ConvertRequest,
  now: () => Date = () => new Date(),
): Promise<string | undefined> {
  const body = JSON.stringify(req);
  const { status, text } = await post(settings, body, signedHeaders(body, settings.secret, now()));
  if (status === 204) return undefined;
  if (status > 299) {
    // drone-go returns the body as the error, or the status text when there is none.
    const detail = text.trim().slice(0, 500) || `HTTP ${status}`;
    const hint =
      status === 400 && /signature/i.test(detail)
        ? " (does HANGAR_CONVERT_PLUGIN_SECRET match the extension's secret?)"
        : '';
    throw new ConvertExtensionError(`the convert extension answered ${status}: ${detail}${hint}`);
  }
  let answer: unknown;
  try {
    answer = JSON.parse(text);
  } catch {
    throw new ConvertExtensionError(`the convert extension answered ${status} with a body that is not JSON`);
  }
  const data = (answer as { data?: unknown } | null)?.data;
  if (data === undefined || data === null || data === '') return undefined;
  if (typeof data !== 'string')
    throw new ConvertExtensionError('the convert extension answered a `data` that is not a string');
  return data;
}

function post(
  settings: ConvertExtensionSettings,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; text: string }> {
  const url = new URL(settings.endpoint);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const fail = (why: string) =>
      reject(new ConvertExtensionError(`the convert extension at ${url.origin} ${why}`));
    const req = send(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        timeout: settings.timeoutMs,
        ...(url.protocol === 'https:' && settings.skipVerify ? { rejectUnauthorized: false } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_BYTES) {
            req.destroy();
            fail(`answered more than ${MAX_BYTES} bytes`);
            return;
          }
          chunks.push(c);
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', (err) => fail(`broke off its answer: ${err.message}`));
      },
    );
    // The timeout covers the whole exchange, as Drone's context deadline does.
    const timer = setTimeout(() => {
      req.destroy();
      fail(`did not answer within ${settings.timeoutMs / 1000} s`);
    }, settings.timeoutMs);
    req.on('close', () => clearTimeout(timer));
    req.on('timeout', () => {
      req.destroy();
      fail(`did not answer within ${settings.timeoutMs / 1000} s`);
    });
    req.on('error', (err) => fail(`cannot be reached: ${err.message}`));
    req.end(body);
  });
}
