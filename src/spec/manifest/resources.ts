// The kinds other than pipeline (drone-reference.md §3.4): `secret`, `signature`, and the ones kept
// as they are (cron, registry, template and kinds Hangar does not know).
import type { OtherResource, SecretResource, SignatureResource } from './types.js';
import type { YMap } from '../yaml/node.js';
import { toPlain } from '../yaml/walk.js';
import { type Decoder, join } from './decoder.js';
import { str } from './values.js';

/** `kind: secret`: encrypted `data`, or an external lookup `get: {path, name, key}`. */
export function decodeSecret(d: Decoder, root: YMap, docIndex: number): SecretResource {
  const s: SecretResource = { kind: 'secret', name: '', data: '', docIndex };
  d.fields(root, '', (k, v, keyNode) => {
    if (k === 'kind' || k === 'type' || k === 'version') return;
    if (k === 'name') s.name = str(d, v, k);
    else if (k === 'data') s.data = str(d, v, k);
    else if (k === 'get') {
      const get = s.get ?? { path: '', name: '', key: '' };
      if (v.kind === 'map') {
        d.fields(v, k, (gk, gv, gKeyNode) => {
          if (gk === 'path' || gk === 'name' || gk === 'key') get[gk] = str(d, gv, join(k, gk));
          else d.unknown(k, gk, gKeyNode, gv);
        });
      } else if (!(v.kind === 'scalar' && v.plain && v.value === ''))
        d.typeError(k, v, 'a mapping (path, name, key)');
      s.get = get;
    } else d.unknown('', k, keyNode, v);
  });
  // runner-go Secret.Validate: some data, or something to look up.
  if (s.data === '' && (s.get?.path ?? '') === '' && (s.get?.name ?? '') === '') {
    d.error('invalid-secret', 'data', root, 'required (or get.path / get.name for an external secret)');
  }
  if (s.name === '') d.warn('required', 'name', root, 'required: a secret without a name cannot be used');
  return s;
}

/** `kind: signature`: the file's HMAC. */
export function decodeSignature(d: Decoder, root: YMap, docIndex: number): SignatureResource {
  const s: SignatureResource = { kind: 'signature', hmac: '', docIndex };
  d.fields(root, '', (k, v, keyNode) => {
    if (k === 'kind' || k === 'version') return;
    if (k === 'hmac') s.hmac = str(d, v, k);
    else d.unknown('', k, keyNode, v);
  });
  if (s.hmac === '') d.error('invalid-signature', 'hmac', root, 'required');
  return s;
}

/** Any other kind, kept as plain data. */
export function decodeOther(d: Decoder, root: YMap, kind: string, docIndex: number): OtherResource {
  const raw = toPlain(root, d.budget) as Record<string, unknown>;
  const name = typeof raw.name === 'string' ? raw.name : raw.name == null ? '' : String(raw.name);
  return { kind, name, docIndex, raw };
}
