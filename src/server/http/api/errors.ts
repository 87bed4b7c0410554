// Errors a route answers on purpose. Every error leaves the server as `{"message": "…"}` with its
// status (Drone's render.ErrorCode); the messages of the common ones are Drone's own.
import { ConflictError, DuplicateError } from '../../store/errors.js';

/** An answer with a status and a message meant for the user. */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** 400 with `message`. */
export const badRequest = (message: string) => new HttpError(400, message);
/** 401 `Unauthorized`: no (valid) credentials. */
export const unauthorized = () => new HttpError(401, 'Unauthorized');
/** 403 `Forbidden`: authenticated, but not allowed. */
export const forbidden = () => new HttpError(403, 'Forbidden');
/** 404 `Not Found` (also Drone's answer for a repo the user may not see). */
export const notFound = (message = 'Not Found') => new HttpError(404, message);
/** 409 with `message`. */
export const conflict = (message: string) => new HttpError(409, message);

/** The status and message for an error raised while handling a request, or undefined for a bug. */
export function describeError(err: unknown): { statusCode: number; message: string } | undefined {
  if (err instanceof HttpError) return { statusCode: err.statusCode, message: err.message };
  // Store errors name only the table and key, never row contents.
  if (err instanceof DuplicateError) return { statusCode: 409, message: err.message };
  if (err instanceof ConflictError) return { statusCode: 409, message: err.message };
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { statusCode?: unknown; validation?: unknown; message?: unknown; code?: unknown };
  // Fastify's own 4xx (bad JSON, body too large, unsupported media type, schema validation).
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return { statusCode: e.statusCode, message: cleanMessage(e) };
  }
  return undefined;
}

function cleanMessage(e: { message?: unknown; code?: unknown }): string {
  const msg = typeof e.message === 'string' ? e.message : 'Bad Request';
  if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return 'unsupported content type (send JSON)';
  // JSON.parse messages quote the input; keep only their first line and cap the length.
  const first = msg.split('\n')[0] ?? msg;
  return first.length > 300 ? `${first.slice(0, 300)}…` : first;
}
