// A user's SCM OAuth tokens at rest: sealed with the server's secret box (AES-256-GCM) and stored
// as `enc:` + base64, so a leaked database holds no usable SCM token. A value without the prefix
// is taken as it is: tokens written before encryption (or by an admin's tooling) keep working.
import type { SecretBox } from '../secrets/box.js';
import type { User } from '../store/models.js';

const PREFIX = 'enc:';

/** The stored form of an SCM token ('' stays ''). */
export function sealOAuthToken(box: SecretBox, plain: string): string {
  return plain === '' ? '' : `${PREFIX}${box.seal(plain).toString('base64')}`;
}

/** The token a stored value holds; '' when it cannot be opened (wrong key), never an exception. */
export function openOAuthToken(box: SecretBox, stored: string): string {
  if (!stored.startsWith(PREFIX)) return stored;
  try {
    return box.open(Buffer.from(stored.slice(PREFIX.length), 'base64')).toString('utf8');
  } catch {
    return '';
  }
}

/** The user with `oauth_token` and `oauth_refresh` opened, for code that calls the SCM. */
export function withOpenOAuth<U extends Pick<User, 'oauth_token' | 'oauth_refresh'>>(
  box: SecretBox,
  user: U,
): U {
  return {
    ...user,
    oauth_token: openOAuthToken(box, user.oauth_token),
    oauth_refresh: openOAuthToken(box, user.oauth_refresh),
  };
}
