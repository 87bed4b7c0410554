// A stand-in for the OAuth side of GitHub, Gitea or GitLab on a loopback port: the authorize page
// (which, like an SCM where the user already granted access, sends the browser straight back with a
// code), the token endpoint (codes and refresh tokens, form-encoded as RFC 6749), and the user,
// email and organisation endpoints, answering with the response shapes the SCMs document
// (GitHub REST "Get the authenticated user", Gitea's swagger `User`/`Organization`, GitLab's
// `GET /user`, `GET /groups`, `POST /oauth/token`). Only what Hangar's sign-in reads is checked.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FakeScmKind = 'github' | 'gitea' | 'gitlab';

/** The account the fake SCM signs in. */
export interface FakeAccount {
  login: string;
  /** '' = private on GitHub (then /user/emails has it). */
  email: string;
  /** The primary email /user/emails lists (GitHub). */
  primaryEmail?: string;
  orgs: string[];
}

/** One request the fake saw (authorization values masked). */
export interface SeenRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  form: Record<string, string>;
  authorization: string | undefined;
}

/** The running fake. */
export interface FakeScm {
  kind: FakeScmKind;
  url: string;
  clientId: string;
  clientSecret: string;
  account: FakeAccount;
  /** Every request so far. */
  seen: SeenRequest[];
  /** Access tokens issued so far (newest last). */
  issued: string[];
  /** Refresh tokens issued so far (newest last). */
  refreshes: string[];
  /** When set, the token endpoint refuses every code (as an expired one is refused). */
  refuseCodes: boolean;
  /** When set, the authorize page redirects back with `?error=access_denied`. */
  deny: boolean;
  /** A code as the SCM would give after consent (for tests that skip the authorize page). */
  newCode(): string;
  close(): Promise<void>;
}

const paths: Record<
  FakeScmKind,
  { authorize: string; token: string; user: string; orgs: string; repos: string }
> = {
  github: {
    authorize: '/login/oauth/authorize',
    token: '/login/oauth/access_token',
    user: '/user',
    orgs: '/user/orgs',
    repos: '/user/repos',
  },
  gitea: {
    authorize: '/login/oauth/authorize',
    token: '/login/oauth/access_token',
    user: '/api/v1/user',
    orgs: '/api/v1/user/orgs',
    repos: '/api/v1/user/repos',
  },
  gitlab: {
    authorize: '/oauth/authorize',
    token: '/oauth/token',
    user: '/api/v4/user',
    orgs: '/api/v4/groups',
    repos: '/api/v4/projects',
  },
};

