/**
 * Tunables of sign-in and sessions, with their defaults in one place. `now` is injectable so tests
 * can move time (lockout backoff, idle and absolute expiry) without sleeping.
 */
export interface AccountsConfig {
  /** Milliseconds since the epoch; every timestamp written by the accounts code comes from here. */
  now: () => number;
  /** A session unused this long is over (default 15 min: desks are shared, people walk away). */
  idleTimeoutMs: number;
  /** A session is over this long after sign-in whatever its use (default 12 h: one shift and a bit). */
  absoluteTimeoutMs: number;
  /** last_seen is written at most this often per session, so a busy desk is not a write per request. */
  touchIntervalMs: number;
  /** Set the cookie's Secure flag (and the __Host- name prefix). Turn on whenever HTTPS is in front. */
  secureCookie: boolean;
  /** Failures in a row before an account locks, the first lock, and the longest lock. */
  lockoutThreshold: number;
  lockoutBaseMs: number;
  lockoutCapMs: number;
  /** TOTP steps accepted either side of now (1 = ±30 s of clock drift between phone and server). */
  totpWindow: number;
  /** Shown as the issuer in authenticator apps. */
  totpIssuer: string;
}

export const DEFAULT_ACCOUNTS_CONFIG: AccountsConfig = {
  now: () => Date.now(),
  idleTimeoutMs: 15 * 60_000,
  absoluteTimeoutMs: 12 * 3_600_000,
  touchIntervalMs: 60_000,
  secureCookie: false,
  lockoutThreshold: 5,
  lockoutBaseMs: 60_000,
  lockoutCapMs: 3_600_000,
  totpWindow: 1,
  totpIssuer: 'Nirantar',
};

export function accountsConfig(overrides: Partial<AccountsConfig> = {}): AccountsConfig {
  const config = { ...DEFAULT_ACCOUNTS_CONFIG, ...overrides };
  if (config.idleTimeoutMs <= 0 || config.absoluteTimeoutMs <= 0) throw new Error('session timeouts must be positive');
  if (config.lockoutThreshold < 1) throw new Error('lockoutThreshold must be at least 1');
  return config;
}
