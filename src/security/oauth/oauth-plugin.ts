/**
 * The OAuth 2.0 token endpoint for machine clients (the device gateway, a vault, integrations):
 * POST <prefix>/token with grant_type=client_credentials (RFC 6749 §4.4). Encapsulated (no
 * fastify-plugin): its body parser, error handler and no-store header apply to these routes only.
 *
 * Registered by the server under /oauth, outside the bearer-token areas: the client authenticates
 * with its id and secret here, and uses the access token it gets on /fhir/R4 or /replication.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Queryable } from '../../store/database.js';
import type { LockoutPolicy } from '../accounts/lockout.js';
import { ClientThrottle } from './client-throttle.js';
import { clientCredentialsGrant, type GrantContext } from './client-credentials-grant.js';
import { OAuthError, invalidRequest } from './oauth-errors.js';

export interface OAuthPluginOptions {
  db: Queryable;
  hospitalId: string;
  /** Lifetime of an access token (default 3600 s, RFC 6749's customary hour). */
  accessTokenTtlSeconds?: number;
  /** Backoff after failed client authentications (default: the accounts' 5 failures, then 1 min doubling to 1 h). */
  lockout?: LockoutPolicy;
  now?: () => number;
}

const FORM = 'application/x-www-form-urlencoded';

export async function oauthPlugin(app: FastifyInstance, options: OAuthPluginOptions): Promise<void> {
  const ctx: GrantContext = {
    db: options.db, hospitalId: options.hospitalId, accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 3600,
    throttle: new ClientThrottle(options.lockout), now: options.now ?? Date.now,
  };
  if (!Number.isInteger(ctx.accessTokenTtlSeconds) || ctx.accessTokenTtlSeconds < 1) throw new Error('accessTokenTtlSeconds must be a positive whole number');

  // RFC 6749 §4.4.2: the request is form-encoded, and nothing else is accepted here.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(FORM, { parseAs: 'string', bodyLimit: 8192 }, (_request, body, done) => done(null, new URLSearchParams(body as string)));

  app.setErrorHandler((error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof OAuthError) return sendError(reply, error);
    const e = error as FastifyError;
    if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || e.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || (e.statusCode && e.statusCode < 500)) {
      return sendError(reply, invalidRequest(`send grant_type=client_credentials as ${FORM} (at most 8 KiB)`));
    }
    request.log.error({ err: { message: e.message, code: e.code, stack: e.stack } }, 'oauth token endpoint failed');
    return reply.code(500).header('cache-control', 'no-store').send({ error: 'server_error', error_description: `internal error (request ${request.id})` });
  });

  app.post('/token', async (request, reply) => {
    const form = request.body instanceof URLSearchParams ? request.body : undefined;
    if (!form) throw invalidRequest(`send grant_type=client_credentials as ${FORM}`);
    const answer = await clientCredentialsGrant(ctx, { authorization: request.headers.authorization, form, sourceIp: request.ip });
    // RFC 6749 §5.1: a token response must never be cached.
    return reply.header('cache-control', 'no-store').header('pragma', 'no-cache').send(answer);
  });
}

function sendError(reply: FastifyReply, error: OAuthError) {
  reply.code(error.status).header('cache-control', 'no-store').header('pragma', 'no-cache');
  // RFC 6749 §5.2: a 401 invalid_client names the scheme the client should authenticate with.
  if (error.status === 401) reply.header('www-authenticate', 'Basic realm="nirantar", charset="UTF-8"');
  if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds));
  return reply.send(error.body());
}
