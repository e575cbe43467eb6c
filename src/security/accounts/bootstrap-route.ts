/**
 * POST bootstrap-admin {username, displayName, password}, with `Authorization: Bearer <bootstrap
 * token>`: creates the hospital's first admin, and only while it has none (first-admin.ts).
 */
import type { FastifyInstance } from 'fastify';
import { FhirError, issue } from '../../fhir/outcome.js';
import type { TokenVerifier } from '../api-tokens.js';
import type { AccountsContext } from './accounts-context.js';
import { publicAccount } from './account-store.js';
import { createFirstAdmin } from './first-admin.js';
import { objectBody } from './request-fields.js';
import { newAccountFrom } from './admin-routes.js';

/** The principal ensureBootstrapToken (../api-tokens.ts) gives the bootstrap token. */
const BOOTSTRAP_PRINCIPAL = 'bootstrap-admin';

export function bootstrapRoute(app: FastifyInstance, ctx: AccountsContext, tokens: TokenVerifier): void {
  app.post('/bootstrap-admin', async (request, reply) => {
    const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
    const principal = match ? await tokens.verify(match[1]) : null;
    if (!principal || principal.principal !== BOOTSTRAP_PRINCIPAL || principal.hospitalId !== ctx.hospitalId) {
      reply.header('WWW-Authenticate', 'Bearer realm="nirantar"');
      throw new FhirError(401, issue('login', 'the bootstrap token is required'));
    }
    const { role: _role, ...input } = newAccountFrom(objectBody(request.body), false);
    return reply.code(201).send(publicAccount(await createFirstAdmin(ctx, input)));
  });
}
