import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compatJson, compatSkip } from '../../../test/support/compat.js';
import type { MatchContext } from '../context.js';
import type { Condition, Conditions } from '../manifest/types.js';
import {
  conditionMatches,
  pathsMatch,
  runPolicyOf,
  stageStatusFlags,
  stepWhenMatches,
  triggerMatches,
} from './conditions.js';

type YamlCondition = string | string[] | { include?: string[]; exclude?: string[] };

interface ConditionCase {
  condition: Record<string, YamlCondition>;
  match: Partial<MatchContext>;
  want: boolean;
  scope?: 'trigger' | 'step-when';
  note?: string;
  yaml?: string;
}

interface RunPolicyCase {
  when_status: { include?: string[]; exclude?: string[] } | null;
  run_always: boolean;
  run_on_failure: boolean;
  policy: 'on-success' | 'on-failure' | 'always';
}

/** A YAML condition value as drone-yaml decodes it: a scalar or a list is an include list. */
function toCondition(v: YamlCondition): Condition {
  if (typeof v === 'string') return { include: [v], exclude: [] };
  if (Array.isArray(v)) return { include: v, exclude: [] };
  return { include: v.include ?? [], exclude: v.exclude ?? [] };
}

function toConditions(o: Record<string, YamlCondition>): Conditions {
  const out: Record<string, Condition> = {};
  for (const [k, v] of Object.entries(o)) out[k] = toCondition(v);
  return out as Conditions;
}

const ctx = (m: Partial<MatchContext> = {}): MatchContext => ({
  branch: '',
  event: '',
  ref: '',
  repo: '',
  target: '',
  instance: '',
  cron: '',
  action: '',
  ...m,
});

describe('conditions: condition-cases.json', { skip: compatSkip() }, () => {
  const cases = compatSkip() ? [] : compatJson<ConditionCase[]>('upstream', 'condition-cases.json');
  test('all 37 cases are present', () => assert.equal(cases.length, 37));
  for (const [i, c] of cases.entries()) {
    test(`#${i} ${c.scope ?? 'condition'} ${JSON.stringify(c.condition)} vs ${JSON.stringify(c.match)}`, () => {
      const conds = toConditions(c.condition);
      const m = ctx(c.match);
      if (c.scope === 'trigger') {
        assert.equal(triggerMatches(conds, m), c.want);
      } else if (c.scope === 'step-when') {
        assert.equal(stepWhenMatches(conds, m), c.want);
      } else {
        // drone-yaml's field-agnostic Condition, written on `branch`: the bare matcher and both
        // evaluators must agree.
        assert.equal(conditionMatches(conds.branch, m.branch), c.want);
        assert.equal(triggerMatches(conds, m), c.want);
        assert.equal(stepWhenMatches(conds, m), c.want);
      }
    });
  }
});

describe('conditions: run-policy-cases.json (step when.status)', { skip: compatSkip() }, () => {
  const cases = compatSkip() ? [] : compatJson<RunPolicyCase[]>('upstream', 'run-policy-cases.json');
  for (const [i, c] of cases.entries()) {
    test(`#${i} ${JSON.stringify(c.when_status)} → ${c.policy}`, () => {
      const when: Conditions = c.when_status ? { status: toCondition(c.when_status) } : {};
      const policy = runPolicyOf(when);
      assert.equal(policy, c.policy);
      assert.equal(policy === 'always', c.run_always);
      assert.equal(policy === 'always' || policy === 'on-failure', c.run_on_failure);
    });
  }
});

describe('conditions: run policy beyond the upstream table', () => {
  test('exclude: [success] runs on failure only', () => {
    assert.equal(runPolicyOf({ status: { include: [], exclude: ['success'] } }), 'on-failure');
  });
  test('exclude: [failure] runs on success only', () => {
    assert.equal(runPolicyOf({ status: { include: [], exclude: ['failure'] } }), 'on-success');
  });
  test('a glob over both statuses runs always', () => {
    assert.equal(runPolicyOf({ status: { include: ['*'], exclude: [] } }), 'always');
  });
  test('a status that names neither falls back to on-success, as Drone does', () => {
    assert.equal(runPolicyOf({ status: { include: ['killed'], exclude: [] } }), 'on-success');
  });
  test('status never decides whether a step matches', () => {
    const when: Conditions = { status: { include: ['failure'], exclude: [] } };
    assert.equal(stepWhenMatches(when, ctx({ branch: 'main' })), true);
  });
});

