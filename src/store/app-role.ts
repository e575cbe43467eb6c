/**
 * The application's own database role, separate from the administrator that owns the tables.
 * It may append to the ledger but never rewrite it: no UPDATE/DELETE/TRUNCATE grant on the ledger
 * (and the owner's trigger from migration 001 refuses those too), so even a compromised API server
 * cannot change history in place. Run after `migrate`: the grants name the migrated tables.
 */
import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { ADVISORY_XACT_LOCK_SQL, AdvisoryLock, advisoryLockParams } from './advisory-locks.js';
import type { Database } from './database.js';
import { scramSha256Verifier } from './scram-verifier.js';

/**
 * Every table the application may touch, and how. A migration that adds a table adds it here too
 * (test/store/app-role.test.ts fails until it does); anything not listed the application cannot use.
 */
export const APP_TABLE_PRIVILEGES: Readonly<Record<string, string>> = {
  // History: append and read only.
  hospital: 'SELECT, INSERT',
  ledger_entry: 'SELECT, INSERT',
  // Projections: rebuildable from the ledger, so the application maintains them freely.
  resource_version: 'SELECT, INSERT, UPDATE, DELETE',
  resource_current: 'SELECT, INSERT, UPDATE, DELETE',
  search_index: 'SELECT, INSERT, UPDATE, DELETE',
  request_key: 'SELECT, INSERT, UPDATE, DELETE',
  // The audit trail's read side (migration 011): a projection too, but one nobody edits or removes
  // rows of; rebuild and restore refill it through the owner's connection.
  audit_entry: 'SELECT, INSERT',
  // API tokens (migration 002): issue and revoke; a token's hash and principal are never rewritten.
  api_token: 'SELECT, INSERT, UPDATE (revoked_at)',
  // Accounts and sessions (migration 006). No DELETE: an account is disabled, a session revoked or
  // expired, and both stay as the record of who could sign in and who did, from where. Identity
  // columns (id, hospital, username, created_at; a session's user, times and source) are never rewritten.
  user_account: 'SELECT, INSERT, UPDATE (role, password_hash, must_change_password, totp_secret, totp_enabled, totp_last_step, '
    + 'failed_attempts, locked_until, disabled_at, last_login_at, updated_at)',
  user_session: 'SELECT, INSERT, UPDATE (last_seen_at, revoked_at)',
  // Decoy records (migration 009): read only, to watch them; `nirantar honeytoken` adds and removes them
  // as the owner, so a compromised API server cannot unmark the tripwires it is about to trip.
  honeytoken: 'SELECT',
  // Machine clients (migration 010): the token endpoint only reads them; `nirantar client` adds and
  // disables them as the owner, so the API can never mint itself a client or a new role.
  oauth_client: 'SELECT',
  // A restore in progress (migration 012): only the restore, as the owner, marks and unmarks it, so a
  // compromised API server cannot clear the mark that keeps it off a half-restored database.
  restore_in_progress: 'SELECT',
  schema_migration: 'SELECT',
};

const PREFIX = 'nirantar_app_';
const MAX_IDENTIFIER = 63;

/**
 * One role per database (roles are cluster-wide; databases on one cluster must not share one).
 * Lossy names (characters replaced, or truncated to 63) get a hash of the real name appended.
 */
export function appRoleName(databaseName: string): string {
  const clean = databaseName.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  if (clean === databaseName && PREFIX.length + clean.length <= MAX_IDENTIFIER) return PREFIX + clean;
  const hash = createHash('sha256').update(databaseName).digest('hex').slice(0, 8);
  return `${PREFIX}${clean.slice(0, MAX_IDENTIFIER - PREFIX.length - hash.length - 1)}_${hash}`;
}

/**
 * Creates or resets the application role of the database `adminDb` is connected to and returns a
 * connection URL for it (adminUrl with that user and a fresh password). The password exists only
 * in the returned string: each call replaces it, so URLs from earlier calls stop working for new
 * connections (open connections stay).
 */
export async function ensureAppRole(adminDb: Database, adminUrl: string): Promise<string> {
  const url = parseUrl(adminUrl);
  const password = randomBytes(32).toString('base64url');
  const role = await adminDb.transaction(async (tx) => {
    await tx.query(ADVISORY_XACT_LOCK_SQL, advisoryLockParams(AdvisoryLock.appRole));
    const [{ db }] = await tx.query<{ db: string }>('SELECT current_database() AS db');
    const urlDb = decodeURIComponent(url.pathname.slice(1));
    if (urlDb && urlDb !== db) throw new Error(`ensureAppRole: adminDb is connected to "${db}" but adminUrl names "${urlDb}"`);
    const role = appRoleName(db);
    const r = pg.escapeIdentifier(role);
    const d = pg.escapeIdentifier(db);
    const exists = (await tx.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role])).length > 0;
    const attributes = 'LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT';
    await tx.query(`${exists ? 'ALTER' : 'CREATE'} ROLE ${r} ${attributes} PASSWORD ${pg.escapeLiteral(scramSha256Verifier(password))}`);

    // Undo anything granted by hand since the last call: memberships, ownership, stray privileges.
    const memberships = await tx.query<{ name: string }>(
      'SELECT m.roleid::regrole::text AS name FROM pg_auth_members m WHERE m.member = $1::regrole', [role]);
    for (const { name } of memberships) await tx.query(`REVOKE ${name} FROM ${r}`);
    // Conditional: REASSIGN needs the privileges of both roles, which a non-superuser admin lacks.
    const owns = await tx.query(
      `SELECT 1 FROM pg_shdepend WHERE refobjid = $1::regrole AND deptype = 'o'
         AND dbid IN (0, (SELECT oid FROM pg_database WHERE datname = current_database())) LIMIT 1`, [role]);
    if (owns.length > 0) await tx.query(`REASSIGN OWNED BY ${r} TO CURRENT_USER`);
    await tx.query(`REVOKE ALL ON DATABASE ${d} FROM ${r}`);
    await tx.query(`REVOKE TEMPORARY ON DATABASE ${d} FROM PUBLIC`);
    await tx.query(`GRANT CONNECT ON DATABASE ${d} TO ${r}`);
    await tx.query('REVOKE CREATE ON SCHEMA public FROM PUBLIC');
    await tx.query(`REVOKE ALL ON SCHEMA public FROM ${r}`);
    await tx.query(`GRANT USAGE ON SCHEMA public TO ${r}`);
    // Also from PUBLIC: a grant to PUBLIC would reach the application role too.
    await tx.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC, ${r}`);
    await tx.query(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM PUBLIC, ${r}`);
    await tx.query(`REVOKE ALL ON ALL FUNCTIONS IN SCHEMA public FROM ${r}`);

    for (const [table, privileges] of Object.entries(APP_TABLE_PRIVILEGES)) {
      await tx.query(`GRANT ${privileges} ON public.${pg.escapeIdentifier(table)} TO ${r}`);
    }
    return role;
  });
  url.username = encodeURIComponent(role);
  url.password = encodeURIComponent(password);
  return url.toString();
}

function parseUrl(adminUrl: string): URL {
  try {
    return new URL(adminUrl);
  } catch {
    throw new Error('ensureAppRole: adminUrl must be a postgres:// or postgresql:// URL');
  }
}
