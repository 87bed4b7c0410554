// The shell script of an exec step: `set -e`, then for each command a `+ command` trace line and the
// command, as Drone's runners generate it (drone-reference.md §4.3). The trace uses printf with a
// single-quoted argument so the command is printed literally (Drone's `echo` can mangle backslashes).
// spec/compile/script.ts keeps Drone's exact text (`execPosixScript`) for the golden tests; running
// steps use this one on purpose.

/** A POSIX shell script that traces and runs the commands, stopping at the first failure. */
export function posixScript(commands: readonly string[]): string {
  const lines = ['', 'set -e', ''];
  for (const command of commands) {
    lines.push(`printf '+ %s\\n' ${shellQuote(command)}`, command, '');
  }
  return lines.join('\n');
}

/** Quotes a string for a POSIX shell (single quotes; embedded quotes closed and escaped). */
export function shellQuote(s: string): string {
  return `'${s.replaceAll("'", "'\\''")}'`;
}
