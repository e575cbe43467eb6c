/**
 * No open endpoint: every request under a protected prefix carries a valid bearer token or a
 * signed-in session cookie, or gets 401. Registered once per protected area (the FHIR API, the
 * replication endpoint), so a vault's credential opens only the ledger feed and an API token never
 * opens the ledger feed. Sessions (browser desks) open the 'fhir' scope only.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { FhirError, issue } from '../fhir/outcome.js';
import type { TokenVerifier } from './api-tokens.js';
import type { Principal, TokenScope } from './principal.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

export interface AuthOptions {
  verifier: TokenVerifier;
  prefix: string;
  scope: TokenScope;
  /** The principal of the session cookie in this Cookie header, if it is a live, fully signed-in one. */
  session?: (cookieHeader: string | undefined) => Promise<Principal | null>;
}

export default fp(async function authPlugin(app: FastifyInstance, options: AuthOptions) {
  if (!app.hasRequestDecorator('principal')) app.decorateRequest('principal', undefined);
  app.addHook('onRequest', async (request: FastifyRequest, reply) => {
    if (!request.url.startsWith(options.prefix)) return;
    const header = request.headers.authorization;
    let principal: Principal | null = null;
    if (header !== undefined) {
      // A header that is there but wrong is refused even when a session cookie would do: a client
      // sending a token means that token.
      const match = /^Bearer\s+(\S{1,512})$/i.exec(header);
      principal = match ? await options.verifier.verify(match[1]) : null;
    } else if (options.session && request.headers.cookie) {
      principal = await options.session(request.headers.cookie);
    }
    if (!principal || principal.scope !== options.scope) {
      reply.header('WWW-Authenticate', 'Bearer realm="nirantar"');
      throw new FhirError(401, issue('login', header !== undefined ? 'the bearer token is not valid'
        : request.headers.cookie && options.session ? 'the session has ended or is not valid: sign in again'
          : 'authentication required: sign in, or send Authorization: Bearer <token>'));
    }
    request.principal = principal;
  });
});
