// git for tests: a fixed identity and none of the machine's or user's git configuration, so a
// commit made in a test is the same everywhere.
import { execa } from 'execa';

/** The environment every test git command runs with. */
export const GIT_ENV = {
  GIT_AUTHOR_NAME: 'Jane Doe',
  GIT_AUTHOR_EMAIL: 'jane@example.com',
  GIT_COMMITTER_NAME: 'Jane Doe',
  GIT_COMMITTER_EMAIL: 'jane@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
};

/** Runs git in `cwd` and returns its trimmed stdout. */
export async function git(cwd: string, ...args: string[]): Promise<string> {
  const res = await execa('git', args, { cwd, env: GIT_ENV });
  return String(res.stdout).trim();
}
