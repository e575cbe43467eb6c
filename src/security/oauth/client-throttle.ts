/**
 * Slows down guessing at the token endpoint: failures are counted per client id and source address,
 * with the accounts' backoff (src/security/accounts/lockout.ts: 5 failures, then 1, 2, 4 ... minutes,
 * at most 1 h). Keyed by address too, so someone who knows the lab gateway's client id cannot lock
 * the gateway itself out by failing from elsewhere. Counted before the secret is checked, so a burst
 * of parallel guesses gets `threshold` argon2 verifications, not the whole burst. In memory: one API
 * process per database, and a restart forgets at most an hour of backoff.
 */
import { lockedUntilAfter, type LockoutPolicy } from '../accounts/lockout.js';
import { DEFAULT_ACCOUNTS_CONFIG } from '../accounts/accounts-config.js';

export const DEFAULT_CLIENT_LOCKOUT: LockoutPolicy = {
  lockoutThreshold: DEFAULT_ACCOUNTS_CONFIG.lockoutThreshold,
  lockoutBaseMs: DEFAULT_ACCOUNTS_CONFIG.lockoutBaseMs,
  lockoutCapMs: DEFAULT_ACCOUNTS_CONFIG.lockoutCapMs,
};

export type Claim = { allowed: true } | { allowed: false; lockedUntil: number };

export class ClientThrottle {
  private readonly failures = new Map<string, { count: number; lockedUntil: number | null }>();
  constructor(private readonly policy: LockoutPolicy = DEFAULT_CLIENT_LOCKOUT, private readonly maxEntries = 50_000) {}

  /** Counts one attempt (undone by `succeeded`); refused while locked. */
  claim(clientId: string, sourceIp: string, now: number): Claim {
    const key = `${clientId}\n${sourceIp}`;
    const entry = this.failures.get(key) ?? { count: 0, lockedUntil: null };
    if (entry.lockedUntil !== null && entry.lockedUntil > now) return { allowed: false, lockedUntil: entry.lockedUntil };
    entry.count += 1;
    entry.lockedUntil = lockedUntilAfter(entry.count, now, this.policy);
    this.failures.delete(key); // re-insert: Map order is then least recently tried first
    this.failures.set(key, entry);
    if (this.failures.size > this.maxEntries) this.failures.delete(this.failures.keys().next().value as string);
    return { allowed: true };
  }

  succeeded(clientId: string, sourceIp: string): void {
    this.failures.delete(`${clientId}\n${sourceIp}`);
  }
}
