/**
 * What an admin does to accounts. Two rules hold here, not only in the routes: nobody acts on their
 * own account through these (no raising one's own role, no re-enabling oneself, no resetting one's
 * own password without knowing it), and every change that alters what an account may do ends its
 * sessions, so the change takes effect now rather than at the next sign-in. Since the actor is an
 * enabled admin and never the target, these operations can never leave the hospital without one.
 */
import { randomUUID } from 'node:crypto';
import { FhirError, badRequest, issue, notFound } from '../../fhir/outcome.js';
import type { Queryable } from '../../store/database.js';
import type { AccountsContext } from './accounts-context.js';
import type { AccountRole } from './account-roles.js';
import { findAccountById, isUuid, type AccountRow } from './account-store.js';
import { forbidden } from './account-errors.js';
import { hashPassword } from './password-hash.js';
import { passwordPolicyProblem } from './password-policy.js';
import { revokeAccountSessions } from './sessions.js';

export interface NewAccount {
  username: string;
  displayName: string;
  role: AccountRole;
  password: string;
  department?: string;
  ward?: string;
  practitioner?: string;
}

/** Creates an account whose password must be changed at first sign-in (the admin knows it). */
export async function createAccount(ctx: AccountsContext, input: NewAccount, tx: Queryable = ctx.db): Promise<AccountRow> {
  const problem = passwordPolicyProblem(input.password, input.username);
  if (problem) throw badRequest(problem, 'password');
  const passwordHash = await hashPassword(input.password);
  const now = new Date(ctx.config.now());
  try {
    const [row] = await tx.query<AccountRow>(
      `INSERT INTO user_account (hospital_id, id, username, display_name, role, department, ward, practitioner_ref,
         password_hash, must_change_password, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, true, $10, $10) RETURNING *`,
      [ctx.hospitalId, randomUUID(), input.username, input.displayName, input.role, input.department ?? null,
        input.ward ?? null, input.practitioner ?? null, passwordHash, now]);
    return row;
  } catch (err) {
    if ((err as { code?: string }).code === '23505') throw new FhirError(409, issue('duplicate', `the username ${input.username} is taken`, 'username'));
    throw err;
  }
}

export async function resetPassword(ctx: AccountsContext, actorId: string, targetId: string, password: string): Promise<AccountRow> {
  if (actorId === targetId) throw forbidden('change your own password with POST password (it needs the current one)');
  const target = await findAccountById(ctx.db, ctx.hospitalId, targetId);
  if (!target) throw notFound(`no account ${targetId}`);
  const problem = passwordPolicyProblem(password, target.username);
  if (problem) throw badRequest(problem, 'password');
  const passwordHash = await hashPassword(password);
  // Unlocks too: a person locked out by an attacker's guesses gets back in with the new password.
  return onTarget(ctx, targetId, 'password_hash = $3, must_change_password = true, failed_attempts = 0, locked_until = NULL', [passwordHash]);
}

export function setDisabled(ctx: AccountsContext, actorId: string, targetId: string, disabled: boolean): Promise<AccountRow> {
  if (actorId === targetId) throw forbidden('nobody disables or re-enables their own account');
  return disabled
    ? onTarget(ctx, targetId, 'disabled_at = COALESCE(disabled_at, $3)', [new Date(ctx.config.now())])
    : onTarget(ctx, targetId, 'disabled_at = NULL, failed_attempts = 0, locked_until = NULL', []);
}

export function changeRole(ctx: AccountsContext, actorId: string, targetId: string, role: AccountRole): Promise<AccountRow> {
  if (actorId === targetId) throw forbidden('nobody changes their own role');
  return onTarget(ctx, targetId, 'role = $3', [role]);
}

/** For a lost phone: the account enrols again at its next sign-in (admin, auditor) or when it chooses. */
export function resetTotp(ctx: AccountsContext, actorId: string, targetId: string): Promise<AccountRow> {
  if (actorId === targetId) throw forbidden('nobody resets their own second factor');
  return onTarget(ctx, targetId, 'totp_secret = NULL, totp_enabled = false, totp_last_step = NULL', []);
}

/** One UPDATE of the target and the end of its sessions, in one transaction. */
async function onTarget(ctx: AccountsContext, targetId: string, assignments: string, params: unknown[]): Promise<AccountRow> {
  if (!isUuid(targetId)) throw notFound(`no account ${targetId}`);
  return ctx.db.transaction(async (tx) => {
    const now = ctx.config.now();
    const [row] = await tx.query<AccountRow>(
      `UPDATE user_account SET ${assignments}, updated_at = $${params.length + 3} WHERE hospital_id = $1 AND id = $2 RETURNING *`,
      [ctx.hospitalId, targetId, ...params, new Date(now)]);
    if (!row) throw notFound(`no account ${targetId}`);
    await revokeAccountSessions(tx, ctx.hospitalId, targetId, now);
    return row;
  });
}
