import assert from 'node:assert/strict';
import { test } from 'node:test';
import { localPath, safeRevision } from './git.js';

test('revisions handed to git are hex ids or plain ref names, never options', () => {
  for (const ok of [
    'a1b2c3d',
    'a'.repeat(40),
    'main',
    'refs/heads/feature/x-1',
    'refs/tags/v1.0.0',
    'v1.2',
  ]) {
    assert.ok(safeRevision(ok), ok);
  }
  for (const bad of [
    '-n',
    '--upload-pack=x',
    'main..evil',
    'refs/heads/a b',
    'x:y',
    'HEAD~1',
    'a^{tree}',
    '',
    'refs/',
    'x.lock',
  ]) {
    assert.ok(!safeRevision(bad), bad);
  }
});

test('local paths: absolute paths and file URLs only', () => {
  assert.equal(localPath('/srv/git/app.git'), '/srv/git/app.git');
  assert.equal(localPath('file:///srv/git/app%20x.git'), '/srv/git/app x.git');
  assert.equal(localPath('https://github.com/a/b.git'), undefined);
  assert.equal(localPath('git@github.com:a/b.git'), undefined);
  assert.equal(localPath('relative/dir'), undefined);
});
