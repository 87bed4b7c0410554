// Every webhook payload of the compat corpus (go-scm and woodpecker fixtures for GitHub, Gitea and
// GitLab) and the octokit push / pull_request examples, through parseWebhook: what each one means
// (build with which event/action, or ignored and why), compared with go-scm's parsed goldens where
// they exist. Plus the signature vectors of each INDEX.json.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, test } from 'node:test';
import { type Provider, WebhookError, type WebhookOutcome } from '../../src/server/scm/hook.js';
import { parseWebhook } from '../../src/server/scm/webhook.js';
import { compatJson, compatPath, compatSkip } from '../support/compat.js';
import { EVENT_HEADER, signedRequest } from './hooks-support.js';

const SECRET = 'a-webhook-secret-of-some-length!';
const lookup = async () => SECRET;

type Expect = { build: string; action?: string } | { ignored: string };

interface IndexEntry {
  file: string;
  headers: Record<string, string | null>;
  go_scm_golden?: string;
}
interface Index {
  entries: IndexEntry[];
  woodpecker_fixtures?: { entries: IndexEntry[] };
  signature: { cases: { file: string; secret: string; header: Record<string, string>; valid: boolean }[] };
}

// What Hangar makes of each go-scm fixture (Drone's service/hook/parser decisions, plus the
// documented Hangar choices: reopened pull requests build, GitLab updates build only with new commits).
const EXPECT: Record<Exclude<Provider, 'local'>, Record<string, Expect>> = {
  github: {
    'push.json': { build: 'push', action: '' },
    'push_tag.json': { build: 'tag', action: 'create' },
    'push_tag_delete.json': { ignored: 'ref_deleted' },
    'push_branch_create.json': { build: 'push', action: 'create' },
    'push_branch_delete.json': { ignored: 'ref_deleted' },
    'branch_create.json': { ignored: 'unsupported_action' },
    'branch_delete.json': { ignored: 'ref_deleted' },
    'comment.json': { ignored: 'unknown_event' },
    'tag_create.json': { ignored: 'tag_via_push' },
    'tag_delete.json': { ignored: 'ref_deleted' },
    'pr_sync.json': { build: 'pull_request', action: 'synchronized' },
    'pr_ready_for_review.json': { ignored: 'unsupported_action' },
    'pr_opened.json': { build: 'pull_request', action: 'opened' },
    'pr_closed.json': { ignored: 'pull_request_closed' },
    'pr_reopened.json': { build: 'pull_request', action: 'reopened' },
    'pr_edited.json': { ignored: 'unsupported_action' },
    'pr_labeled.json': { ignored: 'unsupported_action' },
    'pr_unlabeled.json': { ignored: 'unsupported_action' },
    'pr_review_submitted.json': { ignored: 'unknown_event' },
    'pr_review_edited.json': { ignored: 'unknown_event' },
    'deployment.json': { build: 'promote', action: '' },
    'deployment_commit.json': { build: 'promote', action: '' },
    'release_published.json': { ignored: 'unknown_event' },
    'release_unpublished.json': { ignored: 'unknown_event' },
    'release_created.json': { ignored: 'unknown_event' },
    'release_edited.json': { ignored: 'unknown_event' },
    'release_deleted.json': { ignored: 'unknown_event' },
    'release_prereleased.json': { ignored: 'unknown_event' },
    'release_released.json': { ignored: 'unknown_event' },
    'pipeline_hook.json': { ignored: 'unknown_event' },
    'check_run.json': { ignored: 'unknown_event' },
    'status.json': { ignored: 'unknown_event' },
    'merge_group_checks_requested.json': { ignored: 'unknown_event' },
    'merge_group_destroyed.json': { ignored: 'unknown_event' },
  },
  gitea: {
    'branch_create.json': { ignored: 'unsupported_action' },
    'branch_delete.json': { ignored: 'ref_deleted' },
    'tag_create.json': { ignored: 'tag_via_push' },
    'tag_delete.json': { ignored: 'ref_deleted' },
    'push.json': { build: 'push', action: '' },
    'issues_opened.json': { ignored: 'unknown_event' },
    'issue_comment_created.json': { ignored: 'unknown_event' },
    'pull_request_opened.json': { build: 'pull_request', action: 'opened' },
    'pull_request_edited.json': { ignored: 'unsupported_action' },
    'pull_request_synchronized.json': { build: 'pull_request', action: 'synchronized' },
    'pull_request_closed.json': { ignored: 'pull_request_closed' },
    'pull_request_reopened.json': { build: 'pull_request', action: 'reopened' },
    'pull_request_merged.json': { ignored: 'pull_request_closed' },
    'pull_request_comment_created.json': { ignored: 'unknown_event' },
    'woodpecker/HookPullRequest.json': { build: 'pull_request', action: 'opened' },
    'woodpecker/HookPullRequestClosed.json': { ignored: 'pull_request_closed' },
    'woodpecker/HookPullRequestMerged.json': { ignored: 'pull_request_closed' },
    'woodpecker/HookPullRequestReopened.json': { build: 'pull_request', action: 'reopened' },
    'woodpecker/HookPullRequestUpdated.json': { build: 'pull_request', action: 'synchronized' },
    'woodpecker/HookPush.json': { build: 'push', action: '' },
    'woodpecker/HookPushBranch.json': { build: 'push', action: 'create' },
    'woodpecker/HookPushMulti.json': { build: 'push', action: '' },
    'woodpecker/HookRelease.json': { ignored: 'unknown_event' },
    'woodpecker/HookTag.json': { ignored: 'tag_via_push' },
  },
  gitlab: {
    'branch_create.json': { build: 'push', action: 'create' },
    'branch_delete.json': { ignored: 'ref_deleted' },
    'branch_delete_subgroup.json': { ignored: 'ref_deleted' },
    'tag_create.json': { build: 'tag', action: 'create' },
    'tag_delete.json': { ignored: 'ref_deleted' },
    'tag_delete_subgroup.json': { ignored: 'ref_deleted' },
    'push.json': { build: 'push', action: '' },
    'push_subgroup.json': { build: 'push', action: '' },
    'pull_request_create.json': { build: 'pull_request', action: 'opened' },
    'merge_request_subgroup.json': { build: 'pull_request', action: 'opened' },
    'pull_request_close.json': { ignored: 'pull_request_closed' },
    'pull_request_review_ready.json': { ignored: 'unsupported_action' },
    'pull_request_reopen.json': { build: 'pull_request', action: 'reopened' },
    'pull_request_merge.json': { ignored: 'pull_request_closed' },
    'merge_request_comment_create.json': { ignored: 'unknown_event' },
    'merge_request_comment_subgroup.json': { ignored: 'unknown_event' },
    'pipeline_hook.json': { ignored: 'unknown_event' },
    'pipeline_subgroup.json': { ignored: 'unknown_event' },
    'woodpecker/HookPullRequestOpened.json': { build: 'pull_request', action: 'opened' },
    'woodpecker/HookPullRequestReopened.json': { build: 'pull_request', action: 'reopened' },
    'woodpecker/HookPullRequestUpdated.json': { build: 'pull_request', action: 'synchronized' },
    'woodpecker/HookPullRequestClosed.json': { ignored: 'pull_request_closed' },
    'woodpecker/HookPullRequestMerged.json': { ignored: 'pull_request_closed' },
    'woodpecker/HookPush.json': { build: 'push', action: '' },
    'woodpecker/HookTag.json': { build: 'tag', action: 'create' },
    'woodpecker/WebhookReleaseBody.json': { ignored: 'unknown_event' },
  },
};

