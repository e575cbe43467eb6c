/**
 * Reading accounts. The row type holds the secrets (hash, sealed TOTP secret) and never leaves the
 * accounts code; what goes to a client is `publicAccount`, which lists its fields one by one so a
 * column added later is not sent by accident.
 */
import type { Queryable } from '../../store/database.js';
import type { AccountRole } from './account-roles.js';

export interface AccountRow {
  hospital_id: string;
  id: string;
  username: string;
  display_name: string;
  role: AccountRole;
  department: string | null;
  ward: string | null;
  practitioner_ref: string | null;
  password_hash: string;
  must_change_password: boolean;
  totp_secret: string | null;
  totp_enabled: boolean;
  totp_last_step: number | null;
  failed_attempts: number;
  locked_until: Date | null;
  disabled_at: Date | null;
  last_login_at: Date | null;
  created_at: Date;
}

export interface PublicAccount {
  id: string;
  username: string;
  displayName: string;
  role: AccountRole;
  department: string | null;
  ward: string | null;
  practitioner: string | null;
  totpEnabled: boolean;
  mustChangePassword: boolean;
  disabled: boolean;
  lastLoginAt: string | null;
}

export function publicAccount(row: AccountRow): PublicAccount {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    role: row.role,
    department: row.department,
    ward: row.ward,
    practitioner: row.practitioner_ref,
    totpEnabled: row.totp_enabled,
    mustChangePassword: row.must_change_password,
    disabled: row.disabled_at !== null,
    lastLoginAt: row.last_login_at ? row.last_login_at.toISOString() : null,
  };
}

/** `forUpdate` locks the row until the surrounding transaction ends (use it inside `transaction`). */
export async function findAccountById(db: Queryable, hospitalId: string, id: string, forUpdate = false): Promise<AccountRow | undefined> {
  if (!isUuid(id)) return undefined;
  const rows = await db.query<AccountRow>(
    `SELECT * FROM user_account WHERE hospital_id = $1 AND id = $2${forUpdate ? ' FOR UPDATE' : ''}`, [hospitalId, id]);
  return rows[0];
}

export async function findAccountByUsername(db: Queryable, hospitalId: string, username: string, forUpdate = false): Promise<AccountRow | undefined> {
  const rows = await db.query<AccountRow>(
    `SELECT * FROM user_account WHERE hospital_id = $1 AND username = $2${forUpdate ? ' FOR UPDATE' : ''}`,
    [hospitalId, normalizeUsername(username)]);
  return rows[0];
}

export async function listAccounts(db: Queryable, hospitalId: string): Promise<AccountRow[]> {
  return db.query<AccountRow>('SELECT * FROM user_account WHERE hospital_id = $1 ORDER BY username', [hospitalId]);
}

/** Usernames are compared in lower case: 'Asha' and 'asha' are one person. */
export function normalizeUsername(username: string): string {
  return username.trim().toLowerCase();
}

export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{1,62}$/;

export function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}
