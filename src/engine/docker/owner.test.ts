import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import type { Plan } from '../../spec/plan.js';
import { ownerOf, stageLabels } from './labels.js';
import { currentOwner, ownerIsDead, processStart } from './owner.js';

test('this process is a live owner; an exited process is a dead one', () => {
  const me = currentOwner();
  assert.equal(me.pid, process.pid);
  assert.notEqual(me.started, '');
  assert.equal(ownerIsDead(me), false);
  const child = spawnSync('true');
  assert.equal(child.status, 0);
  assert.equal(ownerIsDead({ ...me, pid: child.pid ?? 0 }), true);
});

test('a pid reused by another process is not the owner any more', () => {
  const me = currentOwner();
  assert.equal(ownerIsDead({ ...me, started: `${Number(me.started) + 1}` }), true);
  assert.equal(processStart(process.pid), me.started);
});

test('owners on another host are never judged', () => {
  assert.equal(ownerIsDead({ host: 'elsewhere', pid: 999999, started: '' }), false);
});

test('stage labels carry the plan labels, the stage, the engine and the owner; ownerOf reads them back', () => {
  const plan = {
    id: 'st-1',
    labels: { 'io.hangar.repo': 'o/r', 'io.hangar.stage': 'spoof' },
  } as unknown as Plan;
  const owner = { host: 'h', pid: 42, started: '99' };
  const labels = stageLabels(plan, 'eng', owner, new Date(1_700_000_000_500));
  assert.equal(labels['io.hangar'], 'true');
  assert.equal(labels['io.hangar.stage'], 'st-1');
  assert.equal(labels['io.hangar.engine'], 'eng');
  assert.equal(labels['io.hangar.repo'], 'o/r');
  assert.equal(labels['io.hangar.created'], '1700000000');
  assert.deepEqual(ownerOf(labels), owner);
  assert.equal(ownerOf({ 'io.hangar': 'true' }), undefined);
});
