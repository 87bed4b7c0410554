// The runner's log: pino's calling convention (fields first, then the message), so a pino logger
// (the server's, for the embedded runner) can be passed as is.

export interface RunnerLogger {
  debug(fields: object, msg: string): void;
  info(fields: object, msg: string): void;
  warn(fields: object, msg: string): void;
  error(fields: object, msg: string): void;
}

/** A logger that drops everything. */
export const silentLogger: RunnerLogger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};

/** A short, secret-free description of an error for a log line. */
export function errorText(e: unknown): string {
  if (e instanceof Error) return e.message || e.name;
  return String(e);
}
