/**
 * A real HTTP server for the OPD tests: the FHIR routes and the OPD plugin over a FhirRepository on
 * a migrated test database with the app role, the demo hospital seeded (departments, doctors, OPD
 * rooms), and a fixed principal set in an onRequest hook whose role (and department, for a doctor)
 * the test can switch. Once the lead registers opdPlugin in src/server.ts, startTestServer() serves
 * the same routes.
 */
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import { opdPlugin } from '../../../src/departments/opd/opd-plugin.js';
import { indiaDate } from '../../../src/departments/opd/india-time.js';
import type { FhirResource, RequestContext } from '../../../src/fhir/repository/context.js';
import { currentVersion } from '../../../src/fhir/repository/current-version.js';
import { FhirRepository } from '../../../src/fhir/repository/repository.js';
import { fhirPlugin } from '../../../src/fhir/rest/fhir-plugin.js';
import { seedDemoHospital } from '../../../src/hospital/seed/seed-hospital.js';
import { AccessControl } from '../../../src/security/access-control.js';
import { PatientScope } from '../../../src/security/permissions/patient-scope.js';
import type { Principal, Role } from '../../../src/security/principal.js';
import { openAppDatabase, type AppDatabase } from '../../support/app-database.js';
import { requestJson } from '../registration/registration-app.js';

export const HOSPITAL = 'opd-test';

export interface Reply { status: number; body: any; headers: Headers }

export interface OpdApp {
  base: string;
  database: AppDatabase;
  repo: FhirRepository;
  readonly lastAccess?: { interaction: string; resourceType?: string; patients: string[] };
  /** The principal of the next requests: its role, and the department/practitioner of a doctor. */
  role: Role | null;
  department: string | null;
  practitioner: string | null;
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Reply>;
  /** A POST with a fresh X-Request-Id. */
  post(path: string, body?: unknown): Promise<Reply>;
  /** A patient created straight through the repository. */
  patient(given?: string): Promise<string>;
  ledgerEntries(): Promise<number>;
  close(): Promise<void>;
}

export const systemCtx: RequestContext = { hospitalId: HOSPITAL, actor: 'test-setup', sourceIp: null, requestId: null, requestHash: null, baseUrl: '' };

export async function startOpdApp(): Promise<OpdApp> {
  const database = await openAppDatabase({ hospitalId: HOSPITAL, appPoolSize: 8 });
  const repo = new FhirRepository(database.app);
  await seedDemoHospital(repo, HOSPITAL);
  const access = new AccessControl(new PatientScope(repo), async (hospital, type, id) => {
    const found = await currentVersion(database.app, hospital, type, id);
    return found && !found.deleted ? found.resource : null;
  });
  const app = Fastify({ bodyLimit: 16 * 1024 * 1024 });
  const state: { role: Role | null; department: string | null; practitioner: string | null } = { role: 'appointment-desk', department: null, practitioner: null };
  const seen: { access?: OpdApp['lastAccess'] } = {};
  app.addHook('onRequest', async (request) => {
    const principal: Principal = {
      hospitalId: HOSPITAL, principal: 'user:test-desk', scope: 'fhir', role: state.role, kind: 'token',
      department: state.department, ward: null, practitioner: state.practitioner,
    };
    request.principal = principal;
  });
  app.addHook('onResponse', async (request) => {
    const a = request.access;
    seen.access = a ? { interaction: a.interaction, resourceType: a.resourceType, patients: [...a.patients] } : undefined;
  });
  await app.register(fhirPlugin, { prefix: '/fhir/R4', repo, access });
  await app.register(opdPlugin, { prefix: '/api/opd', repo, db: database.app, access });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  let patients = 0;
  const started: OpdApp = {
    base: url, database, repo,
    get lastAccess() { return seen.access; },
    get role() { return state.role; },
    set role(r: Role | null) { state.role = r; },
    get department() { return state.department; },
    set department(d: string | null) { state.department = d; },
    get practitioner() { return state.practitioner; },
    set practitioner(p: string | null) { state.practitioner = p; },
    request: (method, path, body, headers) => requestJson(url, method, path, body, headers),
    post(path, body = {}) {
      return started.request('POST', path, body, { 'x-request-id': randomUUID() });
    },
    async patient(given = 'Ravi') {
      const n = ++patients;
      const created = await repo.create(systemCtx, {
        resourceType: 'Patient', name: [{ given: [given], family: `Kumar${n}` }], gender: 'male', birthDate: '1980-01-01',
      } satisfies FhirResource);
      return created.id;
    },
    async ledgerEntries() {
      const [row] = await database.admin.query<{ n: string }>('SELECT count(*) AS n FROM ledger_entry WHERE hospital_id = $1', [HOSPITAL]);
      return Number(row.n);
    },
    async close() {
      await app.close();
      await database.close();
    },
  };
  return started;
}

export { fieldsNamed } from '../registration/registration-app.js';

/** A date `days` from today in India. */
export function inDays(days: number): string {
  return indiaDate(new Date(Date.now() + days * 86_400_000));
}

/** The first date on or after `from` that falls on `weekday` (0 Sunday … 6 Saturday). */
export function nextWeekday(from: string, weekday: number): string {
  const t = Date.parse(`${from}T00:00:00Z`);
  const day = new Date(t).getUTCDay();
  return new Date(t + ((weekday - day + 7) % 7) * 86_400_000).toISOString().slice(0, 10);
}

export const ALL_DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