describe('conditions: pipeline trigger.status → on_success / on_failure', () => {
  const flags = (status?: Condition) => stageStatusFlags(status ? { status } : {});
  test('unset: success only (on_failure is forced false)', () => {
    assert.deepEqual(flags(), { onSuccess: true, onFailure: false });
    assert.deepEqual(flags({ include: [], exclude: [] }), { onSuccess: true, onFailure: false });
  });
  test('[success]', () =>
    assert.deepEqual(flags({ include: ['success'], exclude: [] }), { onSuccess: true, onFailure: false }));
  test('[failure]', () =>
    assert.deepEqual(flags({ include: ['failure'], exclude: [] }), { onSuccess: false, onFailure: true }));
  test('[success, failure]', () =>
    assert.deepEqual(flags({ include: ['success', 'failure'], exclude: [] }), {
      onSuccess: true,
      onFailure: true,
    }));
  test('exclude: [success]', () =>
    assert.deepEqual(flags({ include: [], exclude: ['success'] }), { onSuccess: false, onFailure: true }));
  test('status is not a trigger filter', () => {
    assert.equal(
      triggerMatches({ status: { include: ['failure'], exclude: [] } }, ctx({ event: 'push' })),
      true,
    );
  });
});

describe('conditions: the fields each evaluator checks', () => {
  const only = (field: keyof MatchContext, pattern: string): Conditions => ({
    [field]: { include: [pattern], exclude: [] },
  });
  for (const field of ['branch', 'event', 'ref', 'repo', 'target', 'instance', 'cron', 'action'] as const) {
    test(`${field} is checked by both trigger and step when`, () => {
      const c = only(field, 'x*');
      assert.equal(triggerMatches(c, ctx({ [field]: 'xy' })), true);
      assert.equal(triggerMatches(c, ctx({ [field]: 'yx' })), false);
      assert.equal(stepWhenMatches(c, ctx({ [field]: 'xy' })), true);
      assert.equal(stepWhenMatches(c, ctx({ [field]: 'yx' })), false);
    });
  }
  test('all keys are AND-ed', () => {
    const c: Conditions = {
      branch: { include: ['main'], exclude: [] },
      event: { include: ['push'], exclude: [] },
    };
    assert.equal(triggerMatches(c, ctx({ branch: 'main', event: 'push' })), true);
    assert.equal(triggerMatches(c, ctx({ branch: 'main', event: 'tag' })), false);
    assert.equal(triggerMatches(c, ctx({ branch: 'dev', event: 'push' })), false);
  });
  test('a branch filter excludes builds with no branch (e.g. tags)', () => {
    assert.equal(triggerMatches(only('branch', 'main'), ctx({ event: 'tag', ref: 'refs/tags/v1' })), false);
  });
});

describe('conditions: paths (Hangar extension over the changed files)', () => {
  const cond = (include: string[], exclude: string[] = []): Condition => ({ include, exclude });

  test('no paths condition, or an empty one, matches', () => {
    assert.equal(pathsMatch(undefined, ['a']), true);
    assert.equal(pathsMatch(cond([]), ['a']), true);
    assert.equal(pathsMatch(cond([]), []), true);
  });
  test('unknown changed files match, whatever the condition', () => {
    assert.equal(pathsMatch(cond(['src/**']), undefined), true);
    assert.equal(pathsMatch(cond([], ['**']), undefined), true);
  });
  test('include: any changed file under the pattern matches', () => {
    assert.equal(pathsMatch(cond(['src/**']), ['README.md', 'src/a/b.ts']), true);
    assert.equal(pathsMatch(cond(['src/**']), ['README.md', 'docs/x.md']), false);
    assert.equal(pathsMatch(cond(['*.md']), ['README.md']), true);
    assert.equal(pathsMatch(cond(['*.md']), ['docs/x.md']), false);
    assert.equal(pathsMatch(cond(['**/*.md']), ['docs/x.md']), true);
  });
  test('exclude: matches when some changed file is outside the excluded set', () => {
    assert.equal(pathsMatch(cond([], ['docs/**']), ['docs/a.md']), false);
    assert.equal(pathsMatch(cond([], ['docs/**']), ['docs/a.md', 'src/b.ts']), true);
  });
  test('include and exclude combine per file', () => {
    const c = cond(['*.yml'], ['.drone.yml']);
    assert.equal(pathsMatch(c, ['.drone.yml']), false);
    assert.equal(pathsMatch(c, ['.drone.yml', 'ci.yml']), true);
    assert.equal(pathsMatch(c, ['src/ci.yml']), false);
  });
  test('a known but empty change set matches no paths condition', () => {
    assert.equal(pathsMatch(cond(['**']), []), false);
    assert.equal(pathsMatch(cond([], ['docs/**']), []), false);
  });
  test('trigger and step when both apply paths', () => {
    const c: Conditions = { paths: cond(['src/**']) };
    assert.equal(triggerMatches(c, ctx({ paths: ['src/a.ts'] })), true);
    assert.equal(triggerMatches(c, ctx({ paths: ['docs/a.md'] })), false);
    assert.equal(triggerMatches(c, ctx()), true);
    assert.equal(stepWhenMatches(c, ctx({ paths: ['src/a.ts'] })), true);
    assert.equal(stepWhenMatches(c, ctx({ paths: ['docs/a.md'] })), false);
    assert.equal(stepWhenMatches(c, ctx()), true);
  });
});
