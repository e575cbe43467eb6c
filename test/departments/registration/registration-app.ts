/**
 * A real HTTP server for the registration tests: the FHIR routes and the registration plugin over a
 * FhirRepository on a migrated test database with the app role, and a fixed principal set in an
 * onRequest hook (what the auth hook does in the full server; a principal is plain data). Once the
 * lead registers registrationPlugin in src/server.ts, startTestServer() serves the same routes.
 */
import Fastify from 'fastify';
import { patientMergeRoutes } from '../../../src/departments/registration/merge-routes.js';
import { registrationPlugin } from '../../../src/departments/registration/registration-plugin.js';
import { FhirRepository } from '../../../src/fhir/repository/repository.js';
import { currentVersion } from '../../../src/fhir/repository/current-version.js';
import { fhirPlugin } from '../../../src/fhir/rest/fhir-plugin.js';
import { AccessControl } from '../../../src/security/access-control.js';
import { PatientScope } from '../../../src/security/permissions/patient-scope.js';
import type { Principal, Role } from '../../../src/security/principal.js';
import { openAppDatabase, type AppDatabase } from '../../support/app-database.js';

export const HOSPITAL = 'reg-test';

export interface RegistrationApp {
  base: string;
  database: AppDatabase;
  repo: FhirRepository;
  /** What the last request recorded for the audit trail (request.access), once it was answered. */
  readonly lastAccess?: { interaction: string; resourceType?: string; patients: string[] };
  /** The role the next requests run as (the principal's role; null: no role, like a replication credential). */
  role: Role | null;
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

export interface RegistrationAppOptions {
  /** Also register patientMergeRoutes under /api/registration (as the lead wires it in src/server.ts). */
  merge?: { maxReferences?: number };
}

export async function startRegistrationApp(options: RegistrationAppOptions = {}): Promise<RegistrationApp> {
  const database = await openAppDatabase({ hospitalId: HOSPITAL, appPoolSize: 8 });
  const repo = new FhirRepository(database.app);
  const access = new AccessControl(new PatientScope(repo), async (hospital, type, id) => {
    const found = await currentVersion(database.app, hospital, type, id);
    return found && !found.deleted ? found.resource : null;
  });
  const app = Fastify({ bodyLimit: 16 * 1024 * 1024 });
  const state: { role: Role | null } = { role: 'registration-clerk' };
  const seen: { access?: RegistrationApp['lastAccess'] } = {};
  app.addHook('onRequest', async (request) => {
    const principal: Principal = { hospitalId: HOSPITAL, principal: 'user:test-clerk', scope: 'fhir', role: state.role, kind: 'token', department: null, ward: null };
    request.principal = principal;
  });
  app.addHook('onResponse', async (request) => {
    const a = request.access;
    seen.access = a ? { interaction: a.interaction, resourceType: a.resourceType, patients: [...a.patients] } : undefined;
  });
  await app.register(fhirPlugin, { prefix: '/fhir/R4', repo, access });
  await app.register(registrationPlugin, { prefix: '/api/registration', repo, db: database.app, access });
  if (options.merge) await app.register(patientMergeRoutes, { prefix: '/api/registration', repo, access, ...options.merge });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  const started: RegistrationApp = {
    base: url, database, repo,
    get lastAccess() { return seen.access; },
    get role() { return state.role; },
    set role(r: Role | null) { state.role = r; },
    request: (method, path, body, headers) => requestJson(url, method, path, body, headers),
    async close() {
      await app.close();
      await database.close();
    },
  };
  return started;
}

/** A request to a department app: JSON in (FHIR JSON under /fhir), JSON out. */
export async function requestJson(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': path.startsWith('/fhir') ? 'application/fhir+json' : 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

/** The expressions an OperationOutcome names. */
export function fieldsNamed(outcome: { issue?: Array<{ expression?: string[] }> }): string[] {
  return (outcome.issue ?? []).flatMap((i) => i.expression ?? []);
}
