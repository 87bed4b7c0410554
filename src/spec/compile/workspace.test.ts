import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compatJson, compatSkip } from '../../../test/support/compat.js';
import {
  cleanPath,
  createWorkspace,
  isRestrictedVolume,
  joinPath,
  toWindowsDrive,
  workingDirOf,
} from './workspace.js';

interface Case {
  kind: string;
  workspace?: { base: string; path: string };
  platform_os?: string;
  base?: string;
  path?: string;
  full?: string;
  workspace_full?: string;
  step?: { commands?: string[] };
  preset_working_dir?: string;
  detach?: boolean;
  want_working_dir?: string;
  input?: string;
  output?: string;
}

const skip = compatSkip();
const cases = (): Case[] => compatJson<Case[]>('upstream', 'workspace-clone-cases.json');

test('workspace-clone-cases: createWorkspace (incl. Windows)', { skip }, () => {
  const ws = cases().filter((c) => c.kind === 'createWorkspace');
  assert.ok(ws.length >= 5);
  for (const c of ws) {
    const got = createWorkspace({
      workspace: c.workspace!,
      platform: { os: c.platform_os ?? '', arch: '', variant: '', version: '' },
    });
    assert.deepEqual(got, { base: c.base, path: c.path, full: c.full }, JSON.stringify(c));
  }
});

test('workspace-clone-cases: setupWorkdir', { skip }, () => {
  const wd = cases().filter((c) => c.kind === 'setupWorkdir');
  assert.ok(wd.length >= 4);
  for (const c of wd) {
    const step = { working_dir: c.preset_working_dir ?? '', commands: c.step?.commands ?? [] };
    assert.equal(
      workingDirOf(step, c.detach ?? false, c.workspace_full!),
      c.want_working_dir,
      JSON.stringify(c),
    );
  }
});

test('workspace-clone-cases: toWindowsDrive', { skip }, () => {
  for (const c of cases().filter((x) => x.kind === 'toWindowsDrive')) {
    assert.equal(toWindowsDrive(c.input!), c.output);
  }
});

test('absolute path without base becomes the base; restricted paths reset to /drone/src', () => {
  const ws = (base: string, path: string, os = 'linux') =>
    createWorkspace({ workspace: { base, path }, platform: { os, arch: '', variant: '', version: '' } });
  assert.deepEqual(ws('', '/go/src/github.com/octocat/hello'), {
    base: '/go/src/github.com/octocat/hello',
    path: '',
    full: '/go/src/github.com/octocat/hello',
  });
  assert.deepEqual(ws('', 'src/app'), { base: '/drone/src', path: 'src/app', full: '/drone/src/src/app' });
  assert.deepEqual(ws('/go/', 'src/x/'), { base: '/go/', path: 'src/x/', full: '/go/src/x' });
  for (const [base, path] of [
    ['/', ''],
    ['/var', 'run'],
    ['', '/etc'],
    ['/proc', 'self'],
    ['/usr', 'local/bin'],
    ['/dev', ''],
    ['/tmp', '../var/run'],
  ] as const) {
    assert.deepEqual(ws(base, path), { base: '/drone/src', path: '', full: '/drone/src' }, `${base} ${path}`);
  }
  assert.deepEqual(ws('/etc', 'app'), { base: '/etc', path: 'app', full: '/etc/app' }, 'only /etc itself');
  assert.deepEqual(ws('', '/go', 'windows'), { base: 'c:\\go', path: '', full: 'c:\\go' });
});

test('isRestrictedVolume (runner-go TestIsRestrictedVolume)', () => {
  const restricted = [
    '/',
    '../../../../../../../../../../../../var/run',
    '/var/run',
    '//var/run',
    '/var/run/',
    '/var/run/.',
    '/var//run/',
    '/var/run//',
    '/var/run/test/..',
    '/./var/run',
    '/var/./run',
    '/var/run/docker.sock',
    '/VAR/RUN',
    '/etc/docker/daemon.json',
    '/usr/local/sbin',
    '/media/usb',
    '/mount',
    '/sys/fs',
  ];
  const allowed = [
    '/drone',
    '/drone/var/run',
    '/development',
    '/var/lib',
    '/etc/ssh',
    '/usr/local',
    '/binary',
    '/var/running',
  ];
  for (const p of restricted) assert.equal(isRestrictedVolume(p), true, p);
  for (const p of allowed) assert.equal(isRestrictedVolume(p), false, p);
});

test('cleanPath and joinPath follow Go path.Clean / path.Join', () => {
  const clean: [string, string][] = [
    ['', '.'],
    ['/', '/'],
    ['a/b/../c', 'a/c'],
    ['/../a', '/a'],
    ['../../a', '../../a'],
    ['a/../..', '..'],
    ['//a//b/', '/a/b'],
    ['./', '.'],
  ];
  for (const [a, b] of clean) assert.equal(cleanPath(a), b, a);
  assert.equal(joinPath('', ''), '');
  assert.equal(joinPath('/drone/src', ''), '/drone/src');
  assert.equal(joinPath('', 'x'), 'x');
  assert.equal(joinPath('/a/', '/b/'), '/a/b');
});
