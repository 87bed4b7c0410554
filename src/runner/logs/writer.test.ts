import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MASK } from './mask.js';
import { type Line, LineWriter, MAX_LINE_LENGTH } from './writer.js';

function collect(opts: ConstructorParameters<typeof LineWriter>[0] = {}) {
  const live: Line[] = [];
  const w = new LineWriter({ ...opts, onLine: (l) => live.push(l) });
  return { w, live };
}

test('chunks with several newlines become one line each, numbered, newline included', () => {
  const { w, live } = collect();
  w.write('one\ntwo\nthr');
  w.write('ee\n\nfour');
  assert.deepEqual(
    live.map((l) => [l.pos, l.out]),
    [
      [0, 'one\n'],
      [1, 'two\n'],
      [2, 'three\n'],
      [3, '\n'],
    ],
  );
  const all = w.close();
  assert.deepEqual(
    all.map((l) => l.out),
    ['one\n', 'two\n', 'three\n', '\n', 'four'],
  );
  assert.equal(live.length, 5);
  assert.equal(live[4]!.pos, 4);
  // Writing after close is ignored; closing twice returns the same history.
  w.write('late\n');
  assert.equal(w.close().length, 5);
});

test('time is whole seconds since the writer was created', () => {
  let now = 1_000_000;
  const { w, live } = collect({ now: () => now });
  w.write('a\n');
  now += 2_400;
  w.write('b\n');
  now += 61_000;
  w.write('c\n');
  assert.deepEqual(
    live.map((l) => l.time),
    [0, 2, 63],
  );
});

test('secrets are masked in lines even when split across chunks', () => {
  const { w, live } = collect({ secrets: ['p4ssw0rd'] });
  w.write('login with p4s');
  assert.equal(live.length, 0);
  w.write('sw0');
  w.write('rd ok\nnext p4ssw0');
  w.write('rd');
  w.close();
  assert.deepEqual(
    live.map((l) => l.out),
    [`login with ${MASK} ok\n`, `next ${MASK}`],
  );
});

test('a multi-line secret printed over several writes is masked on every line', () => {
  const secret = 'first-line\nsecond-line\nx';
  const { w } = collect({ secrets: [secret] });
  for (const ch of `echo\nfirst-line\nsecond-line\nx\n`) w.write(ch);
  assert.deepEqual(
    w.close().map((l) => l.out),
    ['echo\n', `${MASK}\n`, `${MASK}\n`, 'x\n'],
  );
});

test('over the cap live delivery stops and the history keeps the tail', () => {
  const { w, live } = collect({ limit: 100 });
  for (let i = 0; i < 30; i++) w.write(`line ${String(i).padStart(3, '0')}\n`); // 9 bytes each
  const hist = w.close();
  assert.equal(w.streaming, false);
  // 11 lines (99 bytes) fit; the 12th stops live delivery.
  assert.equal(live.length, 11);
  assert.equal(live[10]!.out, 'line 010\n');
  const bytes = hist.reduce((n, l) => n + Buffer.byteLength(l.out), 0);
  assert.ok(bytes <= 100);
  assert.equal(hist.length, 11);
  assert.equal(hist[hist.length - 1]!.out, 'line 029\n');
  assert.equal(hist[0]!.pos, 19);
  assert.deepEqual(
    hist.map((l) => l.pos),
    Array.from({ length: 11 }, (_, i) => 19 + i),
  );
});

test('the cap counts UTF-8 bytes', () => {
  const { w, live } = collect({ limit: 10 });
  w.write('ééé\n'); // 7 bytes
  w.write('éé\n'); // 5 bytes: over the cap
  assert.equal(live.length, 1);
  assert.deepEqual(
    w.close().map((l) => l.out),
    ['éé\n'],
  );
});

test('an endless line without newline is cut so memory stays bounded', () => {
  const { w, live } = collect();
  const big = 'x'.repeat(MAX_LINE_LENGTH * 2 + 10);
  w.write(big.slice(0, 1000));
  w.write(big.slice(1000));
  assert.equal(live.length, 2);
  assert.equal(live[0]!.out.length, MAX_LINE_LENGTH);
  w.write('\n');
  const hist = w.close();
  assert.equal(hist.length, 3);
  assert.equal(hist[2]!.out, `${'x'.repeat(10)}\n`);
  assert.equal(hist.map((l) => l.out).join(''), `${big}\n`);
});
