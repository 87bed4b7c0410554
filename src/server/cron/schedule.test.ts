import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CronExprError,
  nextRunSeconds,
  parseGoDuration,
  parseSchedule,
  slugifyCronName,
} from './schedule.js';

const at = (iso: string) => new Date(iso);
const next = (expr: string, from: string) => parseSchedule(expr).next(at(from))?.toISOString();

test('5 fields are crontab: minute first', () => {
  assert.equal(next('0 0 * * *', '2024-01-01T10:30:00Z'), '2024-01-02T00:00:00.000Z');
  assert.equal(next('*/5 * * * *', '2024-01-01T10:31:00Z'), '2024-01-01T10:35:00.000Z');
  assert.equal(next('30 2 * * 1', '2024-01-01T10:30:00Z'), '2024-01-08T02:30:00.000Z');
});

test("6 fields are Drone's: seconds first", () => {
  assert.equal(next('0 0 * * * *', '2024-01-01T10:30:00Z'), '2024-01-01T11:00:00.000Z');
  assert.equal(next('0 15 3 * * *', '2024-01-01T10:30:00Z'), '2024-01-02T03:15:00.000Z');
});

test('descriptors', () => {
  assert.equal(next('@hourly', '2024-01-01T10:30:00Z'), '2024-01-01T11:00:00.000Z');
  assert.equal(next('@daily', '2024-01-01T10:30:00Z'), '2024-01-02T00:00:00.000Z');
  assert.equal(next('@midnight', '2024-01-01T10:30:00Z'), '2024-01-02T00:00:00.000Z');
  // 2024-01-07 is a Sunday.
  assert.equal(next('@weekly', '2024-01-01T10:30:00Z'), '2024-01-07T00:00:00.000Z');
  assert.equal(next('@monthly', '2024-01-01T10:30:00Z'), '2024-02-01T00:00:00.000Z');
  assert.equal(next('@yearly', '2024-01-01T10:30:00Z'), '2025-01-01T00:00:00.000Z');
  assert.equal(next('@every 1h30m', '2024-01-01T10:30:00Z'), '2024-01-01T12:00:00.000Z');
  assert.equal(next('@every 10ms', '2024-01-01T10:30:00Z'), '2024-01-01T10:30:01.000Z');
});

test('next is strictly after the given time', () => {
  assert.equal(next('0 0 * * *', '2024-01-02T00:00:00Z'), '2024-01-03T00:00:00.000Z');
});

test('bad expressions are CronExprError with a reason', () => {
  for (const bad of [
    '',
    '* * * *',
    '* * * * * * *',
    '61 * * * *',
    '@fortnightly',
    '@every',
    '@every 5x',
    'a b c d e',
    '0 0 30 2 *',
  ]) {
    assert.throws(() => parseSchedule(bad), CronExprError, bad);
  }
  assert.throws(() => parseSchedule('* * * *'), /4 fields/);
  assert.throws(() => parseSchedule('0 0 30 2 *'), /never/);
});

test('nextRunSeconds in unix seconds', () => {
  assert.equal(
    nextRunSeconds('@hourly', at('2024-01-01T10:30:00Z')),
    Date.parse('2024-01-01T11:00:00Z') / 1000,
  );
});

test('Go durations', () => {
  assert.equal(parseGoDuration('1h30m'), 5_400_000);
  assert.equal(parseGoDuration('1.5h'), 5_400_000);
  assert.equal(parseGoDuration('90s'), 90_000);
  assert.equal(parseGoDuration('1d'), undefined);
  assert.equal(parseGoDuration(''), undefined);
});

test('cron names are slugified as Drone does', () => {
  assert.equal(slugifyCronName('Nightly Build'), 'nightly-build');
  assert.equal(slugifyCronName('  weird///name!! '), 'weird-name');
  assert.equal(slugifyCronName('café'), 'cafe');
  assert.equal(slugifyCronName('!!!'), '');
});
