// Who may sign in through the SCM (Drone's admission services): closed registration and the user
// filter only hold back new accounts — an existing user is always admitted, as in Drone — and
// machine or deactivated accounts never get a browser session.
import type { LoginSettings } from '../config.js';
import type { User } from '../store/models.js';

/** Drone's messages, shown on the sign-in page. */
export const admissionMessages = {
  closed: 'User registration is disabled',
  membership: 'User must be a member of an approved organization',
  machine: 'Machine account login is forbidden',
  inactive: 'Account is not active',
} as const;

/**
 * Why `login` may not sign in, or undefined when it may. `orgs` lists the account's organisations
 * (lower case); it is only asked for a new account that the filter does not name itself.
 */
export async function admissionRefusal(
  settings: Pick<LoginSettings, 'registrationClosed' | 'userFilter'>,
  login: string,
  existing: Pick<User, 'machine' | 'active'> | undefined,
  orgs: () => Promise<string[]>,
): Promise<string | undefined> {
  if (existing) {
    if (existing.machine) return admissionMessages.machine;
    if (!existing.active) return admissionMessages.inactive;
    return undefined;
  }
  if (settings.registrationClosed) return admissionMessages.closed;
  if (settings.userFilter.length === 0) return undefined;
  const allowed = new Set(settings.userFilter.map((s) => s.toLowerCase()));
  if (allowed.has(login.toLowerCase())) return undefined;
  const mine = await orgs();
  return mine.some((o) => allowed.has(o.toLowerCase())) ? undefined : admissionMessages.membership;
}
