// Real git repositories for clone tests, made in a temp dir: a main branch with three commits, an
// annotated tag, a feature branch published as a pull-request ref and a merge-request ref.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

export interface Fixture {
  /** Parent temp dir (remove with `cleanup`). */
  root: string;
  /** Path of the (non-bare) origin repository. */
  origin: string;
  /** Path of a bare copy, for the HTTP server. */
  bare: string;
  c1: string;
  c2: string;
  c3: string;
  /** Head of the feature branch (forked from c2): `refs/pull/7/head` and `refs/merge-requests/3/head`. */
  feature: string;
  cleanup(): Promise<void>;
}

const ENV = {
  GIT_AUTHOR_NAME: 'Fixture',
  GIT_AUTHOR_EMAIL: 'fixture@example.com',
  GIT_COMMITTER_NAME: 'Fixture',
  GIT_COMMITTER_EMAIL: 'fixture@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
};

/** Runs git in `cwd` and returns its trimmed stdout. */
export async function sh(cwd: string, ...args: string[]): Promise<string> {
  const r = await execa('git', args, { cwd, env: ENV });
  return r.stdout.trim();
}

/** Creates the fixture repository. */
export async function makeFixture(): Promise<Fixture> {
  const root = await mkdtemp(join(tmpdir(), 'hangar-fixture-'));
  const origin = join(root, 'origin');
  await execa('git', ['init', '-q', '-b', 'main', origin], { env: ENV });
  const commit = async (file: string, text: string, msg: string) => {
    await execa('sh', ['-c', `printf '%s\\n' "$1" > "$2"`, 'sh', text, file], { cwd: origin });
    await sh(origin, 'add', file);
    await sh(origin, 'commit', '-q', '-m', msg);
    return sh(origin, 'rev-parse', 'HEAD');
  };
  const c1 = await commit('README', 'hello', 'first');
  const c2 = await commit('a.txt', 'two', 'second');
  await sh(origin, 'tag', '-a', 'v1.0', '-m', 'release 1.0');
  await sh(origin, 'checkout', '-q', '-b', 'feature');
  const feature = await commit('feature.txt', 'feature', 'add feature');
  await sh(origin, 'checkout', '-q', 'main');
  const c3 = await commit('a.txt', 'three', 'third');
  await sh(origin, 'update-ref', 'refs/pull/7/head', feature);
  await sh(origin, 'update-ref', 'refs/merge-requests/3/head', feature);
  const bare = join(root, 'repo.git');
  await execa('git', ['clone', '-q', '--bare', '--mirror', origin, bare], { env: ENV });
  return {
    root,
    origin,
    bare,
    c1,
    c2,
    c3,
    feature,
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}
