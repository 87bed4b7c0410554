// Live, readable output of `hangar exec`: a header when a step starts, its log lines prefixed with
// the step name (several steps may run at once), a line when it ends, and a summary table.
// Colours only on a terminal (and never when NO_COLOR is set).

export interface StepSummary {
  name: string;
  status: string;
  exitCode: number;
  /** Milliseconds; 0 when the step never ran. */
  durationMs: number;
}

const COLORS = ['36', '35', '34', '33', '32', '96', '95', '94'];
const STATUS_COLOR: Record<string, string> = {
  success: '32',
  failure: '31',
  error: '31',
  killed: '33',
  skipped: '90',
};

/** Formats a duration the way people read them: 850ms, 4.2s, 1m05s. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  return `${m}m${String(Math.round(s - m * 60)).padStart(2, '0')}s`;
}

/** Writes exec progress to a stream. */
export class ExecOutput {
  private readonly colorOf = new Map<string, string>();
  private width = 0;

  constructor(
    private readonly write: (s: string) => void,
    private readonly color: boolean,
  ) {}

  private paint(code: string, s: string): string {
    return this.color ? `\x1b[${code}m${s}\x1b[0m` : s;
  }

  private stepColor(name: string): string {
    let c = this.colorOf.get(name);
    if (!c) {
      c = COLORS[this.colorOf.size % COLORS.length] ?? '36';
      this.colorOf.set(name, c);
    }
    return c;
  }

  /** Declares the step names up front so prefixes line up. */
  steps(names: string[]): void {
    this.width = Math.max(0, ...names.map((n) => n.length));
  }

  stepStart(name: string): void {
    this.write(`${this.paint('1', `[${name}]`)} ${this.paint('90', 'started')}\n`);
  }

  line(name: string, out: string): void {
    const text = out.endsWith('\n') ? out.slice(0, -1) : out;
    this.write(`${this.paint(this.stepColor(name), `[${name.padEnd(this.width)}]`)} ${text}\n`);
  }

  stepEnd(s: StepSummary): void {
    const code = s.status === 'success' || s.status === 'skipped' ? '' : ` (exit code ${s.exitCode})`;
    this.write(
      `${this.paint('1', `[${s.name}]`)} ${this.paint(STATUS_COLOR[s.status] ?? '0', s.status)}${code} in ${formatDuration(s.durationMs)}\n`,
    );
  }

  /** The closing table: step, status, duration. */
  summary(rows: StepSummary[], stageStatus: string, error?: string): void {
    const nameW = Math.max(4, ...rows.map((r) => r.name.length));
    const statW = Math.max(6, ...rows.map((r) => r.status.length));
    this.write(`\n${'STEP'.padEnd(nameW)}  ${'STATUS'.padEnd(statW)}  DURATION\n`);
    for (const r of rows) {
      const status = this.paint(STATUS_COLOR[r.status] ?? '0', r.status.padEnd(statW));
      const dur = r.status === 'skipped' ? '-' : formatDuration(r.durationMs);
      this.write(`${r.name.padEnd(nameW)}  ${status}  ${dur}\n`);
    }
    this.write(`\npipeline ${this.paint(STATUS_COLOR[stageStatus] ?? '0', stageStatus)}${error ? `: ${error}` : ''}\n`);
  }
}
