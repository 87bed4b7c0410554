// Schemas shared by the route modules: path parameters and paging.
import { type TSchema, Type } from 'typebox';

/** `/:owner/:name` of a repo route. */
export const RepoParams = Type.Object({
  owner: Type.String({ minLength: 1, maxLength: 250 }),
  name: Type.String({ minLength: 1, maxLength: 250 }),
});

/** Drone's paging query (`page` from 1, `per_page` ≤ 100). */
export const PageQuery = Type.Object({
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
  per_page: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
});

/** Secret names (drone-reference.md §5.1). */
export const SECRET_NAME = /^[a-zA-Z0-9\-_.]+$/;

/** Logins: Drone's core.User.Validate (1–50 of `.a-zA-Z0-9_-`). */
export const LOGIN = /^[.a-zA-Z0-9_-]{1,50}$/;

/** A body schema that also accepts no body at all (Drone reads these actions' bodies leniently). */
export function optionalBody<T extends TSchema>(schema: T) {
  return Type.Union([schema, Type.Undefined(), Type.Null()]);
}
