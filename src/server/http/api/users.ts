// User administration (Drone's /api/users, system admins only): list, create, find, update,
// delete, token rotation and a user's repos.
import { Type } from 'typebox';
import type { App, RouteContext } from '../../app.js';
import { requireAdmin } from '../../auth/access.js';
import { newToken } from '../../auth/tokens.js';
import { listUserRepos } from '../../auth/visible-repos.js';
import {
  createUser,
  deleteUser,
  findUserByLogin,
  findUserByToken,
  hashToken,
  listUsers,
  updateUser,
} from '../../store/queries/users.js';
import { badRequest, conflict, notFound } from './errors.js';
import { LOGIN } from './params.js';
import { repoJson, userJson } from './present.js';

const LoginParams = Type.Object({ user: Type.String({ minLength: 1, maxLength: 250 }) });

const UserCreate = Type.Object({
  login: Type.String(),
  email: Type.Optional(Type.String({ maxLength: 500 })),
  avatar: Type.Optional(Type.String({ maxLength: 2000 })),
  machine: Type.Optional(Type.Boolean()),
  admin: Type.Optional(Type.Boolean()),
  active: Type.Optional(Type.Boolean()),
  /** Hangar: the API token to give the account (default: a random one). */
  token: Type.Optional(Type.String({ pattern: '^[\\x21-\\x7e]{16,256}$' })),
});

const UserUpdate = Type.Object({
  admin: Type.Optional(Type.Boolean()),
  active: Type.Optional(Type.Boolean()),
  email: Type.Optional(Type.String({ maxLength: 500 })),
  avatar: Type.Optional(Type.String({ maxLength: 2000 })),
  machine: Type.Optional(Type.Boolean()),
});

/** `/api/users[/{user}[/repos|/token/rotate]]`. */
export function usersRoutes(app: App, { store }: RouteContext): void {
  const db = store.db;
  const find = async (login: string) => {
    const user = await findUserByLogin(db, login);
    if (!user) throw notFound();
    return user;
  };

  app.get('/api/users', async (request) => {
    requireAdmin(request.user);
    return (await listUsers(db)).map(userJson);
  });

  // Hangar has no SCM login, so the new account's token is always in the answer (Drone shows it
  // for machine accounts only); it is stored as a hash and cannot be shown again.
  app.post('/api/users', { schema: { body: UserCreate } }, async (request) => {
    requireAdmin(request.user);
    const input = request.body;
    if (!LOGIN.test(input.login)) {
      throw badRequest(
        input.login.length < 1 || input.login.length > 50
          ? 'Invalid username length'
          : 'Invalid character in username',
      );
    }
    const token = input.token ?? newToken();
    if (await findUserByLogin(db, input.login)) throw conflict(`user ${input.login} already exists`);
    if (input.token !== undefined && (await findUserByToken(db, input.token))) {
      throw conflict('that token is already in use');
    }
    const user = await createUser(db, {
      login: input.login,
      email: input.email ?? '',
      avatar: input.avatar ?? '',
      machine: input.machine ?? false,
      admin: input.admin ?? false,
      active: input.active ?? true,
      token_hash: hashToken(token),
    });
    return { ...userJson(user), token };
  });

  app.get('/api/users/:user', { schema: { params: LoginParams } }, async (request) => {
    requireAdmin(request.user);
    return userJson(await find(request.params.user));
  });

  app.patch('/api/users/:user', { schema: { params: LoginParams, body: UserUpdate } }, async (request) => {
    requireAdmin(request.user);
    const user = await find(request.params.user);
    const input = request.body;
    const next = { ...user };
    if (input.admin !== undefined) next.admin = input.admin;
    if (input.email !== undefined) next.email = input.email;
    if (input.avatar !== undefined) next.avatar = input.avatar;
    if (input.machine !== undefined) next.machine = input.machine;
    if (input.active !== undefined) {
      next.active = input.active;
      // As in Drone: a deactivated account keeps no administrative rights.
      if (!input.active) next.admin = false;
    }
    return userJson(await updateUser(db, next));
  });

  app.delete('/api/users/:user', { schema: { params: LoginParams } }, async (request, reply) => {
    requireAdmin(request.user);
    const user = await find(request.params.user);
    await deleteUser(db, user.id);
    reply.code(204).send();
  });

  app.get('/api/users/:user/repos', { schema: { params: LoginParams } }, async (request) => {
    requireAdmin(request.user);
    const user = await find(request.params.user);
    return (await listUserRepos(db, user.id)).map((r) => repoJson(r));
  });

  // Drone answers the user and a message but hides the token; Hangar includes the new token, the
  // only way the admin can hand it over.
  app.post('/api/users/:user/token/rotate', { schema: { params: LoginParams } }, async (request) => {
    requireAdmin(request.user);
    const user = await find(request.params.user);
    const token = newToken();
    const updated = await updateUser(db, { ...user, token_hash: hashToken(token) });
    return { ...userJson(updated), token, message: 'Token rotated successfully.' };
  });
}
