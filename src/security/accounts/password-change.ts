/**
 * Changing one's own password: it needs the current one (a session left open on a desk must not be
 * enough to take the account over), counted like a sign-in attempt. Afterwards every other session
 * of the account ends and this one is replaced by a new id at the next stage.
 */
import { badRequest } from '../../fhir/outcome.js';
import type { AccountsContext } from './accounts-context.js';
import { stageFor } from './account-stage.js';
import { findAccountById } from './account-store.js';
import { signInRefused } from './account-errors.js';
import { hashPassword, verifyPassword } from './password-hash.js';
import { passwordPolicyProblem } from './password-policy.js';
import { createSession, revokeAccountSessions, type ActiveSession } from './sessions.js';
import { claimSignInAttempt } from './sign-in-attempts.js';
import type { SignedIn } from './login.js';

export async function changeOwnPassword(
  ctx: AccountsContext, session: ActiveSession, input: { currentPassword: string; newPassword: string; userAgent?: string; sourceIp?: string },
): Promise<SignedIn> {
  const username = session.account.username;
  const problem = passwordPolicyProblem(input.newPassword, username);
  if (problem) throw badRequest(problem, 'newPassword');
  if (input.newPassword === input.currentPassword) throw badRequest('the new password must differ from the current one', 'newPassword');
  const account = await claimSignInAttempt(ctx, username);
  if (!account || !(await verifyPassword(account.password_hash, input.currentPassword))) {
    throw badRequest('the current password is not correct', 'currentPassword');
  }
  const newHash = await hashPassword(input.newPassword);

  return ctx.db.transaction(async (tx) => {
    const now = ctx.config.now();
    const current = await findAccountById(tx, ctx.hospitalId, account.id, true);
    if (!current || current.password_hash !== account.password_hash || current.disabled_at) throw signInRefused();
    await tx.query(
      `UPDATE user_account SET password_hash = $3, must_change_password = false, failed_attempts = 0, locked_until = NULL, updated_at = $4
       WHERE hospital_id = $1 AND id = $2`, [ctx.hospitalId, account.id, newHash, new Date(now)]);
    await revokeAccountSessions(tx, ctx.hospitalId, account.id, now);
    const updated = { ...current, password_hash: newHash, must_change_password: false };
    const stage = stageFor(updated);
    const created = await createSession(tx, { hospitalId: ctx.hospitalId, userId: account.id, stage, userAgent: input.userAgent, sourceIp: input.sourceIp }, ctx.config);
    return { ...created, stage, account: updated };
  });
}
