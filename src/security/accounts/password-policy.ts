/**
 * What a new password must be. Length over composition rules (NIST SP 800-63B): at least 10
 * characters, not built from the username, not one of the passwords attackers try first.
 * Returns the reason a person can act on, or null when the password is acceptable.
 */
import { COMMON_PASSWORDS } from './common-passwords.js';
import { MAX_PASSWORD_LENGTH } from './password-hash.js';

export const MIN_PASSWORD_LENGTH = 10;

export function passwordPolicyProblem(password: string, username: string): string | null {
  // Count characters, not UTF-16 units: a Devanagari passphrase is as long as it looks.
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) return `the password must have at least ${MIN_PASSWORD_LENGTH} characters`;
  if (length > MAX_PASSWORD_LENGTH) return `the password must have at most ${MAX_PASSWORD_LENGTH} characters`;
  const lower = password.toLowerCase();
  const name = username.toLowerCase();
  if (name.length >= 3 && lower.includes(name)) return 'the password must not contain the username';
  if (COMMON_PASSWORDS.has(lower)) return 'this password is too common; choose another';
  if (new Set(lower).size < 4) return 'the password must use more than a few different characters';
  return null;
}
