// Requests the webhook parser must refuse with a typed reason, never an exception of another kind:
// bad and missing signatures, garbage bodies, unknown senders, and a bounded fuzz of all of them.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { WebhookError, type WebhookErrorReason } from '../../src/server/scm/hook.js';
import { signLocalPush } from '../../src/server/scm/local.js';
import type { WebhookRequest } from '../../src/server/scm/provider.js';
import { parseWebhook } from '../../src/server/scm/webhook.js';
import { compatPath, compatSkip } from '../support/compat.js';
import { signedRequest } from './hooks-support.js';

const SECRET = 'the-right-secret-0123456789abcdef';
const lookup = async () => SECRET;

async function rejects(req: WebhookRequest, reason: WebhookErrorReason, secretFor = lookup): Promise<void> {
  await assert.rejects(parseWebhook(req, secretFor), (e: unknown) => {
    assert.ok(e instanceof WebhookError, `not a WebhookError: ${String(e)}`);
    assert.equal(e.reason, reason, e.message);
    assert.equal(e.statusCode, 400);
    assert.ok(!e.message.includes(SECRET));
    return true;
  });
}

describe('signatures', { skip: compatSkip() }, () => {
  const github = readFileSync(compatPath('webhooks/github/push.json'));
  const gitea = readFileSync(compatPath('webhooks/gitea/push.json'));
  const gitlab = readFileSync(compatPath('webhooks/gitlab/push.json'));

  test('signed with another secret', async () => {
    await rejects(signedRequest('github', 'push', github, 'another-secret'), 'bad_signature');
    await rejects(signedRequest('gitea', 'push', gitea, 'another-secret'), 'bad_signature');
    await rejects(signedRequest('gitlab', 'Push Hook', gitlab, 'another-secret'), 'bad_signature');
  });

  test('one byte of the body changed after signing', async () => {
    for (const [provider, event, body] of [
      ['github', 'push', github],
      ['gitea', 'push', gitea],
    ] as const) {
      const req = signedRequest(provider, event, body, SECRET);
      const tampered = Buffer.from(req.body);
      tampered[tampered.indexOf('README')] = 'r'.charCodeAt(0);
      await rejects({ ...req, body: tampered }, 'bad_signature');
    }
  });

  test('the same JSON re-serialised no longer verifies (the raw body is what is signed)', async () => {
    const req = signedRequest('github', 'push', github, SECRET);
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(github.toString('utf8'))));
    await rejects({ ...req, body: reserialised }, 'bad_signature');
  });

  test('unsigned', async () => {
    await rejects({ headers: { 'x-github-event': 'push' }, body: github }, 'missing_signature');
    await rejects({ headers: { 'x-gitea-event': 'push' }, body: gitea }, 'missing_signature');
    await rejects({ headers: { 'x-gitlab-event': 'Push Hook' }, body: gitlab }, 'missing_signature');
    await rejects(
      { headers: { 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': '' }, body: gitlab },
      'missing_signature',
    );
  });

  test('GitHub SHA-1 fallback and a malformed prefix', async () => {
    const { createHmac } = await import('node:crypto');
    const sha1 = createHmac('sha1', SECRET).update(github).digest('hex');
    const ok = await parseWebhook(
      { headers: { 'x-github-event': 'push', 'x-hub-signature': `sha1=${sha1}` }, body: github },
      lookup,
    );
    assert.equal(ok.kind, 'build');
    const sha256 = createHmac('sha256', SECRET).update(github).digest('hex');
    await rejects(
      { headers: { 'x-github-event': 'push', 'x-hub-signature-256': sha256 }, body: github },
      'bad_signature',
    );
  });

  test('a form-encoded GitHub delivery verifies over the raw form body', async () => {
    const form = Buffer.from(`payload=${encodeURIComponent(github.toString('utf8'))}`);
    const req = signedRequest('github', 'push', form, SECRET);
    req.headers['content-type'] = 'application/x-www-form-urlencoded';
    const o = await parseWebhook(req, lookup);
    assert.equal(o.kind, 'build');
  });

  test('an old Gitea push with the secret in the payload, and ?secret=', async () => {
    const payload = JSON.parse(gitea.toString('utf8'));
    const withSecret = Buffer.from(JSON.stringify({ ...payload, secret: SECRET }));
    assert.equal(
      (await parseWebhook({ headers: { 'x-gitea-event': 'push' }, body: withSecret }, lookup)).kind,
      'build',
    );
    const wrong = Buffer.from(JSON.stringify({ ...payload, secret: 'nope' }));
    await rejects({ headers: { 'x-gitea-event': 'push' }, body: wrong }, 'bad_signature');
    const q = await parseWebhook(
      { headers: { 'x-gitea-event': 'push' }, body: gitea, query: { secret: SECRET } },
      lookup,
    );
    assert.equal(q.kind, 'build');
  });

  test('the repository lookup decides before the signature is looked at', async () => {
    const unknownRepo = async (): Promise<string> => {
      throw new WebhookError('unknown_repo', 'Cannot find repository');
    };
    await rejects(signedRequest('github', 'push', github, SECRET), 'unknown_repo', unknownRepo);
  });
});

