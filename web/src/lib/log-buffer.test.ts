import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { LogBuffer, parseLine } from './log-buffer.js';

const line = (pos: number, out = `line ${pos}\n`) => ({ pos, out, time: pos });

test('lines received twice are kept once and out-of-order lines land in place', () => {
  const buf = new LogBuffer();
  assert.equal(buf.add([line(0), line(1), line(2)]), 3);
  assert.equal(buf.add([line(1), line(2), line(3)]), 1);
  assert.equal(buf.add([line(6), line(5)]), 2);
  assert.equal(buf.add([line(4)]), 1);
  assert.deepEqual(
    buf.lines.map((l) => l.pos),
    [0, 1, 2, 3, 4, 5, 6],
  );
  assert.equal(buf.lastPos, 6);
});

test('gaps are the holes between the first and last line held, not before the first', () => {
  const buf = new LogBuffer();
  buf.add([line(10), line(11), line(14), line(20)]);
  assert.deepEqual(buf.gaps(), [
    [12, 13],
    [15, 19],
  ]);
  buf.add([line(12), line(13)]);
  assert.deepEqual(buf.gaps(), [[15, 19]]);
});

test('the version changes only when lines are added; bad positions are ignored', () => {
  const buf = new LogBuffer();
  buf.add([line(0)]);
  const v = buf.version;
  buf.add([line(0)]);
  assert.equal(buf.version, v);
  buf.add([
    { pos: -1, out: 'x', time: 0 },
    { pos: 1.5, out: 'y', time: 0 },
  ]);
  assert.equal(buf.size, 1);
  buf.reset([line(3)]);
  assert.deepEqual(buf.lines, [line(3)]);
});

test('text() is the log as printed, one newline per line', () => {
  const buf = new LogBuffer();
  buf.add([line(1, 'b'), line(0, 'a\n'), line(2, '\x1b[31mc\x1b[0m\n')]);
  assert.equal(buf.text(), 'a\nb\n\x1b[31mc\x1b[0m\n');
});

test('any delivery order with repeats yields every position once, in order', () => {
  fc.assert(
    fc.property(
      fc.array(fc.nat(200), { maxLength: 300 }),
      fc.integer({ min: 1, max: 7 }),
      (positions, chunk) => {
        const buf = new LogBuffer();
        for (let i = 0; i < positions.length; i += chunk) {
          buf.add(positions.slice(i, i + chunk).map((p) => line(p)));
        }
        const want = [...new Set(positions)].sort((a, b) => a - b);
        assert.deepEqual(
          buf.lines.map((l) => l.pos),
          want,
        );
      },
    ),
  );
});

test('parseLine reads a Line event and rejects anything else', () => {
  assert.deepEqual(parseLine('{"pos":3,"out":"hi\\n","time":2}'), { pos: 3, out: 'hi\n', time: 2 });
  assert.deepEqual(parseLine('{"pos":3,"out":"hi"}'), { pos: 3, out: 'hi', time: 0 });
  assert.equal(parseLine('eof'), undefined);
  assert.equal(parseLine('{"out":"x"}'), undefined);
  assert.equal(parseLine('null'), undefined);
});
