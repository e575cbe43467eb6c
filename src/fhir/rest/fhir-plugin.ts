/** The FHIR R4 REST API under /fhir/R4: content types, error handling and the routes. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AccessControl } from '../../security/access-control.js';
import type { FhirRepository } from '../repository/repository.js';
import { authorizeRoute } from './route-access.js';
import { fhirErrorHandler } from './error-handler.js';
import { instanceRoutes } from './instance-routes.js';
import { systemRoutes } from './system-routes.js';
import { typeRoutes } from './type-routes.js';

export interface FhirPluginOptions {
  repo: FhirRepository;
  access: AccessControl;
  /** Called before a read, search or history is served (the bulk-read guard: it throws 429). */
  beforeRead?: (request: FastifyRequest) => void;
  /** Routes that take over some resource types (AuditEvent), registered inside this plugin. */
  extraRoutes?: (app: FastifyInstance) => void | Promise<void>;
}

export async function fhirPlugin(app: FastifyInstance, options: FhirPluginOptions) {
  app.setErrorHandler(fhirErrorHandler);
  app.addHook('preHandler', authorizeRoute(options.access, options.beforeRead));
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).type('application/fhir+json; charset=utf-8').send({
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: 'not-found', diagnostics: `no FHIR interaction at ${request.method} ${request.url.split('?')[0]}` }],
    });
  });
  // FHIR bodies are JSON; a text/plain body is refused with 415 rather than read as a string.
  app.removeContentTypeParser('text/plain');
  const json = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser(['application/fhir+json', 'application/json-patch+json'], { parseAs: 'string' }, json);
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  systemRoutes(app, options.repo, options.access);
  typeRoutes(app, options.repo, options.access);
  instanceRoutes(app, options.repo, options.access);
  await options.extraRoutes?.(app);
}
