// Cron expressions and their next run time. Drone parses with robfig/cron v1 (seconds first);
// Hangar accepts:
//   - 6 fields, Drone's form: `sec min hour day-of-month month day-of-week` (`0 0 2 * * *`);
//   - 5 fields, the crontab form everyone else uses: `min hour day-of-month month day-of-week`.
//     Drone would read these as seconds-first without a weekday (`0 0 * * *` hourly), a well-known
//     surprise (drone-reference.md §8.9); Hangar reads them as crontab does (`0 0 * * *` daily);
//   - descriptors: @yearly/@annually, @monthly, @weekly, @daily/@midnight, @hourly, and
//     `@every <duration>` with a Go duration (`1h30m`, at least 1s), as robfig does.
// Times are UTC. croner computes the calendar schedules; nothing here owns a timer.
import { Cron } from 'croner';

/** An expression that is not a valid schedule; the message says why. */
export class CronExprError extends Error {
  override name = 'CronExprError';
}

/** A parsed schedule. */
export interface Schedule {
  /** The normalised expression (6 fields, or `@every <seconds>s`). */
  readonly pattern: string;
  /** The first run strictly after `from`, or undefined if it never runs again. */
  next(from: Date): Date | undefined;
}

const descriptors: Record<string, string> = {
  '@yearly': '0 0 0 1 1 *',
  '@annually': '0 0 0 1 1 *',
  '@monthly': '0 0 0 1 * *',
  '@weekly': '0 0 0 * * 0',
  '@daily': '0 0 0 * * *',
  '@midnight': '0 0 0 * * *',
  '@hourly': '0 0 * * * *',
};

const units: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Milliseconds of a Go duration (`1h30m`, `90s`, `1.5h`); undefined when malformed. */
export function parseGoDuration(text: string): number | undefined {
  if (!/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(text)) return undefined;
  let ms = 0;
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) {
    ms += Number(m[1]) * (units[m[2] as string] as number);
  }
  return Number.isFinite(ms) ? ms : undefined;
}

/** Parses an expression; throws CronExprError with a clear message. */
export function parseSchedule(expr: string): Schedule {
  const text = expr.trim().replace(/\s+/g, ' ');
  if (text === '') throw new CronExprError('empty cron expression');
  if (text.length > 200) throw new CronExprError('cron expression is too long');
  if (text.startsWith('@every ')) return everySchedule(text.slice(7));
  if (text.startsWith('@')) {
    const pattern = descriptors[text.toLowerCase()];
    if (!pattern) {
      throw new CronExprError(
        `unknown descriptor "${text}" (use @yearly, @monthly, @weekly, @daily, @hourly or @every <duration>)`,
      );
    }
    return calendar(pattern);
  }
  const fields = text.split(' ');
  if (fields.length === 5) return calendar(`0 ${text}`);
  if (fields.length === 6) return calendar(text);
  throw new CronExprError(
    `cron expression "${text}" has ${fields.length} fields; use 5 (min hour day month weekday), 6 (sec min hour day month weekday) or a descriptor such as @daily`,
  );
}

/** The next run of `expr` after `from`, in unix seconds (0 when it never runs again). */
export function nextRunSeconds(expr: string, from: Date): number {
  const next = parseSchedule(expr).next(from);
  return next ? Math.floor(next.getTime() / 1000) : 0;
}

function calendar(pattern: string): Schedule {
  let cron: Cron;
  try {
    cron = new Cron(pattern, { paused: true, timezone: 'UTC' });
  } catch (err) {
    throw new CronExprError(
      `invalid cron expression: ${(err as Error).message.replace(/^CronPattern: /, '')}`,
    );
  }
  // A valid pattern that can never match (30 February).
  if (!cron.nextRun(new Date(0))) throw new CronExprError('cron expression never matches a date');
  return {
    pattern,
    next(from) {
      return cron.nextRun(from) ?? undefined;
    },
  };
}

function everySchedule(durationText: string): Schedule {
  const ms = parseGoDuration(durationText.trim());
  if (ms === undefined) throw new CronExprError(`invalid duration "${durationText}" in @every (e.g. 1h30m)`);
  // robfig: at least one second, whole seconds only.
  const seconds = Math.max(1, Math.floor(ms / 1000));
  if (seconds > 366 * 24 * 3600) throw new CronExprError('@every duration is longer than a year');
  return {
    pattern: `@every ${seconds}s`,
    next(from) {
      return new Date(Math.floor(from.getTime() / 1000) * 1000 + seconds * 1000);
    },
  };
}

/** Drone's cron names: slugified (gosimple/slug: lower case, runs of other characters → `-`). */
export function slugifyCronName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '');
}
