// Two `hangar runner` processes polling one `hangar server`: every stage runs exactly once. Four
// stages held at a gate prove that both runners work at once (each takes two, its capacity); then a
// burst of builds is shared between them, and a file every step appends to shows each stage ran
// once and only once. Exec engine: the question is the queue, not the containers.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { bareRepo, Installation, pushedBuild, until } from './support.js';

let root = '';

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'hangar-e2e-two-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

// biome-ignore lint/suspicious/noExplicitAny: tests index into arbitrary JSON answers
type Json = any;

const EXEC_RUNNER = { HANGAR_RUNNER_ENGINE: 'exec', HANGAR_RUNNER_CAPACITY: '2' };

function pipelines(runs: string, gate: string): string {
  const stage = (name: string) => `kind: pipeline
type: exec
name: ${name}
clone:
  disable: true
steps:
- name: run
  commands:
  - echo "$DRONE_BUILD_NUMBER/$DRONE_STAGE_NAME" >> ${runs}
  - while [ ! -f ${gate} ]; do sleep 0.1; done
`;
  return `${stage('left')}---\n${stage('right')}`;
}

describe('two runners polling one server', { timeout: 600_000 }, () => {
  test('each stage runs exactly once; both runners take work at once', async () => {
    const hangar = await Installation.create(join(root, 'hangar'));
    const files = join(root, 'files');
    await mkdir(files, { recursive: true });
    const runs = join(files, 'runs.txt');
    const gate = join(files, 'go');
    await writeFile(runs, '');
    try {
      await hangar.startServer();
      hangar.startRunner('one', EXEC_RUNNER);
      hangar.startRunner('two', EXEC_RUNNER);
      const repo = await bareRepo(join(root, 'git'), 'app');
      const added = await hangar.cli('repo', 'add', repo.bare, '--name', 'admin/app');
      assert.equal(added.exitCode, 0, `${added.stdout}\n${added.stderr}`);

      const numbers: number[] = [];
      const push = async (message: string, files: Record<string, string>) => {
        await repo.commit(message, files);
        numbers.push(pushedBuild((await repo.push()).stderr));
      };
      await push('first', { '.drone.yml': pipelines(runs, gate) });
      await push('second', { 'a.txt': 'a\n' });

      // Four stages, capacity two each: all four running means both runners are at work.
      const held = await until('four stages to run at once', async () => {
        const stages: Json[] = [];
        for (const n of numbers)
          stages.push(...(await hangar.api('GET', `/api/repos/admin/app/builds/${n}`)).json.stages);
        return stages.filter((s) => s.status === 'running').length === 4 && stages;
      });
      const count = (machine: string) => held.filter((s: Json) => s.machine === machine).length;
      assert.deepEqual([count('one'), count('two')], [2, 2]);

      await writeFile(gate, '');
      for (let i = 0; i < 6; i++) await push(`burst ${i}`, { 'b.txt': `${i}\n` });
      for (const n of numbers) {
        const b = await hangar.finished('admin/app', n);
        assert.equal(b.status, 'success', JSON.stringify(b.stages));
        for (const s of b.stages) assert.ok(['one', 'two'].includes(s.machine), JSON.stringify(s));
      }

      const lines = (await readFile(runs, 'utf8')).split('\n').filter((l) => l !== '');
      const expected = numbers.flatMap((n) => [`${n}/left`, `${n}/right`]);
      assert.deepEqual([...lines].sort(), [...expected].sort());
      for (const r of hangar.runners) {
        assert.deepEqual(await r.stop('SIGTERM'), [0, null], r.output());
      }
    } catch (err) {
      console.error(hangar.output());
      throw err;
    } finally {
      await hangar.kill();
    }
  });
});
