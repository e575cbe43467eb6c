/**
 * Browser sessions. The cookie carries 256 random bits; the table keeps only their SHA-256, so
 * neither a database copy nor a log line of the table gives anyone a working session, and a
 * tampered cookie is simply a hash that is not there.
 *
 * A session ends when revoked, when unused for `idleTimeoutMs`, or `absoluteTimeoutMs` after sign-in.
 * last_seen is written at most once per `touchIntervalMs`, so the idle clock may run up to that
 * much early: a desk busy for hours costs one small write a minute, not one per request.
 */
import { createHash, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import type { Queryable } from '../../store/database.js';
import { DEFAULT_ACCOUNTS_CONFIG, type AccountsConfig } from './accounts-config.js';
import type { AccountRole } from './account-roles.js';
import type { AccountRow } from './account-store.js';

export type SessionStage = 'full' | 'password-change' | 'totp-enrolment';

/** Who a request is from: what the API's auth hook needs, and nothing secret. */
export interface SessionPrincipal {
  hospitalId: string;
  userId: string;
  role: AccountRole;
  username: string;
  department: string | null;
  ward: string | null;
  /** The clinician the account acts as (Practitioner/id): who signs what the account records. */
  practitioner: string | null;
}

export interface ActiveSession {
  sessionHash: string;
  stage: SessionStage;
  expiresAt: Date;
  account: AccountRow;
}

type SessionTimes = Pick<AccountsConfig, 'now' | 'idleTimeoutMs' | 'absoluteTimeoutMs' | 'touchIntervalMs'>;

const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

export function sessionHash(sessionId: string): string {
  return createHash('sha256').update(sessionId).digest('hex');
}

export async function createSession(
  tx: Queryable,
  input: { hospitalId: string; userId: string; stage: SessionStage; userAgent?: string; sourceIp?: string },
  config: SessionTimes,
): Promise<{ sessionId: string; expiresAt: Date }> {
  const sessionId = randomBytes(32).toString('base64url');
  const now = new Date(config.now());
  const expiresAt = new Date(now.getTime() + config.absoluteTimeoutMs);
  await tx.query(
    `INSERT INTO user_session (session_hash, hospital_id, user_id, stage, created_at, last_seen_at, expires_at, user_agent, source_ip)
     VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8)`,
    [sessionHash(sessionId), input.hospitalId, input.userId, input.stage, now, expiresAt,
      input.userAgent?.slice(0, 300) ?? null, input.sourceIp && isIP(input.sourceIp) ? input.sourceIp : null],
  );
  return { sessionId, expiresAt };
}

/** The live session for a cookie value, at any stage, or null (unknown, revoked, expired, account disabled). */
export async function findActiveSession(db: Queryable, cookieValue: string | undefined, config: SessionTimes): Promise<ActiveSession | null> {
  if (!cookieValue || !SESSION_ID.test(cookieValue)) return null;
  const hash = sessionHash(cookieValue);
  const [row] = await db.query(
    `SELECT s.stage AS session_stage, s.last_seen_at AS session_last_seen, s.expires_at AS session_expires, s.revoked_at AS session_revoked, a.*
       FROM user_session s JOIN user_account a ON a.hospital_id = s.hospital_id AND a.id = s.user_id
      WHERE s.session_hash = $1`, [hash], 'session-lookup');
  if (!row || row.session_revoked || row.disabled_at) return null;
  const now = config.now();
  const lastSeen = (row.session_last_seen as Date).getTime();
  if (now >= (row.session_expires as Date).getTime() || now - lastSeen >= config.idleTimeoutMs) return null;
  if (now - lastSeen >= config.touchIntervalMs) {
    await db.query('UPDATE user_session SET last_seen_at = $2 WHERE session_hash = $1 AND last_seen_at < $2', [hash, new Date(now)], 'session-touch');
  }
  const { session_stage, session_expires, session_last_seen: _seen, session_revoked: _revoked, ...account } = row;
  return { sessionHash: hash, stage: session_stage as SessionStage, expiresAt: session_expires as Date, account: account as AccountRow };
}

/**
 * For the API's auth hook: the principal of a fully signed-in session, or null. A session that
 * still has to change its password or enrol TOTP opens nothing but the accounts routes.
 */
export async function authenticateSession(
  db: Queryable, cookieValue: string | undefined, config: SessionTimes = DEFAULT_ACCOUNTS_CONFIG,
): Promise<SessionPrincipal | null> {
  const session = await findActiveSession(db, cookieValue, config);
  if (!session || session.stage !== 'full') return null;
  const a = session.account;
  return { hospitalId: a.hospital_id, userId: a.id, role: a.role, username: a.username, department: a.department, ward: a.ward, practitioner: a.practitioner_ref };
}

export async function revokeSession(db: Queryable, hash: string, now: number): Promise<void> {
  await db.query('UPDATE user_session SET revoked_at = $2 WHERE session_hash = $1 AND revoked_at IS NULL', [hash, new Date(now)]);
}

/** Ends every session of an account (password reset, disable, role change), except `keepHash`. */
export async function revokeAccountSessions(db: Queryable, hospitalId: string, userId: string, now: number, keepHash?: string): Promise<void> {
  await db.query(
    `UPDATE user_session SET revoked_at = $3 WHERE hospital_id = $1 AND user_id = $2 AND revoked_at IS NULL
       AND session_hash IS DISTINCT FROM $4`, [hospitalId, userId, new Date(now), keepHash ?? null]);
}
