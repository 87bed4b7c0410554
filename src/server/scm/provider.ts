// The contract every webhook dialect implements, and the request shape the parsers read.
import type { Hook, HookRepo, IgnoreReason, Provider } from './hook.js';
import type { JsonObject } from './json.js';

/** A webhook request as received: header names in lower case, the body exactly as sent. */
export interface WebhookRequest {
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** Query parameters (Gitea's `?secret=` fallback). */
  query?: Record<string, string | undefined>;
}

/** What a payload means, decided before its signature is checked (the repo's key is needed for that). */
export type Interpretation =
  | { kind: 'unknown'; detail: string }
  | { kind: 'build'; repo: HookRepo; hook: Hook }
  | {
      kind: 'ignored';
      repo: HookRepo;
      reason: IgnoreReason;
      detail: string;
      cleanup?: { type: 'branch' | 'pull_request'; name: string };
    };

/** How a signature check went. */
export type SignatureCheck = 'valid' | 'missing' | 'invalid';

/** One SCM's webhook dialect. */
export interface WebhookDialect {
  provider: Provider;
  /** The event name the request carries, or undefined when it is not this dialect's request. */
  event(req: WebhookRequest): string | undefined;
  /** The JSON object the body carries (undefined when it is not one). */
  payload(req: WebhookRequest): JsonObject | undefined;
  /** Turns a payload into a hook, an ignore, or "unknown event". Pure. */
  interpret(event: string, payload: JsonObject): Interpretation;
  /** Checks the request's signature against the repository's webhook secret. */
  verify(req: WebhookRequest, payload: JsonObject, key: string): SignatureCheck;
}

/** The first value of a header. */
export function header(req: WebhookRequest, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  if (Array.isArray(v)) return v[0];
  return v;
}

/** The interpretation of a push that deleted `ref`: nothing to build; a branch's entries are forgotten. */
export function refDeleted(repo: HookRepo, ref: string): Interpretation {
  return {
    kind: 'ignored',
    repo,
    reason: 'ref_deleted',
    detail: `${ref} was deleted`,
    ...(ref.startsWith('refs/heads/') && {
      cleanup: { type: 'branch' as const, name: ref.slice('refs/heads/'.length) },
    }),
  };
}
