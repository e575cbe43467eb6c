/**
 * The roles an account can have: one per hospital desk, plus admin, auditor and device. What each
 * role may do is the permission table's business (issue 3, part 2); this file only names them.
 */
export const ACCOUNT_ROLES = [
  'registration-clerk',
  'appointment-desk',
  'doctor',
  'nurse',
  'ward-clerk',
  'lab-technician',
  'pathologist',
  'billing-clerk',
  'admin',
  'auditor',
  'device',
] as const;

export type AccountRole = (typeof ACCOUNT_ROLES)[number];

export function isAccountRole(value: unknown): value is AccountRole {
  return typeof value === 'string' && (ACCOUNT_ROLES as readonly string[]).includes(value);
}

/**
 * Roles whose sign-in needs a second factor: an admin can create accounts and an auditor can read
 * the whole trail, so a stolen password alone must not be enough for either.
 */
export const TOTP_REQUIRED_ROLES: ReadonlySet<AccountRole> = new Set<AccountRole>(['admin', 'auditor']);