/** Starts a fake `kind` SCM signing in `account`. */
export async function startFakeScm(kind: FakeScmKind, account: FakeAccount): Promise<FakeScm> {
  const codes = new Set<string>();
  const tokens = new Set<string>();
  const refreshTokens = new Set<string>();
  const p = paths[kind];
  let url = '';

  const fake: FakeScm = {
    kind,
    url: '',
    clientId: `client-${kind}-${randomBytes(4).toString('hex')}`,
    clientSecret: randomBytes(20).toString('hex'),
    account,
    seen: [],
    issued: [],
    refreshes: [],
    refuseCodes: false,
    deny: false,
    newCode() {
      const code = randomBytes(10).toString('hex');
      codes.add(code);
      return code;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  };

  const issue = () => {
    const access =
      kind === 'github' ? `gho_${randomBytes(18).toString('hex')}` : randomBytes(32).toString('hex');
    tokens.add(access);
    fake.issued.push(access);
    if (kind === 'github')
      return { access_token: access, scope: 'repo,repo:status,user:email,read:org', token_type: 'bearer' };
    const refresh = randomBytes(32).toString('hex');
    refreshTokens.add(refresh);
    fake.refreshes.push(refresh);
    if (kind === 'gitea')
      return { access_token: access, token_type: 'bearer', expires_in: 3600, refresh_token: refresh };
    return {
      access_token: access,
      token_type: 'Bearer',
      expires_in: 7200,
      refresh_token: refresh,
      scope: 'api read_user',
      created_at: Math.floor(Date.now() / 1000),
    };
  };

  const userBody = () => {
    const a = fake.account;
    const avatar = `${url}/avatars/${a.login}.png`;
    if (kind === 'github') {
      return {
        login: a.login,
        id: 583231,
        node_id: 'MDQ6VXNlcjU4MzIzMQ==',
        avatar_url: avatar,
        gravatar_id: '',
        url: `${url}/users/${a.login}`,
        html_url: `${url}/${a.login}`,
        type: 'User',
        site_admin: false,
        name: 'The Octocat',
        company: '@github',
        blog: 'https://github.blog',
        location: 'San Francisco',
        email: a.email === '' ? null : a.email,
        hireable: null,
        bio: null,
        twitter_username: null,
        public_repos: 8,
        public_gists: 8,
        followers: 9999,
        following: 9,
        created_at: '2011-01-25T18:44:36Z',
        updated_at: '2024-01-22T12:25:58Z',
        private_gists: 0,
        total_private_repos: 0,
        owned_private_repos: 0,
        disk_usage: 100,
        collaborators: 0,
        two_factor_authentication: true,
        plan: { name: 'free', space: 976562499, collaborators: 0, private_repos: 10000 },
      };
    }
    if (kind === 'gitea') {
      return {
        id: 1,
        login: a.login,
        login_name: '',
        full_name: 'Gitea Admin',
        email: a.email,
        avatar_url: avatar,
        language: 'en-US',
        is_admin: false,
        last_login: '2024-01-22T12:25:58Z',
        created: '2023-06-01T10:00:00Z',
        restricted: false,
        active: true,
        prohibit_login: false,
        location: '',
        website: '',
        description: '',
        visibility: 'public',
        followers_count: 0,
        following_count: 0,
        starred_repos_count: 0,
        username: a.login,
      };
    }
    return {
      id: 1,
      username: a.login,
      name: 'John Smith',
      state: 'active',
      locked: false,
      avatar_url: avatar,
      web_url: `${url}/${a.login}`,
      created_at: '2012-05-23T08:00:58Z',
      bio: '',
      location: null,
      public_email: '',
      email: a.email,
      theme_id: 1,
      color_scheme_id: 2,
      projects_limit: 100000,
      current_sign_in_at: '2012-06-02T06:36:55Z',
      can_create_group: true,
      can_create_project: true,
      two_factor_enabled: false,
      external: false,
      private_profile: false,
    };
  };

  const orgsBody = () =>
    fake.account.orgs.map((name, i) => {
      if (kind === 'github') {
        return {
          login: name,
          id: 9919 + i,
          node_id: 'MDEyOk9yZ2FuaXphdGlvbjk5MTk=',
          url: `${url}/orgs/${name}`,
          repos_url: `${url}/orgs/${name}/repos`,
          avatar_url: `${url}/avatars/${name}.png`,
          description: 'A great organization',
        };
      }
      if (kind === 'gitea') {
        return {
          id: 3 + i,
          name,
          full_name: '',
          email: '',
          avatar_url: `${url}/avatars/${name}.png`,
          description: '',
          website: '',
          location: '',
          visibility: 'public',
          repo_admin_change_team_access: false,
          username: name,
        };
      }
      return {
        id: 1 + i,
        web_url: `${url}/groups/${name}`,
        name: name.toUpperCase(),
        path: name,
        description: '',
        visibility: 'private',
        full_name: name.toUpperCase(),
        full_path: name,
        parent_id: null,
      };
    });

  const readForm = (req: IncomingMessage) =>
    new Promise<Record<string, string>>((resolve) => {
      let text = '';
      req.on('data', (c: Buffer) => {
        text += c.toString('utf8');
      });
      req.on('end', () => resolve(Object.fromEntries(new URLSearchParams(text))));
    });

  const server: Server = createServer(async (req, res) => {
    const u = new URL(req.url ?? '/', url);
    const query = Object.fromEntries(u.searchParams);
    const form = req.method === 'POST' ? await readForm(req) : {};
    fake.seen.push({
      method: req.method ?? 'GET',
      path: u.pathname,
      query,
      form,
      authorization: req.headers.authorization,
    });

    if (req.method === 'GET' && u.pathname === p.authorize) {
      const back = new URL(query.redirect_uri ?? '');
      if (query.client_id !== fake.clientId) return json(res, 400, { error: 'unknown client' });
      if (fake.deny) {
        back.searchParams.set('error', 'access_denied');
        back.searchParams.set('error_description', 'The user has denied your application access.');
      } else {
        back.searchParams.set('code', fake.newCode());
      }
      if (query.state !== undefined) back.searchParams.set('state', query.state);
      res.writeHead(302, { location: back.toString() });
      return res.end();
    }

    if (req.method === 'POST' && u.pathname === p.token) {
      if (form.client_id !== fake.clientId || form.client_secret !== fake.clientSecret) {
        return json(res, 401, {
          error: 'invalid_client',
          error_description: 'Client authentication failed.',
        });
      }
      if (form.grant_type === 'refresh_token') {
        if (!refreshTokens.delete(form.refresh_token ?? '')) {
          return json(res, 400, {
            error: 'invalid_grant',
            error_description: 'The refresh token is invalid.',
          });
        }
        return json(res, 200, issue());
      }
      if (fake.refuseCodes || !codes.delete(form.code ?? '')) {
        // GitHub answers a bad code with 200 and an error object; the others with 400.
        if (kind === 'github') {
          return json(res, 200, {
            error: 'bad_verification_code',
            error_description: 'The code passed is incorrect or expired.',
            error_uri:
              'https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#bad-verification-code',
          });
        }
        return json(res, 400, {
          error: 'invalid_grant',
          error_description:
            'The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.',
        });
      }
      return json(res, 200, issue());
    }

    const bearer = /^Bearer (\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (bearer === undefined || !tokens.has(bearer)) {
      return json(
        res,
        401,
        kind === 'github'
          ? { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' }
          : { message: '401 Unauthorized' },
      );
    }
    if (req.method === 'GET' && u.pathname === p.user) return json(res, 200, userBody());
    if (req.method === 'GET' && u.pathname === p.orgs) return json(res, 200, orgsBody());
    // The repository list a sync after sign-in reads: this account reaches none.
    if (req.method === 'GET' && u.pathname === p.repos) return json(res, 200, []);
    if (req.method === 'GET' && kind === 'github' && u.pathname === '/user/emails') {
      const email = fake.account.primaryEmail ?? fake.account.email;
      return json(res, 200, [
        {
          email: `${fake.account.login}@users.noreply.github.com`,
          primary: false,
          verified: true,
          visibility: null,
        },
        { email, primary: true, verified: true, visibility: 'private' },
      ]);
    }
    return json(res, 404, { message: 'Not Found' });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.url = url;
  return fake;
}

/** The environment that points Hangar's sign-in at `fake`. */
export function fakeScmEnv(fake: FakeScm): Record<string, string> {
  const NAME = fake.kind.toUpperCase();
  return {
    [`HANGAR_${NAME}_CLIENT_ID`]: fake.clientId,
    [`HANGAR_${NAME}_CLIENT_SECRET`]: fake.clientSecret,
    [`HANGAR_${NAME}_SERVER`]: fake.url,
    [`HANGAR_${NAME}_API`]: fake.url,
  };
}
