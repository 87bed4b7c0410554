import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ansiSpans, paletteColor, plainText, splitLinks, visibleText } from './ansi.js';

test('plain lines are one span without the trailing newline', () => {
  assert.deepEqual(ansiSpans('hello world\n'), [{ text: 'hello world' }]);
  assert.deepEqual(ansiSpans('\n'), []);
});

test('basic colours map to theme variables; bold and underline are kept', () => {
  const spans = ansiSpans('\x1b[1;31mFAIL\x1b[0m ok \x1b[4;42mbg\x1b[0m\n');
  assert.deepEqual(spans, [
    { text: 'FAIL', fg: 'var(--ansi-red)', bold: true },
    { text: ' ok ' },
    { text: 'bg', bg: 'var(--ansi-green)', underline: true },
  ]);
});

test('256-colour and true colours become rgb()', () => {
  const [a, b] = ansiSpans('\x1b[38;5;208mx\x1b[38;2;10;20;30my\x1b[0m');
  assert.deepEqual(a, { text: 'x', fg: 'rgb(255, 135, 0)' });
  assert.deepEqual(b, { text: 'y', fg: 'rgb(10, 20, 30)' });
  assert.equal(paletteColor(1), 'var(--ansi-red)');
  assert.equal(paletteColor(9), 'var(--ansi-bright-red)');
  assert.equal(paletteColor(16), 'rgb(0, 0, 0)');
  assert.equal(paletteColor(231), 'rgb(255, 255, 255)');
  assert.equal(paletteColor(244), 'rgb(128, 128, 128)');
});

test('markup in a log stays text', () => {
  const spans = ansiSpans('<script>alert(1)</script> &amp;\n');
  assert.deepEqual(spans, [{ text: '<script>alert(1)</script> &amp;' }]);
});

test('carriage returns show what a terminal would: the last redraw', () => {
  assert.equal(visibleText('10%\r50%\r100%\n'), '100%');
  assert.equal(visibleText('done\r\n'), 'done');
  assert.equal(visibleText('progress\r'), 'progress');
  assert.equal(plainText('\x1b[32m 5%\x1b[0m\r\x1b[32m99%\x1b[0m\n'), '99%');
});

test('http(s) links are split out; trailing punctuation is not part of them', () => {
  assert.deepEqual(splitLinks('see https://example.com/a?b=1. then'), [
    { text: 'see ' },
    { text: 'https://example.com/a?b=1', href: 'https://example.com/a?b=1' },
    { text: '. then' },
  ]);
  assert.deepEqual(splitLinks('javascript:alert(1) ftp://x'), [{ text: 'javascript:alert(1) ftp://x' }]);
  const spans = ansiSpans('\x1b[36mhttp://a.test/x\x1b[0m');
  assert.deepEqual(spans, [{ text: 'http://a.test/x', fg: 'var(--ansi-cyan)', href: 'http://a.test/x' }]);
});
