/**
 * The accounts routes as one Fastify plugin, registered under a prefix of the server's choosing
 * (e.g. /auth). Encapsulated on purpose (no fastify-plugin): its error handler and hooks apply to
 * these routes only. The API's own auth hook uses `authenticateSession` (sessions.ts), not this.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { notFound } from '../../fhir/outcome.js';
import { fhirErrorHandler } from '../../fhir/rest/error-handler.js';
import type { TokenVerifier } from '../api-tokens.js';
import { createAccountsContext, type AccountsOptions } from './accounts-context.js';
import { TooManyAttempts } from './account-errors.js';
import { adminRoutes } from './admin-routes.js';
import { authRoutes } from './auth-routes.js';
import { bootstrapRoute } from './bootstrap-route.js';

export interface AccountsPluginOptions extends AccountsOptions {
  /** When given, POST bootstrap-admin accepts the bootstrap bearer token to create the first admin. */
  bootstrapTokens?: TokenVerifier;
}

export async function accountsPlugin(app: FastifyInstance, options: AccountsPluginOptions): Promise<void> {
  const ctx = createAccountsContext(options);
  app.setErrorHandler((error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof TooManyAttempts) reply.header('retry-after', String(error.retryAfterSeconds));
    return fhirErrorHandler(error, request, reply);
  });
  app.setNotFoundHandler((request, reply) => fhirErrorHandler(notFound(`no accounts route at ${request.method} ${request.url.split('?')[0]}`), request, reply));
  // Answers carry session state and, once, a TOTP secret: no cache may keep them.
  app.addHook('onSend', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
  });
  authRoutes(app, ctx);
  adminRoutes(app, ctx);
  if (options.bootstrapTokens) bootstrapRoute(app, ctx, options.bootstrapTokens);
}
