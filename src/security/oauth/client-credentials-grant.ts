/**
 * The client credentials grant (RFC 6749 §4.4) apart from HTTP: check the request, authenticate the
 * client, issue an access token. The access token is an ordinary api_token row (only its SHA-256
 * stored) carrying the client's role and scope and an expiry, so the API's TokenVerifier accepts it
 * until it expires, and `nirantar client disable` revokes it.
 */
import type { Queryable } from '../../store/database.js';
import { MAX_PASSWORD_LENGTH, verifyAgainstDummy, verifyPassword } from '../accounts/password-hash.js';
import { retryAfterSeconds } from '../accounts/lockout.js';
import { generateToken, hashToken } from '../api-tokens.js';
import type { ClientThrottle } from './client-throttle.js';
import { clientCredentials } from './client-authentication.js';
import { findClient, principalOf, tokenNameOf, type OAuthClientRow } from './oauth-clients.js';
import { OAuthError, invalidClient, invalidRequest, tooManyAttempts } from './oauth-errors.js';

export interface GrantContext {
  db: Queryable;
  hospitalId: string;
  accessTokenTtlSeconds: number;
  throttle: ClientThrottle;
  now: () => number;
}

export interface TokenRequest {
  /** The Authorization header, if any. */
  authorization?: string;
  form: URLSearchParams;
  sourceIp: string;
}

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

export async function clientCredentialsGrant(ctx: GrantContext, request: TokenRequest): Promise<TokenResponse> {
  const { form } = request;
  for (const name of new Set(form.keys())) {
    if (form.getAll(name).length > 1) throw invalidRequest(`the parameter "${name}" is given more than once`);
  }
  const grantType = form.get('grant_type');
  if (!grantType) throw invalidRequest('grant_type is required');
  if (grantType !== 'client_credentials') throw new OAuthError(400, 'unsupported_grant_type', 'only grant_type=client_credentials is supported');
  const client = await authenticate(ctx, request);
  const scope = grantedScope(client, form.get('scope'));

  const token = generateToken();
  const expiresAt = new Date(ctx.now() + ctx.accessTokenTtlSeconds * 1000);
  await ctx.db.query(
    `INSERT INTO api_token (token_hash, hospital_id, name, principal, scope, role, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [hashToken(token), ctx.hospitalId, tokenNameOf(client.clientId), principalOf(client.clientId), client.scope, client.role, expiresAt]);
  return { access_token: token, token_type: 'Bearer', expires_in: ctx.accessTokenTtlSeconds, scope };
}

async function authenticate(ctx: GrantContext, request: TokenRequest): Promise<OAuthClientRow> {
  const { clientId, clientSecret } = clientCredentials(request.authorization, request.form);
  // No client id or secret is this long: refused before any lookup or hash is spent on it.
  if (clientId.length > 100 || [...clientSecret].length > MAX_PASSWORD_LENGTH) throw invalidClient();
  const now = ctx.now();
  const claim = ctx.throttle.claim(clientId, request.sourceIp, now);
  if (!claim.allowed) throw tooManyAttempts(retryAfterSeconds(claim.lockedUntil, now));
  const client = await findClient(ctx.db, ctx.hospitalId, clientId);
  if (!client) {
    await verifyAgainstDummy(clientSecret); // as long as a real client's check: timing tells no client ids
    throw invalidClient();
  }
  if (!(await verifyPassword(client.secretHash, clientSecret))) throw invalidClient();
  ctx.throttle.succeeded(clientId, request.sourceIp);
  // Said only to the holder of the right secret, to whom it tells nothing new.
  if (client.disabledAt) throw new OAuthError(401, 'invalid_client', 'this client is disabled');
  return client;
}

/** RFC 6749 §3.3: a client may ask for its scope or omit it; anything else is refused. */
function grantedScope(client: OAuthClientRow, requested: string | null): string {
  if (requested === null) return client.scope;
  const asked = requested.split(' ').filter(Boolean);
  if (asked.length === 0 || asked.some((s) => s !== client.scope)) {
    throw new OAuthError(400, 'invalid_scope', `this client may ask only for scope "${client.scope}"`);
  }
  return client.scope;
}
