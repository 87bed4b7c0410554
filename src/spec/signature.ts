// `kind: signature` (drone-yaml/yaml/signer, drone-reference.md §3.4): an HMAC-SHA256, keyed with the
// repository secret, over the raw text of every other document of the file, split as Drone splits it.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { parse } from 'yaml';
import { splitDocuments } from './yaml/split.js';

/** A signing key that Drone would refuse; the message is Drone's. */
export class SignatureKeyError extends Error {
  override readonly name = 'SignatureKeyError';
  constructor() {
    super('signer: key must be 32-bytes');
  }
}

/**
 * Splits a file into raw documents as drone-yaml's ParseRaw does: a line starting with `---` begins a
 * new document, a line starting with `...` stops reading, a trailing `\r` is dropped from every line
 * and each kept line is followed by `\n`. A `---` always opens a document, even an empty one.
 */
export function splitRawDocuments(text: string): string[] {
  return splitDocuments(text).map((d) => d.text);
}

interface SignatureDoc {
  hmac: string;
}

/** The signature a raw document holds, or undefined when it is not `kind: signature`. */
function signatureOf(doc: string): SignatureDoc | undefined {
  // Cheap pre-check: only documents that mention the kind are parsed.
  if (!doc.includes('signature')) return undefined;
  let value: unknown;
  try {
    value = parse(doc, { logLevel: 'error' });
  } catch {
    // Not valid YAML, so not a signature document; it is signed like any other document.
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (v.kind !== 'signature') return undefined;
  return { hmac: typeof v.hmac === 'string' ? v.hmac : '' };
}

function checkKey(key: string): void {
  if (Buffer.byteLength(key, 'utf8') < 32) throw new SignatureKeyError();
}

function hmacOf(docs: readonly string[], key: string): string {
  const mac = createHmac('sha256', key);
  for (const d of docs) if (!signatureOf(d)) mac.update(d, 'utf8');
  return mac.digest('hex');
}

/** The hex HMAC-SHA256 of the file's non-signature documents; throws SignatureKeyError for a short key. */
export function signConfig(text: string, key: string): string {
  checkKey(key);
  return hmacOf(splitRawDocuments(text), key);
}

/**
 * True when the file's last `kind: signature` document holds the HMAC of its other documents; false
 * when it has none. Throws SignatureKeyError for a short key (checked first, as Drone does).
 */
export function verifyConfig(text: string, key: string): boolean {
  checkKey(key);
  const docs = splitRawDocuments(text);
  let signature: SignatureDoc | undefined;
  for (const d of docs) signature = signatureOf(d) ?? signature;
  if (!signature) return false;
  const want = Buffer.from(hmacOf(docs, key), 'utf8');
  const got = Buffer.from(signature.hmac, 'utf8');
  return got.length === want.length && timingSafeEqual(got, want);
}

/**
 * The file re-written with a fresh signature document in place of any old one (drone-yaml SignUpdate):
 * every other document behind `---`, then the signature, then `...`.
 */
export function signUpdateConfig(text: string, key: string): string {
  checkKey(key);
  const docs = splitRawDocuments(text);
  const hmac = hmacOf(docs, key);
  let out = '';
  for (const d of docs) if (!signatureOf(d)) out += `---\n${d}`;
  return `${out}---\nkind: signature\nhmac: ${hmac}\n\n...\n`;
}
