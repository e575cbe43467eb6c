/**
 * Every error leaves as a FHIR OperationOutcome with the right status. Internal errors say nothing
 * about their cause to the client (no SQL, no patient data); the log gets the request id.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { FhirError, issue, operationOutcome } from '../outcome.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Why the request was refused, as its OperationOutcome said (for the audit trail). */
    refusal?: string;
  }
}

export function fhirErrorHandler(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof FhirError) {
    const retryAfter = (error as FhirError & { retryAfterSeconds?: number }).retryAfterSeconds;
    if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter));
    request.refusal = error.outcome.issue.map((i) => i.diagnostics).filter(Boolean).join('; ');
    return send(reply, error.status, error.outcome);
  }
  const e = error as FastifyError;
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return send(reply, 413, operationOutcome([issue('too-costly', `the request body is larger than the limit of ${request.routeOptions.bodyLimit ?? ''} bytes`)]));
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return send(reply, 415, operationOutcome([issue('not-supported', `content type "${request.headers['content-type'] ?? ''}" is not supported; send application/fhir+json`)]));
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return send(reply, 400, operationOutcome([issue('invalid', 'the request body is empty; a FHIR resource was expected')]));
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return send(reply, 400, operationOutcome([issue('structure', 'the request body is not valid JSON')]));
  }
  if (e instanceof SyntaxError || (e.statusCode === 400 && /JSON/i.test(e.message))) {
    return send(reply, 400, operationOutcome([issue('structure', `the request body is not valid JSON: ${e.message.slice(0, 120)}`)]));
  }
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
    return send(reply, e.statusCode, operationOutcome([issue('invalid', e.message)]));
  }
  request.log.error({ err: { message: e.message, code: e.code, stack: e.stack } }, 'internal error');
  return send(reply, 500, operationOutcome([issue('exception', `internal error (request ${request.id}); the server log has the details`)]));
}

function send(reply: FastifyReply, status: number, body: unknown) {
  return reply.code(status).type('application/fhir+json; charset=utf-8').send(body);
}
