/**
 * Sign-in: username, password and (when enrolled) a TOTP code, in that order, each failure counted
 * against the account (sign-in-attempts.ts) and all answered with the same refusal. Success resets
 * the count, records the TOTP step used, and opens a new session (a session the browser already
 * had is revoked: the id always changes at sign-in, so a planted id is useless).
 */
import type { AccountsContext } from './accounts-context.js';
import { stageFor } from './account-stage.js';
import { findAccountById, type AccountRow } from './account-store.js';
import { signInRefused } from './account-errors.js';
import { MAX_PASSWORD_LENGTH, hashPassword, needsRehash, verifyAgainstDummy, verifyPassword } from './password-hash.js';
import { openSecret, totpBinding } from './secret-box.js';
import { createSession, revokeSession, type SessionStage } from './sessions.js';
import { claimSignInAttempt } from './sign-in-attempts.js';
import { matchTotp } from './totp.js';

export interface SignInRequest {
  username: string;
  password: string;
  totp?: string;
  userAgent?: string;
  sourceIp?: string;
  /** Hash of a session cookie the browser sent along, to be revoked. */
  previousSessionHash?: string;
}

export interface SignedIn {
  sessionId: string;
  expiresAt: Date;
  stage: SessionStage;
  account: AccountRow;
}

/** Throws signInRefused (401) or TooManyAttempts (429); nothing else tells failures apart. */
export async function signIn(ctx: AccountsContext, request: SignInRequest): Promise<SignedIn> {
  const account = await claimSignInAttempt(ctx, request.username);
  // Counted in characters, as the policy counts them; no such password can exist, so no hash is spent on it.
  if ([...request.password].length > MAX_PASSWORD_LENGTH) throw signInRefused();
  if (!account) {
    await verifyAgainstDummy(request.password); // the same ~70 ms as a real account
    throw signInRefused();
  }
  const passwordOk = await verifyPassword(account.password_hash, request.password);
  if (!passwordOk || account.disabled_at) throw signInRefused();
  const totpStep = account.totp_enabled ? checkTotp(ctx, account, request.totp) : null;
  // Hashing again (when today's parameters are stronger) happens before the transaction, not inside it.
  const upgradedHash = needsRehash(account.password_hash) ? await hashPassword(request.password) : null;

  return ctx.db.transaction(async (tx) => {
    const now = ctx.config.now();
    const current = await findAccountById(tx, ctx.hospitalId, account.id, true);
    // Changed while we were hashing (password reset, disabled, code used by a parallel sign-in): refuse.
    if (!current || current.password_hash !== account.password_hash || current.disabled_at) throw signInRefused();
    if (totpStep !== null && current.totp_last_step !== null && totpStep <= current.totp_last_step) throw signInRefused();
    await tx.query(
      `UPDATE user_account SET failed_attempts = 0, locked_until = NULL, last_login_at = $3,
         totp_last_step = COALESCE($4, totp_last_step), password_hash = COALESCE($5, password_hash)
       WHERE hospital_id = $1 AND id = $2`,
      [ctx.hospitalId, account.id, new Date(now), totpStep, upgradedHash],
    );
    if (request.previousSessionHash) await revokeSession(tx, request.previousSessionHash, now);
    const stage = stageFor(current);
    const session = await createSession(tx, { hospitalId: ctx.hospitalId, userId: account.id, stage, userAgent: request.userAgent, sourceIp: request.sourceIp }, ctx.config);
    return { ...session, stage, account: { ...current, last_login_at: new Date(now) } };
  });
}

/** The TOTP step the code belongs to; refuses a missing, wrong or already used code. */
function checkTotp(ctx: AccountsContext, account: AccountRow, code: string | undefined): number {
  if (!code || !account.totp_secret) throw signInRefused();
  const secret = openSecret(ctx.secretKey, account.totp_secret, totpBinding(account.hospital_id, account.id));
  const step = matchTotp(secret, code, ctx.config.now(), { window: ctx.config.totpWindow, lastUsedStep: account.totp_last_step });
  if (step === null) throw signInRefused();
  return step;
}
