/**
 * PostgreSQL advisory lock keys used by Nirantar, in one place so two modules never pick the same
 * key by accident. The two-int form keeps Nirantar's keys in their own namespace: the first int is
 * 'NIRA' in ASCII, the second names the critical section. Keys are per database, which is what we
 * want: several test databases on one cluster do not wait for each other.
 */
export const ADVISORY_LOCK_NAMESPACE = 0x4e495241;

export const AdvisoryLock = {
  /** Held while one schema migration is checked and applied. */
  migrate: 1,
  /** Held while the application role is created or reset. */
  appRole: 2,
} as const;

export type AdvisoryLockKey = (typeof AdvisoryLock)[keyof typeof AdvisoryLock];

/** SQL that takes the transaction-scoped lock; pass `advisoryLockParams(key)` as its parameters. */
export const ADVISORY_XACT_LOCK_SQL = 'SELECT pg_advisory_xact_lock($1::int4, $2::int4)';

export function advisoryLockParams(key: AdvisoryLockKey): [number, number] {
  return [ADVISORY_LOCK_NAMESPACE, key];
}
