/**
 * Reports every FHIR request, once answered, as an AccessRecord to the sinks (the audit trail, the
 * access watch): allowed or refused, read or write, signed in or not. Runs onResponse, after the
 * answer has gone, so auditing never holds up the desk; the sinks queue and write in batches.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AccessInteraction, AccessRecord, AccessSink, AuditAction } from '../audit/access-record.js';

const ACTION: Record<AccessInteraction, AuditAction> = {
  read: 'R', vread: 'R', search: 'E', history: 'R', capabilities: 'R', create: 'C', update: 'U', patch: 'U', delete: 'D',
  batch: 'E', transaction: 'E', login: 'E', logout: 'E', operation: 'E',
};

const INTERACTION_BY_METHOD: Record<string, AccessInteraction> = { GET: 'read', HEAD: 'read', POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

export interface AccessLogOptions {
  /** Areas whose every request is reported: the FHIR API and the departments' /api routes. */
  prefixes: string[];
  /** The accounts routes: every sign-in attempt is reported as a login, successful or not. */
  accountsPrefix?: string;
  sinks: AccessSink[];
  /** Whose trail a request goes into when nobody authenticated (a 401, a failed sign-in). */
  hospitalId: string;
}

export function accessLogHook(app: FastifyInstance, options: AccessLogOptions): void {
  const login = options.accountsPrefix ? `${options.accountsPrefix}/login` : undefined;
  app.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
    if (options.sinks.length === 0) return;
    const path = request.url.split('?', 1)[0];
    let record: AccessRecord | undefined;
    if (path === login) record = signInRecordOf(request, reply, options.hospitalId);
    else {
      const prefix = options.prefixes.find((p) => request.url.startsWith(p));
      if (prefix) record = accessRecordOf(request, reply, prefix, options.hospitalId);
    }
    if (!record) return;
    for (const sink of options.sinks) {
      try {
        sink.record(record);
      } catch (err) {
        request.log.error({ err: { message: (err as Error).message } }, 'an access sink failed');
      }
    }
  });
}

/**
 * A sign-in attempt: who tried (the username given, if it is one a username could be: it is the
 * attacker's text on a brute-force attempt), from where, and whether it worked.
 */
function signInRecordOf(request: FastifyRequest, reply: FastifyReply, hospitalId: string): AccessRecord {
  const given = (request.body as { username?: unknown } | undefined)?.username;
  const username = typeof given === 'string' && /^[A-Za-z0-9._-]{1,64}$/.test(given) ? given.toLowerCase() : undefined;
  const record = accessRecordOf(request, reply, request.url, hospitalId);
  return {
    ...record,
    principal: username ? `user:${username}` : 'anonymous',
    interaction: 'login', action: 'E', purpose: 'HOPERAT',
  };
}

export function accessRecordOf(request: FastifyRequest, reply: FastifyReply, prefix: string, hospitalId: string): AccessRecord {
  const state = request.access;
  const principal = request.principal;
  const q = request.url.indexOf('?');
  const path = q < 0 ? request.url : request.url.slice(0, q);
  // Before the route ran (401, 404 of an unknown route, a body that would not parse): what the URL says.
  const [type, id] = path.slice(prefix.length).replace(/^\//, '').split('/');
  const interaction = state?.interaction ?? (request.method === 'GET' && type && !id ? 'search' : INTERACTION_BY_METHOD[request.method] ?? 'operation');
  const status = reply.statusCode;
  const resourceType = state?.resourceType ?? (type && /^[A-Z][A-Za-z]{1,63}$/.test(type) ? type : undefined);
  const resourceId = state?.resourceId ?? (id && !id.startsWith('_') ? id.slice(0, 64) : undefined);
  const clientRequestId = request.headers['x-request-id'];
  return {
    hospitalId: principal?.hospitalId ?? hospitalId,
    time: new Date(Date.now() - reply.elapsedTime).toISOString(),
    principal: principal?.principal ?? 'anonymous',
    role: principal?.role ?? null,
    ...(principal?.userId ? { userId: principal.userId } : {}),
    action: ACTION[interaction],
    interaction,
    ...(resourceType ? { resourceType } : {}),
    ...(resourceId ? { resourceId } : {}),
    ...(q >= 0 && (interaction === 'search' || interaction === 'history') ? { query: request.url.slice(q + 1, q + 1 + 2000) } : {}),
    status,
    outcome: status < 400 ? '0' : status < 500 ? '4' : '8',
    ...(status >= 400 ? { outcomeDescription: `HTTP ${status}${request.refusal ? `: ${request.refusal.slice(0, 500)}` : ''}` } : {}),
    patients: state ? [...state.patients] : [],
    purpose: state?.breakGlassReason ? 'BTG' : principal?.role === 'admin' || principal?.role === 'bootstrap' ? 'HOPERAT' : 'TREAT',
    ...(state?.breakGlassReason ? { breakGlassReason: state.breakGlassReason } : {}),
    sourceIp: request.ip ?? null,
    userAgent: typeof request.headers['user-agent'] === 'string' ? request.headers['user-agent'].slice(0, 300) : null,
    requestId: request.id,
    ...(typeof clientRequestId === 'string' ? { clientRequestId: clientRequestId.slice(0, 128) } : {}),
    method: request.method,
    path: path.slice(0, 300),
  };
}
