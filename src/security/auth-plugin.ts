/** No open endpoint: every /fhir request carries a valid bearer token, or gets 401. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { FhirError, issue } from '../fhir/outcome.js';
import type { TokenPrincipal, TokenScope, TokenVerifier } from './api-tokens.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: TokenPrincipal;
  }
}

/**
 * Requests under `prefix` need a token of `scope`. Registered once per protected area (the FHIR
 * API, the replication endpoint), so a vault's credential opens only the ledger feed and an API
 * token never opens the ledger feed.
 */
export default fp(async function authPlugin(app: FastifyInstance, options: { verifier: TokenVerifier; prefix: string; scope: TokenScope }) {
  if (!app.hasRequestDecorator('principal')) app.decorateRequest('principal', undefined);
  app.addHook('onRequest', async (request: FastifyRequest, reply) => {
    if (!request.url.startsWith(options.prefix)) return;
    const header = request.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    const principal = match ? await options.verifier.verify(match[1]) : null;
    if (!principal || principal.scope !== options.scope) {
      reply.header('WWW-Authenticate', 'Bearer realm="nirantar"');
      throw new FhirError(401, issue('login', header ? 'the bearer token is not valid' : 'authentication required: send Authorization: Bearer <token>'));
    }
    request.principal = principal;
  });
});
