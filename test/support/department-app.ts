/**
 * A real HTTP server for a department's API tests: the FHIR routes and the department's route
 * plugins (each registered at its prefix with { repo, db, access }) over a FhirRepository on a
 * migrated test database with the app role and the demo hospital seeded (departments, staff, rooms,
 * the lab catalogue). Every request carries a fixed principal set in an onRequest hook, whose role,
 * department and Practitioner the test can switch between requests; the access the last request was
 * checked for (interaction, type, patients) is kept for the audit assertions.
 *
 * The OPD and lab fixtures (test/departments/opd/opd-app.ts, test/departments/lab/lab-app.ts) add
 * their department's own helpers on top of this.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import type { FhirResource, RequestContext } from '../../src/fhir/repository/context.js';
import { currentVersion } from '../../src/fhir/repository/current-version.js';
import { FhirRepository } from '../../src/fhir/repository/repository.js';
import { fhirPlugin } from '../../src/fhir/rest/fhir-plugin.js';
import { seedDemoHospital } from '../../src/hospital/seed/seed-hospital.js';
import { AccessControl } from '../../src/security/access-control.js';
import { PatientScope } from '../../src/security/permissions/patient-scope.js';
import type { Principal, Role } from '../../src/security/principal.js';
import { openAppDatabase, type AppDatabase } from './app-database.js';
import { requestJson } from '../departments/registration/registration-app.js';

export interface Reply { status: number; body: any; headers: Headers }

/** Who the requests come from: switchable between requests. */
export interface PrincipalState {
  role: Role | null;
  department: string | null;
  practitioner: string | null;
}

export interface RouteOptions {
  repo: FhirRepository;
  db: AppDatabase['app'];
  access: AccessControl;
}

export interface DepartmentAppOptions {
  hospitalId: string;
  /** The principal of the first request. */
  principal: PrincipalState;
  /** Principal.principal from the state (default 'user:test-desk'). */
  principalName?: (state: PrincipalState) => string;
  /** The department's routes: each plugin at its prefix. */
  routes: Array<{ prefix: string; plugin: (app: FastifyInstance, options: RouteOptions) => Promise<void> }>;
}

export interface DepartmentApp extends PrincipalState {
  base: string;
  database: AppDatabase;
  repo: FhirRepository;
  /** The RequestContext of fixtures written straight through the repository. */
  systemCtx: RequestContext;
  readonly lastAccess?: { interaction: string; resourceType?: string; patients: string[] };
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Reply>;
  /** A GET. */
  get(path: string): Promise<Reply>;
  /** A POST with a fresh X-Request-Id (or the one given, to replay). */
  post(path: string, body?: unknown, requestId?: string): Promise<Reply>;
  /** Runs `work` as `principal`, then puts the test's principal back. */
  as<T>(principal: PrincipalState, work: () => Promise<T>): Promise<T>;
  ledgerEntries(): Promise<number>;
  close(): Promise<void>;
}

export async function startDepartmentApp(options: DepartmentAppOptions): Promise<DepartmentApp> {
  const hospitalId = options.hospitalId;
  const database = await openAppDatabase({ hospitalId, appPoolSize: 8 });
  const repo = new FhirRepository(database.app);
  await seedDemoHospital(repo, hospitalId);
  const access = new AccessControl(new PatientScope(repo), async (hospital, type, id) => {
    const found = await currentVersion(database.app, hospital, type, id);
    return found && !found.deleted ? found.resource as FhirResource : null;
  });
  const app = Fastify({ bodyLimit: 16 * 1024 * 1024 });
  const state: PrincipalState = { ...options.principal };
  const nameOf = options.principalName ?? (() => 'user:test-desk');
  const seen: { access?: DepartmentApp['lastAccess'] } = {};
  app.addHook('onRequest', async (request) => {
    const principal: Principal = {
      hospitalId, principal: nameOf(state), scope: 'fhir', role: state.role, kind: 'token',
      department: state.department, ward: null, practitioner: state.practitioner,
    };
    request.principal = principal;
  });
  app.addHook('onResponse', async (request) => {
    const a = request.access;
    seen.access = a ? { interaction: a.interaction, resourceType: a.resourceType, patients: [...a.patients] } : undefined;
  });
  await app.register(fhirPlugin, { prefix: '/fhir/R4', repo, access });
  for (const { prefix, plugin } of options.routes) await app.register(plugin, { prefix, repo, db: database.app, access });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  const started: DepartmentApp = {
    base: url, database, repo,
    systemCtx: { hospitalId, actor: 'test-setup', sourceIp: null, requestId: null, requestHash: null, baseUrl: '' },
    get lastAccess() { return seen.access; },
    get role() { return state.role; },
    set role(r: Role | null) { state.role = r; },
    get department() { return state.department; },
    set department(d: string | null) { state.department = d; },
    get practitioner() { return state.practitioner; },
    set practitioner(p: string | null) { state.practitioner = p; },
    request: (method, path, body, headers) => requestJson(url, method, path, body, headers),
    get: (path) => requestJson(url, 'GET', path),
    post(path, body = {}, requestId = randomUUID()) {
      return started.request('POST', path, body, { 'x-request-id': requestId });
    },
    async as(principal, work) {
      const saved = { ...state };
      Object.assign(state, principal);
      try {
        return await work();
      } finally {
        Object.assign(state, saved);
      }
    },
    async ledgerEntries() {
      const [row] = await database.admin.query<{ n: string }>('SELECT count(*) AS n FROM ledger_entry WHERE hospital_id = $1', [hospitalId]);
      return Number(row.n);
    },
    async close() {
      await app.close();
      await database.close();
    },
  };
  return started;
}
