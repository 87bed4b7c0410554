// Converts between models and stored rows: booleans ↔ 0/1 integers, JSON values ↔ text. Doing this
// in code (not with dialect types such as PostgreSQL's boolean/jsonb) is what makes a row read back
// identically from SQLite and PostgreSQL.
import type { ColumnSpec } from './schema.js';

/** A model read back from a stored row. */
export function decodeRow<M>(spec: ColumnSpec<M>, row: object): M {
  const out: Record<string, unknown> = { ...row };
  for (const key of spec.bool as readonly string[]) out[key] = out[key] === 1 || out[key] === true;
  for (const key of spec.json as readonly string[]) {
    const value = out[key];
    out[key] = typeof value === 'string' ? JSON.parse(value) : null;
  }
  return out as M;
}

/** The stored form of (part of) a model; fields not in `model` stay absent. */
export function encodeRow<M>(spec: ColumnSpec<M>, model: Partial<M>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...model };
  for (const key of spec.bool as readonly string[]) if (key in out) out[key] = out[key] ? 1 : 0;
  for (const key of spec.json as readonly string[]) {
    if (key in out) out[key] = out[key] === null || out[key] === undefined ? null : JSON.stringify(out[key]);
  }
  return out;
}

/** The current time in unix seconds, Drone's unit for every stored time. */
export function unixNow(): number {
  return Math.floor(Date.now() / 1000);
}