// Woodpecker's GitLab/Gitea pull-request variants that only change metadata (labels, milestones,
// assignees, titles, approvals) are all ignored; listed by prefix so the table stays short.
function defaultExpect(provider: string, file: string): Expect {
  if (file.startsWith('woodpecker/HookPullRequest')) return { ignored: 'unsupported_action' };
  throw new Error(`no expectation for ${provider}/${file}`);
}

function describeOutcome(o: WebhookOutcome): Expect {
  return o.kind === 'build' ? { build: o.hook.event, action: o.hook.action } : { ignored: o.reason };
}

type Golden = Record<string, unknown>;
const g = (v: unknown, ...path: string[]): string => {
  let cur: unknown = v;
  for (const p of path) cur = (cur as Record<string, unknown> | undefined)?.[p];
  return typeof cur === 'string' ? cur : cur === undefined || cur === null ? '' : String(cur);
};

/** The hook fields go-scm's golden pins, as Drone's parser derives them. */
function compareWithGolden(provider: string, file: string, outcome: WebhookOutcome, golden: Golden): void {
  const repo = outcome.kind === 'build' ? outcome.repo : outcome.repo;
  if (repo && golden.Repo) {
    const r = golden.Repo as Golden;
    assert.equal(repo.slug, `${g(r, 'Namespace')}/${g(r, 'Name')}`, `${file}: slug`);
    assert.equal(repo.uid, g(r, 'ID'), `${file}: uid`);
    assert.equal(repo.git_http_url, g(r, 'Clone'), `${file}: clone url`);
    assert.equal(repo.git_ssh_url, g(r, 'CloneSSH'), `${file}: ssh url`);
    assert.equal(repo.link, g(r, 'Link'), `${file}: link`);
    assert.equal(repo.default_branch, g(r, 'Branch'), `${file}: default branch`);
    if (provider !== 'gitlab') assert.equal(repo.private, r.Private === true, `${file}: private`);
  }
  if (outcome.kind !== 'build') return;
  const h = outcome.hook;
  if (golden.PullRequest) {
    const pr = golden.PullRequest as Golden;
    assert.equal(h.after, g(pr, 'Sha'), `${file}: after`);
    assert.equal(h.ref, g(pr, 'Ref'), `${file}: ref`);
    assert.equal(h.source, g(pr, 'Source'), `${file}: source`);
    assert.equal(h.target, g(pr, 'Target'), `${file}: target`);
    assert.equal(h.link, g(pr, 'Link'), `${file}: link`);
    assert.equal(h.title, g(pr, 'Title'), `${file}: title`);
    assert.equal(h.message, g(pr, 'Body') || g(pr, 'Title'), `${file}: message`);
    assert.equal(h.author_login, g(pr, 'Author', 'Login'), `${file}: author`);
    assert.equal(
      h.author_avatar,
      g(pr, 'Author', 'Avatar') || g(golden, 'Sender', 'Avatar'),
      `${file}: avatar`,
    );
    assert.equal(h.sender, g(golden, 'Sender', 'Login'), `${file}: sender`);
    if (g(pr, 'Base', 'Sha')) assert.equal(h.before, g(pr, 'Base', 'Sha'), `${file}: before`);
    // go-scm's GitLab fork is "<source namespace display name>/<name>", which is not a slug (and
    // makes ignore_forks misfire); Hangar uses the source project's path.
    if (provider !== 'gitlab') assert.equal(h.source_repo, g(pr, 'Fork'), `${file}: fork`);
    return;
  }
  if (golden.Commit) {
    assert.equal(h.ref, g(golden, 'Ref'), `${file}: ref`);
    assert.equal(h.before, g(golden, 'Before'), `${file}: before`);
    assert.equal(h.after, g(golden, 'Commit', 'Sha'), `${file}: after`);
    assert.equal(h.message, g(golden, 'Commit', 'Message'), `${file}: message`);
    assert.equal(h.link, g(golden, 'Commit', 'Link'), `${file}: link`);
    assert.equal(h.author_login, g(golden, 'Commit', 'Author', 'Login'), `${file}: author login`);
    assert.equal(h.author_name, g(golden, 'Commit', 'Author', 'Name'), `${file}: author name`);
    assert.equal(h.author_email, g(golden, 'Commit', 'Author', 'Email'), `${file}: author email`);
    assert.equal(
      h.author_avatar,
      g(golden, 'Commit', 'Author', 'Avatar') || g(golden, 'Sender', 'Avatar'),
      `${file}: avatar`,
    );
    assert.equal(h.sender, g(golden, 'Sender', 'Login'), `${file}: sender`);
    if (h.event === 'push') {
      assert.equal(h.source, h.ref.replace('refs/heads/', ''));
      assert.equal(h.target, h.source);
    } else {
      assert.equal(
        h.source,
        g(golden, 'BaseRef').replace(/^refs\/(heads|tags)\//, ''),
        `${file}: tag source`,
      );
    }
    return;
  }
  if (golden.Target !== undefined && golden.Number !== undefined) {
    // A deployment.
    assert.equal(h.deploy_to, g(golden, 'Target'));
    assert.equal(h.deploy_id, Number(golden.Number));
    assert.equal(h.after, g(golden, 'Ref', 'Sha'));
    assert.equal(h.ref, g(golden, 'Ref', 'Path'));
    assert.equal(h.message, g(golden, 'Desc'));
    assert.deepEqual(h.params, golden.Data);
  }
}

for (const provider of ['github', 'gitea', 'gitlab'] as const) {
  describe(`${provider} webhook corpus`, { skip: compatSkip() }, () => {
    const index = compatJson<Index>('webhooks', provider, 'INDEX.json');
    const entries = [...index.entries, ...(index.woodpecker_fixtures?.entries ?? [])];
    for (const entry of entries) {
      const event = entry.headers[Object.keys(entry.headers)[0] ?? ''] ?? null;
      test(`${entry.file} as ${event ?? '(no event header)'}`, async () => {
        const body = readFileSync(compatPath('webhooks', provider, entry.file));
        if (event === null) {
          // No event header at all: not a webhook Hangar can attribute to any SCM.
          await assert.rejects(
            parseWebhook({ headers: {}, body }, lookup),
            (e: unknown) => e instanceof WebhookError && e.reason === 'unknown_provider',
          );
          return;
        }
        const outcome = await parseWebhook(signedRequest(provider, event, body, SECRET), lookup);
        assert.equal(outcome.provider, provider);
        const want = EXPECT[provider][entry.file] ?? defaultExpect(provider, entry.file);
        assert.deepEqual(describeOutcome(outcome), want);
        if (outcome.kind === 'build') {
          assert.equal(outcome.hook.trigger, '@hook');
          assert.ok(outcome.hook.after.length >= 40, 'a build names its commit');
          assert.ok(outcome.repo.slug.includes('/'));
        }
        if (entry.go_scm_golden) {
          const golden = compatJson<Golden>('webhooks', provider, entry.go_scm_golden);
          compareWithGolden(provider, entry.file, outcome, golden);
        }
      });
    }

    test('signature vectors', async () => {
      for (const c of index.signature.cases) {
        const body = readFileSync(compatPath('webhooks', provider, c.file));
        const entry = index.entries.find((e) => e.file === c.file);
        const event = Object.values(entry?.headers ?? {})[0] ?? 'push';
        const headers: Record<string, string> = { [EVENT_HEADER[provider]]: event };
        for (const [k, v] of Object.entries(c.header)) headers[k.toLowerCase()] = v;
        const run = parseWebhook({ headers, body }, async () => c.secret);
        if (c.valid) {
          await run;
        } else {
          await assert.rejects(run, (e: unknown) => {
            assert.ok(e instanceof WebhookError);
            assert.ok(['bad_signature', 'missing_signature'].includes(e.reason), e.reason);
            assert.ok(!e.message.includes(c.secret), 'the secret never appears in the error');
            return true;
          });
        }
      }
    });
  });
}

describe('changed files from payloads', { skip: compatSkip() }, () => {
  test('GitHub push lists the modified file', async () => {
    const body = readFileSync(compatPath('webhooks/github/push.json'));
    const o = await parseWebhook(signedRequest('github', 'push', body, SECRET), lookup);
    assert.equal(o.kind, 'build');
    if (o.kind === 'build') assert.deepEqual(o.hook.changed_files, ['README.md']);
  });
  test('Gitea push of three commits: the union of added, modified and removed', async () => {
    const body = readFileSync(compatPath('webhooks/gitea/woodpecker/HookPushMulti.json'));
    const o = await parseWebhook(signedRequest('gitea', 'push', body, SECRET), lookup);
    assert.equal(o.kind, 'build');
    if (o.kind === 'build') {
      assert.deepEqual([...(o.hook.changed_files ?? [])].sort(), ['aa', 'aaa']);
      assert.equal(o.hook.message, 'add some text\n');
    }
  });
  test('a pushed branch with no listed commits has unknown changes, not none', async () => {
    const body = readFileSync(compatPath('webhooks/gitea/woodpecker/HookPushBranch.json'));
    const o = await parseWebhook(signedRequest('gitea', 'push', body, SECRET), lookup);
    assert.equal(o.kind, 'build');
    if (o.kind === 'build') assert.equal(o.hook.changed_files, undefined);
  });
  test('GitLab push', async () => {
    const body = readFileSync(compatPath('webhooks/gitlab/woodpecker/HookPush.json'));
    const o = await parseWebhook(signedRequest('gitlab', 'Push Hook', body, SECRET), lookup);
    assert.equal(o.kind, 'build');
    if (o.kind === 'build') assert.deepEqual(o.hook.changed_files, ['cmd/cli/main.go']);
  });
  test('GitLab annotated tag builds the commit, not the tag object', async () => {
    const body = readFileSync(compatPath('webhooks/gitlab/woodpecker/HookTag.json'));
    const o = await parseWebhook(signedRequest('gitlab', 'Tag Push Hook', body, SECRET), lookup);
    assert.equal(o.kind, 'build');
    if (o.kind === 'build') {
      assert.equal(o.hook.after, '16862e368d8ab812e48833b741dad720d6e2cb7f');
      assert.equal(o.hook.ref, 'refs/tags/v22');
    }
  });
});

describe('cleanup of the latest-build index', { skip: compatSkip() }, () => {
  test('a deleted branch and a closed pull request name the entry they retire', async () => {
    const del = await parseWebhook(
      signedRequest(
        'github',
        'push',
        readFileSync(compatPath('webhooks/github/push_branch_delete.json')),
        SECRET,
      ),
      lookup,
    );
    assert.equal(del.kind, 'ignored');
    if (del.kind === 'ignored') assert.equal(del.cleanup?.type, 'branch');
    const closed = await parseWebhook(
      signedRequest(
        'github',
        'pull_request',
        readFileSync(compatPath('webhooks/github/pr_closed.json')),
        SECRET,
      ),
      lookup,
    );
    assert.equal(closed.kind, 'ignored');
    if (closed.kind === 'ignored') assert.deepEqual(closed.cleanup, { type: 'pull_request', name: '1' });
  });
});

// @octokit/webhooks-examples: GitHub's own example payloads.
interface OctokitDefinition {
  name: string;
  examples: Record<string, unknown>[];
}
const octokit = createRequire(import.meta.url)('@octokit/webhooks-examples') as OctokitDefinition[];

describe('octokit examples', () => {
  for (const name of ['push', 'pull_request'] as const) {
    const def = octokit.find((d) => d.name === name);
    test(`${name}: ${def?.examples.length ?? 0} examples`, async () => {
      assert.ok(def && def.examples.length > 0);
      for (const [i, example] of def.examples.entries()) {
        const body = JSON.stringify(example);
        const o = await parseWebhook(signedRequest('github', name, body, SECRET), lookup);
        const label = `${name} example ${i}`;
        if (name === 'push') {
          const after = String(example.after);
          const ref = String(example.ref);
          if (/^0+$/.test(after)) assert.deepEqual(describeOutcome(o), { ignored: 'ref_deleted' }, label);
          else {
            assert.equal(o.kind, 'build', label);
            if (o.kind === 'build') {
              assert.equal(o.hook.event, ref.startsWith('refs/tags/') ? 'tag' : 'push', label);
              assert.equal(o.hook.ref, ref);
              assert.equal(o.hook.after, after);
            }
          }
        } else {
          const action = String(example.action);
          const want: Expect =
            action === 'opened'
              ? { build: 'pull_request', action: 'opened' }
              : action === 'synchronize'
                ? { build: 'pull_request', action: 'synchronized' }
                : action === 'reopened'
                  ? { build: 'pull_request', action: 'reopened' }
                  : action === 'closed'
                    ? { ignored: 'pull_request_closed' }
                    : { ignored: 'unsupported_action' };
          assert.deepEqual(describeOutcome(o), want, `${label} (${action})`);
          if (o.kind === 'build') {
            const pr = example.pull_request as Record<string, Record<string, unknown>>;
            assert.equal(o.hook.ref, `refs/pull/${pr.number}/head`);
            assert.equal(o.hook.after, (pr.head as Record<string, unknown>).sha);
            assert.equal(o.hook.target, (pr.base as Record<string, unknown>).ref);
            assert.equal(
              o.hook.source_repo,
              (pr.head as Record<string, Record<string, unknown> | undefined>).repo?.full_name,
            );
          }
        }
      }
    });
  }
});

// Files of the corpus that no INDEX.json lists, with the header their SCM sends them with.
const UNLISTED: Record<string, Record<string, [string, Expect]>> = {
  gitea: {
    'issue_comment_deleted.json': ['issue_comment', { ignored: 'unknown_event' }],
    'issue_comment_edited.json': ['issue_comment', { ignored: 'unknown_event' }],
    'issues_closed.json': ['issues', { ignored: 'unknown_event' }],
    'pull_request_comment_deleted.json': ['issue_comment', { ignored: 'unknown_event' }],
    'pull_request_comment_edited.json': ['issue_comment', { ignored: 'unknown_event' }],
  },
  gitlab: {
    'issue_closed.json': ['Issue Hook', { ignored: 'unknown_event' }],
    'issue_comment_create.json': ['Note Hook', { ignored: 'unknown_event' }],
    'issue_create.json': ['Issue Hook', { ignored: 'unknown_event' }],
    'issue_edited.json': ['Issue Hook', { ignored: 'unknown_event' }],
    'issue_labeled.json': ['Issue Hook', { ignored: 'unknown_event' }],
    'issue_reopen.json': ['Issue Hook', { ignored: 'unknown_event' }],
    'push_merge.json': ['Push Hook', { build: 'push', action: '' }],
    'review_comment_create.json': ['Note Hook', { ignored: 'unknown_event' }],
  },
};

describe('corpus files no INDEX lists', { skip: compatSkip() }, () => {
  for (const provider of ['gitea', 'gitlab'] as const) {
    for (const [file, [event, want]] of Object.entries(UNLISTED[provider] ?? {})) {
      test(`${provider}/${file} as ${event}`, async () => {
        const body = readFileSync(compatPath('webhooks', provider, file));
        const o = await parseWebhook(signedRequest(provider, event, body, SECRET), lookup);
        assert.deepEqual(describeOutcome(o), want);
      });
    }
  }
  test('every payload file of the three providers is covered', () => {
    for (const provider of ['github', 'gitea', 'gitlab'] as const) {
      const index = compatJson<Index>('webhooks', provider, 'INDEX.json');
      const listed = new Set([
        ...index.entries.map((e) => e.file),
        ...(index.woodpecker_fixtures?.entries ?? []).map((e) => e.file),
        ...Object.keys(UNLISTED[provider] ?? {}),
      ]);
      const files = [
        ...readdirSync(compatPath('webhooks', provider)).filter(
          (f) => f.endsWith('.json') && f !== 'INDEX.json',
        ),
        ...(existsSync(compatPath('webhooks', provider, 'woodpecker'))
          ? readdirSync(compatPath('webhooks', provider, 'woodpecker')).map((f) => `woodpecker/${f}`)
          : []),
      ];
      assert.deepEqual(
        files.filter((f) => !listed.has(f)),
        [],
        provider,
      );
    }
  });
});

describe('forgejo (the Gitea dialect under X-Forgejo-Event)', { skip: compatSkip() }, () => {
  const index = compatJson<Index>('webhooks', 'forgejo', 'INDEX.json');
  for (const entry of index.woodpecker_fixtures?.entries ?? []) {
    const event = entry.headers['X-Forgejo-Event'] ?? '';
    test(`${entry.file} as ${event}`, async () => {
      const body = readFileSync(compatPath('webhooks', 'forgejo', entry.file));
      const payload = JSON.parse(body.toString('utf8')) as { action?: string };
      const sig = createHmac('sha256', SECRET).update(body).digest('hex');
      const o = await parseWebhook(
        { headers: { 'x-forgejo-event': event, 'x-forgejo-signature': sig }, body },
        lookup,
      );
      assert.equal(o.provider, 'gitea');
      let want: Expect;
      if (event === 'push') want = { build: 'push', action: o.kind === 'build' ? o.hook.action : '' };
      else if (event === 'create') want = { ignored: 'tag_via_push' };
      else if (event !== 'pull_request') want = { ignored: 'unknown_event' };
      else if (payload.action === 'closed') want = { ignored: 'pull_request_closed' };
      else if (
        payload.action === 'opened' ||
        payload.action === 'reopened' ||
        payload.action === 'synchronized'
      ) {
        want = { build: 'pull_request', action: payload.action };
      } else want = { ignored: 'unsupported_action' };
      assert.deepEqual(describeOutcome(o), want);
    });
  }
});
