/**
 * Enrolling a TOTP authenticator: /totp/enroll makes a new secret, stores it sealed and returns it
 * once as an otpauth:// URI; /totp/confirm turns it on only when the person proves their app
 * produces the right code. An enrolled factor is not replaced from a session (a stolen session
 * would swap in the thief's phone): an admin resets it (admin-operations.ts), then enrol again.
 */
import { FhirError, badRequest, issue } from '../../fhir/outcome.js';
import type { AccountsContext } from './accounts-context.js';
import { stageFor } from './account-stage.js';
import { findAccountById } from './account-store.js';
import { notSignedIn } from './account-errors.js';
import type { SignedIn } from './login.js';
import { openSecret, sealSecret, totpBinding } from './secret-box.js';
import { createSession, revokeSession, type ActiveSession } from './sessions.js';
import { matchTotp, newTotpSecret, otpauthUri } from './totp.js';

const alreadyEnrolled = () => new FhirError(409, issue('conflict', 'a one-time code authenticator is already enrolled; an admin can reset it'));

export async function beginTotpEnrolment(ctx: AccountsContext, session: ActiveSession): Promise<{ otpauthUri: string }> {
  const { account } = session;
  const secret = newTotpSecret();
  const sealed = sealSecret(ctx.secretKey, secret, totpBinding(account.hospital_id, account.id));
  const rows = await ctx.db.query(
    `UPDATE user_account SET totp_secret = $3, totp_last_step = NULL, updated_at = $4
     WHERE hospital_id = $1 AND id = $2 AND NOT totp_enabled RETURNING id`,
    [ctx.hospitalId, account.id, sealed, new Date(ctx.config.now())]);
  if (rows.length === 0) throw alreadyEnrolled();
  return { otpauthUri: otpauthUri(secret, ctx.config.totpIssuer, account.username) };
}

/** Turns TOTP on. When that completes a forced enrolment, returns the new full session. */
export async function confirmTotpEnrolment(
  ctx: AccountsContext, session: ActiveSession, input: { code: string; userAgent?: string; sourceIp?: string },
): Promise<SignedIn | null> {
  return ctx.db.transaction(async (tx) => {
    const now = ctx.config.now();
    const account = await findAccountById(tx, ctx.hospitalId, session.account.id, true);
    if (!account || account.disabled_at) throw notSignedIn();
    if (account.totp_enabled) throw alreadyEnrolled();
    if (!account.totp_secret) throw new FhirError(409, issue('conflict', 'start with POST totp/enroll'));
    const secret = openSecret(ctx.secretKey, account.totp_secret, totpBinding(account.hospital_id, account.id));
    const step = matchTotp(secret, input.code, now, { window: ctx.config.totpWindow, lastUsedStep: null });
    if (step === null) throw badRequest('the code does not match: check that the phone shows the time correctly, and use the newest code', 'code');
    await tx.query('UPDATE user_account SET totp_enabled = true, totp_last_step = $3, updated_at = $4 WHERE hospital_id = $1 AND id = $2',
      [ctx.hospitalId, account.id, step, new Date(now)]);
    const updated = { ...account, totp_enabled: true, totp_last_step: step };
    const stage = stageFor(updated);
    if (stage === session.stage) return null;
    // Moving to a stronger stage is a privilege change: a new session id, the old one revoked.
    await revokeSession(tx, session.sessionHash, now);
    const created = await createSession(tx, { hospitalId: ctx.hospitalId, userId: account.id, stage, userAgent: input.userAgent, sourceIp: input.sourceIp }, ctx.config);
    return { ...created, stage, account: updated };
  });
}
