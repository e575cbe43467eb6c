/**
 * Bearer tokens. The bootstrap admin token comes from NIRANTAR_BOOTSTRAP_TOKEN, or is generated at
 * the first start and printed once; only its SHA-256 is stored.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from '../store/database.js';
import type { Principal, Role, TokenScope } from './principal.js';

export type { TokenScope } from './principal.js';
export type TokenPrincipal = Principal;

export const BOOTSTRAP_TOKEN_NAME = 'bootstrap';

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function generateToken(): string {
  return `nrt_${randomBytes(32).toString('base64url')}`;
}

/**
 * Makes sure the bootstrap token exists for the hospital. Returns the token when it was generated
 * now (to be printed once), undefined when one already existed or was given by the environment.
 */
export async function ensureBootstrapToken(db: Queryable, hospitalId: string, fromEnv: string | undefined): Promise<string | undefined> {
  if (fromEnv) {
    if (fromEnv.length < 16) throw new Error('NIRANTAR_BOOTSTRAP_TOKEN must be at least 16 characters');
    await db.query(
      `INSERT INTO api_token (token_hash, hospital_id, name, principal, role) VALUES ($1, $2, $3, 'bootstrap-admin', 'bootstrap')
       ON CONFLICT (token_hash) DO NOTHING`,
      [hashToken(fromEnv), hospitalId, BOOTSTRAP_TOKEN_NAME],
    );
    return undefined;
  }
  // Any bootstrap token, revoked included: once revoked (nirantar bootstrap-token --revoke) it stays
  // off, and a restart must not print a fresh one.
  const [existing] = await db.query('SELECT 1 FROM api_token WHERE hospital_id = $1 AND name = $2', [hospitalId, BOOTSTRAP_TOKEN_NAME]);
  if (existing) return undefined;
  const token = generateToken();
  await db.query(`INSERT INTO api_token (token_hash, hospital_id, name, principal, role) VALUES ($1, $2, $3, 'bootstrap-admin', 'bootstrap')`, [
    hashToken(token), hospitalId, BOOTSTRAP_TOKEN_NAME,
  ]);
  return token;
}

/**
 * Looks tokens up by hash, with a short cache: a read at thousands of requests per second must not
 * cost a database round trip each. A revoked token stops working within the cache's lifetime.
 */
export class TokenVerifier {
  private cache = new Map<string, { principal: Principal | null; until: number }>();
  constructor(private readonly db: Queryable, private readonly ttlMs = 5000) {}

  async verify(token: string): Promise<Principal | null> {
    const hash = hashToken(token);
    const now = Date.now();
    const cached = this.cache.get(hash);
    if (cached && cached.until > now) return cached.principal;
    const [row] = await this.db.query(
      'SELECT hospital_id, principal, scope, role, department, ward, expires_at FROM api_token WHERE token_hash = $1 AND revoked_at IS NULL',
      [hash], 'token-lookup');
    const expiresAt = row?.expires_at ? (row.expires_at as Date).getTime() : Infinity;
    const principal: Principal | null = row && expiresAt > now ? {
      hospitalId: row.hospital_id as string, principal: row.principal as string, scope: row.scope as TokenScope,
      role: (row.role as Role | null) ?? null, kind: 'token', department: row.department as string | null, ward: row.ward as string | null,
    } : null;
    if (this.cache.size > 10000) this.cache.clear();
    // An expiring token is cached no longer than it lives.
    this.cache.set(hash, { principal, until: Math.min(now + this.ttlMs, expiresAt) });
    return principal;
  }
}

/** Issues a new vault credential (scope 'replication': it can pull the ledger and nothing else). */
export async function issueVaultCredential(db: Queryable, hospitalId: string, vaultName: string): Promise<string> {
  const token = generateToken();
  await db.query(
    `INSERT INTO api_token (token_hash, hospital_id, name, principal, scope) VALUES ($1, $2, $3, $4, 'replication')`,
    [hashToken(token), hospitalId, `vault:${vaultName}`, `vault:${vaultName}`],
  );
  return token;
}

export interface NewApiToken {
  /** Unique within the hospital's tokens; shown in the audit trail as token:<name>. */
  name: string;
  role: Exclude<Role, 'bootstrap'>;
  department?: string | null;
  ward?: string | null;
  expiresAt?: Date | null;
}

/** Issues a bearer token for an API client acting in `role`. Returns the token (shown once; only its hash is kept). */
export async function issueApiToken(db: Queryable, hospitalId: string, input: NewApiToken): Promise<string> {
  if (!/^[a-z0-9][a-z0-9._-]{0,62}$/.test(input.name)) throw new Error('a token name is 1-63 lower-case letters, digits and ._-');
  const token = generateToken();
  await db.query(
    `INSERT INTO api_token (token_hash, hospital_id, name, principal, scope, role, department, ward, expires_at)
     VALUES ($1, $2, $3, $4, 'fhir', $5, $6, $7, $8)`,
    [hashToken(token), hospitalId, `api:${input.name}`, `token:${input.name}`, input.role, input.department ?? null, input.ward ?? null, input.expiresAt ?? null],
  );
  return token;
}
