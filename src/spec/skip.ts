// Skip directives in a commit message or pull-request title (drone/trigger/skip.go, drone-reference.md
// §3.6): they never apply to events that a person or a schedule started on purpose.

const NEVER_SKIPPED: ReadonlySet<string> = new Set(['tag', 'cron', 'custom', 'promote', 'rollback']);
const DIRECTIVES = ['[ci skip]', '[skip ci]', '***no_ci***'];

const hasDirective = (text: string): boolean => {
  const lower = text.toLowerCase();
  return DIRECTIVES.some((d) => lower.includes(d));
};

/** True when the build must not be created: `[ci skip]`, `[skip ci]` or `***no_ci***`, any case. */
export function skipDirective(event: string, message: string, title: string): boolean {
  if (NEVER_SKIPPED.has(event)) return false;
  return hasDirective(message) || hasDirective(title);
}
