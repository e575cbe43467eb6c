/**
 * Counting attempts against an account's password (sign-in, and changing one's own password).
 * The attempt is counted and the lock decided in one short transaction *before* the ~70 ms hash,
 * so parallel guesses cannot slip past the threshold, and no row lock is held while hashing.
 */
import type { AccountsContext } from './accounts-context.js';
import { findAccountByUsername, normalizeUsername, type AccountRow } from './account-store.js';
import { TooManyAttempts } from './account-errors.js';
import { lockedUntilAfter, retryAfterSeconds } from './lockout.js';

/**
 * The account, after counting one attempt against it; undefined when no such username (counted in
 * memory instead). Throws TooManyAttempts while locked, for real and made-up usernames alike.
 */
export async function claimSignInAttempt(ctx: AccountsContext, username: string): Promise<AccountRow | undefined> {
  const name = normalizeUsername(username);
  const now = ctx.config.now();
  const account = await ctx.db.transaction(async (tx) => {
    const row = await findAccountByUsername(tx, ctx.hospitalId, name, true);
    if (!row) return undefined;
    if (row.locked_until && row.locked_until.getTime() > now) throw new TooManyAttempts(retryAfterSeconds(row.locked_until.getTime(), now));
    const attempts = row.failed_attempts + 1;
    const lockedUntil = lockedUntilAfter(attempts, now, ctx.config);
    await tx.query('UPDATE user_account SET failed_attempts = $3, locked_until = $4 WHERE hospital_id = $1 AND id = $2',
      [ctx.hospitalId, row.id, attempts, lockedUntil === null ? null : new Date(lockedUntil)]);
    return row;
  });
  if (!account) {
    const claim = ctx.unknownUsernames.claim(`${ctx.hospitalId}\n${name}`, now);
    if (!claim.allowed) throw new TooManyAttempts(retryAfterSeconds(claim.lockedUntil, now));
  }
  return account;
}
