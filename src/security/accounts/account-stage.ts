/**
 * What a signed-in account still has to do before its session opens anything: change a password an
 * admin set (the admin knew it), then, for admin and auditor, enrol a second factor.
 */
import { TOTP_REQUIRED_ROLES } from './account-roles.js';
import type { AccountRow } from './account-store.js';
import type { SessionStage } from './sessions.js';

export function stageFor(account: Pick<AccountRow, 'must_change_password' | 'role' | 'totp_enabled'>): SessionStage {
  if (account.must_change_password) return 'password-change';
  if (TOTP_REQUIRED_ROLES.has(account.role) && !account.totp_enabled) return 'totp-enrolment';
  return 'full';
}
