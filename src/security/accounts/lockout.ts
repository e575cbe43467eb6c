/**
 * Lockout with exponential backoff. Every sign-in attempt is counted *before* the password is
 * checked (see login.ts): an attacker sending 100 guesses at once gets `threshold` of them hashed,
 * not 100. The counter resets on success.
 *
 * With the defaults: failures 1-4 nothing; the 5th attempt in a row locks for 1 min, the 6th for
 * 2 min, the 7th for 4 min ... never more than 1 h.
 */
import type { AccountsConfig } from './accounts-config.js';

export type LockoutPolicy = Pick<AccountsConfig, 'lockoutThreshold' | 'lockoutBaseMs' | 'lockoutCapMs'>;

/** When the account is locked until after its `attempts`-th attempt in a row (null: not locked). */
export function lockedUntilAfter(attempts: number, now: number, policy: LockoutPolicy): number | null {
  if (attempts < policy.lockoutThreshold) return null;
  const doublings = Math.min(attempts - policy.lockoutThreshold, 30);
  return now + Math.min(policy.lockoutBaseMs * 2 ** doublings, policy.lockoutCapMs);
}

/** Whole seconds to wait, rounded up, for the Retry-After header. */
export function retryAfterSeconds(lockedUntil: number, now: number): number {
  return Math.max(1, Math.ceil((lockedUntil - now) / 1000));
}

export type AttemptClaim = { allowed: true } | { allowed: false; lockedUntil: number };

/**
 * The same counting for usernames that do not exist, kept in memory. Without it, five wrong
 * passwords for a real user end in "locked" and for a made-up one never do: the lock itself
 * would tell which usernames are real. Bounded; the oldest names are forgotten first.
 */
export class UnknownUsernameThrottle {
  private readonly attempts = new Map<string, { count: number; lockedUntil: number | null }>();
  constructor(private readonly policy: LockoutPolicy, private readonly maxEntries = 50_000) {}

  claim(key: string, now: number): AttemptClaim {
    const entry = this.attempts.get(key) ?? { count: 0, lockedUntil: null };
    if (entry.lockedUntil !== null && entry.lockedUntil > now) return { allowed: false, lockedUntil: entry.lockedUntil };
    entry.count += 1;
    entry.lockedUntil = lockedUntilAfter(entry.count, now, this.policy);
    this.attempts.delete(key); // re-insert: Map order is then least recently tried first
    this.attempts.set(key, entry);
    if (this.attempts.size > this.maxEntries) this.attempts.delete(this.attempts.keys().next().value as string);
    return { allowed: true };
  }
}