describe('garbage', () => {
  test('no event header at all', async () => {
    await rejects({ headers: {}, body: Buffer.from('{}') }, 'unknown_provider');
  });
  test('bodies that are not JSON objects', async () => {
    for (const body of ['', 'null', '[]', '"push"', '{', '{"ref": ', '\u0000\u0001', 'payload=%7B']) {
      await rejects({ headers: { 'x-github-event': 'push' }, body: Buffer.from(body) }, 'malformed');
      await rejects({ headers: { 'x-gitlab-event': 'Push Hook' }, body: Buffer.from(body) }, 'malformed');
    }
  });
  test('a known event that names no repository', async () => {
    await rejects(
      { headers: { 'x-github-event': 'push' }, body: Buffer.from('{"ref":"refs/heads/main"}') },
      'malformed',
    );
    await rejects(
      {
        headers: { 'x-gitlab-event': 'Push Hook' },
        body: Buffer.from('{"object_kind":"push","project":{}}'),
      },
      'malformed',
    );
  });
  test('an unknown event is ignored without reading further', async () => {
    const o = await parseWebhook({ headers: { 'x-github-event': 'star' }, body: Buffer.from('{}') }, lookup);
    assert.deepEqual([o.kind, o.kind === 'ignored' && o.reason], ['ignored', 'unknown_event']);
  });
  test('local pushes with shas or refs that are not well formed', async () => {
    const good = { repo: 'me/app', ref: 'refs/heads/main', before: '0'.repeat(40), after: 'a'.repeat(40) };
    for (const bad of [
      { ...good, after: '--upload-pack=evil' },
      { ...good, ref: 'refs/heads/../../etc' },
      { ...good, ref: '-n' },
      { ...good, repo: 'noslash' },
      { ...good, before: 'HEAD' },
    ]) {
      const { headers, body } = signLocalPush(bad, SECRET);
      await rejects({ headers, body: Buffer.from(body) }, 'malformed');
    }
    const { headers, body } = signLocalPush(good, SECRET);
    const o = await parseWebhook({ headers, body: Buffer.from(body) }, lookup);
    assert.equal(o.kind, 'build');
  });
});

describe('fuzz', () => {
  const eventHeaders = ['x-github-event', 'x-gitea-event', 'x-gitlab-event', 'x-hangar-event', 'x-other'];
  const events = [
    'push',
    'pull_request',
    'create',
    'delete',
    'deployment',
    'Push Hook',
    'Merge Request Hook',
    'System Hook',
    'x',
  ];
  const jsonish = fc.oneof(
    fc.json(),
    fc.string(),
    fc
      .record({
        ref: fc.oneof(fc.constant('refs/heads/main'), fc.constant('refs/tags/v1'), fc.string()),
        after: fc.oneof(fc.constant('a'.repeat(40)), fc.constant('0'.repeat(40)), fc.string()),
        action: fc.constantFrom('opened', 'synchronize', 'closed', 'open', 'update', 'labeled'),
        object_kind: fc.constantFrom('push', 'tag_push', 'merge_request', 'note'),
        repository: fc.oneof(
          fc.anything(),
          fc.record({ name: fc.string(), owner: fc.record({ login: fc.string() }) }),
        ),
        project: fc.oneof(fc.anything(), fc.record({ path_with_namespace: fc.string() })),
        pull_request: fc.anything(),
        object_attributes: fc.anything(),
        commits: fc.anything(),
      })
      .map((o) => JSON.stringify(o)),
  );

  test('any request ends in an outcome or a WebhookError, signed or not', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...eventHeaders),
        fc.constantFrom(...events),
        jsonish,
        fc.boolean(),
        async (name, event, body, sign) => {
          const raw = Buffer.from(body);
          const { createHmac } = await import('node:crypto');
          const sig = createHmac('sha256', SECRET).update(raw).digest('hex');
          const headers: Record<string, string> = { [name]: event };
          if (sign) {
            headers['x-hub-signature-256'] = `sha256=${sig}`;
            headers['x-gitea-signature'] = sig;
            headers['x-gitlab-token'] = SECRET;
            headers['x-hangar-signature'] = `sha256=${sig}`;
          }
          try {
            const o = await parseWebhook({ headers, body: raw }, lookup);
            if (o.kind === 'build') {
              assert.ok(o.repo.slug.includes('/'));
              assert.ok(sign, 'an unsigned request never becomes a build');
            }
          } catch (e) {
            assert.ok(e instanceof WebhookError, `unexpected ${String(e)}`);
            assert.ok(e.statusCode >= 400 && e.statusCode < 500);
          }
        },
      ),
      { numRuns: 400, seed: 7 },
    );
  });
});
