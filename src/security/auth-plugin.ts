/** No open endpoint: every /fhir request carries a valid bearer token, or gets 401. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { FhirError, issue } from '../fhir/outcome.js';
import type { TokenPrincipal, TokenVerifier } from './api-tokens.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: TokenPrincipal;
  }
}

export default fp(async function authPlugin(app: FastifyInstance, options: { verifier: TokenVerifier; prefix: string }) {
  app.decorateRequest('principal', undefined);
  app.addHook('onRequest', async (request: FastifyRequest, reply) => {
    if (!request.url.startsWith(options.prefix)) return;
    const header = request.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    const principal = match ? await options.verifier.verify(match[1]) : null;
    if (!principal) {
      reply.header('WWW-Authenticate', 'Bearer realm="nirantar"');
      throw new FhirError(401, issue('login', header ? 'the bearer token is not valid' : 'authentication required: send Authorization: Bearer <token>'));
    }
    request.principal = principal;
  });
});
