/**
 * Bearer tokens. The bootstrap admin token comes from NIRANTAR_BOOTSTRAP_TOKEN, or is generated at
 * the first start and printed once; only its SHA-256 is stored.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from '../store/database.js';

export type TokenScope = 'fhir' | 'replication';

export interface TokenPrincipal {
  hospitalId: string;
  principal: string;
  scope: TokenScope;
}

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
      `INSERT INTO api_token (token_hash, hospital_id, name, principal) VALUES ($1, $2, $3, 'bootstrap-admin')
       ON CONFLICT (token_hash) DO NOTHING`,
      [hashToken(fromEnv), hospitalId, BOOTSTRAP_TOKEN_NAME],
    );
    return undefined;
  }
  const [existing] = await db.query('SELECT 1 FROM api_token WHERE hospital_id = $1 AND name = $2 AND revoked_at IS NULL', [hospitalId, BOOTSTRAP_TOKEN_NAME]);
  if (existing) return undefined;
  const token = generateToken();
  await db.query(`INSERT INTO api_token (token_hash, hospital_id, name, principal) VALUES ($1, $2, $3, 'bootstrap-admin')`, [
    hashToken(token), hospitalId, BOOTSTRAP_TOKEN_NAME,
  ]);
  return token;
}

/**
 * Looks tokens up by hash, with a short cache: a read at thousands of requests per second must not
 * cost a database round trip each. A revoked token stops working within the cache's lifetime.
 */
export class TokenVerifier {
  private cache = new Map<string, { principal: TokenPrincipal | null; until: number }>();
  constructor(private readonly db: Queryable, private readonly ttlMs = 5000) {}

  async verify(token: string): Promise<TokenPrincipal | null> {
    const hash = hashToken(token);
    const now = Date.now();
    const cached = this.cache.get(hash);
    if (cached && cached.until > now) return cached.principal;
    const [row] = await this.db.query('SELECT hospital_id, principal, scope FROM api_token WHERE token_hash = $1 AND revoked_at IS NULL', [hash], 'token-lookup');
    const principal = row ? { hospitalId: row.hospital_id as string, principal: row.principal as string, scope: row.scope as TokenScope } : null;
    if (this.cache.size > 10000) this.cache.clear();
    this.cache.set(hash, { principal, until: now + this.ttlMs });
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
