/**
 * Machine clients of the OAuth 2.0 client credentials grant (table `oauth_client`, migration 010):
 * added, listed and disabled by `nirantar client` with the owner's connection; read by the token
 * endpoint. The secret is shown once and kept only as an argon2id hash.
 */
import { randomBytes } from 'node:crypto';
import type { Queryable } from '../../store/database.js';
import { hashPassword } from '../accounts/password-hash.js';
import type { AccountRole } from '../accounts/account-roles.js';
import type { TokenScope } from '../principal.js';

export interface OAuthClient {
  hospitalId: string;
  clientId: string;
  name: string;
  /** Null exactly for scope 'replication' (a ledger puller has no role in the permission table). */
  role: AccountRole | null;
  scope: TokenScope;
  createdAt: Date;
  disabledAt: Date | null;
}

export interface OAuthClientRow extends OAuthClient {
  secretHash: string;
}

/** The api_token name and ledger principal of the access tokens a client obtains. */
export const tokenNameOf = (clientId: string) => `oauth:${clientId}`;
export const principalOf = (clientId: string) => `client:${clientId}`;

/** "Lab Gateway #2" → "lab-gateway-2-3f9a1c2e": readable in logs and the audit trail, unique by its random tail. */
export function newClientId(name: string): string {
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'client';
  return `${slug}-${randomBytes(4).toString('hex')}`;
}

/** 256 random bits: a secret nobody guesses, so the hash's cost only guards a stolen table. */
export function newClientSecret(): string {
  return `ncs_${randomBytes(32).toString('base64url')}`;
}

export async function addClient(db: Queryable, client: { hospitalId: string; name: string; role: AccountRole | null; scope: TokenScope }):
  Promise<{ clientId: string; clientSecret: string }> {
  if ((client.scope === 'fhir') !== (client.role !== null)) throw new Error('a fhir client needs a role; a replication client has none');
  const clientId = newClientId(client.name);
  const clientSecret = newClientSecret();
  await db.query('INSERT INTO oauth_client (hospital_id, client_id, secret_hash, name, role, scope) VALUES ($1, $2, $3, $4, $5, $6)',
    [client.hospitalId, clientId, await hashPassword(clientSecret), client.name, client.role, client.scope]);
  return { clientId, clientSecret };
}

const COLUMNS = 'hospital_id, client_id, secret_hash, name, role, scope, created_at, disabled_at';

function fromRow(r: Record<string, any>): OAuthClientRow {
  return {
    hospitalId: r.hospital_id, clientId: r.client_id, secretHash: r.secret_hash, name: r.name, role: r.role, scope: r.scope,
    createdAt: r.created_at, disabledAt: r.disabled_at,
  };
}

export async function findClient(db: Queryable, hospitalId: string, clientId: string): Promise<OAuthClientRow | undefined> {
  const [row] = await db.query(`SELECT ${COLUMNS} FROM oauth_client WHERE hospital_id = $1 AND client_id = $2`, [hospitalId, clientId], 'oauth-client-find');
  return row ? fromRow(row) : undefined;
}

export async function listClients(db: Queryable, hospitalId: string): Promise<OAuthClient[]> {
  const rows = await db.query(`SELECT ${COLUMNS} FROM oauth_client WHERE hospital_id = $1 ORDER BY created_at, client_id`, [hospitalId]);
  return rows.map((r) => {
    const { secretHash: _secret, ...client } = fromRow(r);
    return client;
  });
}

/**
 * Disables a client and revokes the access tokens it holds (they would otherwise work until they
 * expire). Returns the number of tokens revoked, or undefined when there is no such client.
 */
export async function disableClient(db: Queryable, hospitalId: string, clientId: string, now = new Date()): Promise<number | undefined> {
  const [client] = await db.query(
    'UPDATE oauth_client SET disabled_at = COALESCE(disabled_at, $3) WHERE hospital_id = $1 AND client_id = $2 RETURNING 1',
    [hospitalId, clientId, now]);
  if (!client) return undefined;
  const revoked = await db.query('UPDATE api_token SET revoked_at = $3 WHERE hospital_id = $1 AND name = $2 AND revoked_at IS NULL RETURNING 1',
    [hospitalId, tokenNameOf(clientId), now]);
  return revoked.length;
}
