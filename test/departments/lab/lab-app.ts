/**
 * A real HTTP server for the laboratory tests: the FHIR routes and the lab route plugins given
 * (labSpecimenRoutes, labResultRoutes …, each at /api/lab) over a FhirRepository on a migrated test
 * database with the app role and the demo hospital seeded (the lab catalogue, the staff). Every
 * request carries a fixed principal whose role and practitioner the test can switch; the default is
 * the lab technician Rahul Gupta.
 *
 * `orders()` writes lab ServiceRequests straight through the repository, in the shape the doctor's
 * consultation writes them, so a test can set when they were ordered (for turnaround figures) and
 * does not depend on the order routes. `collect()` and `receive()` go through the specimen routes
 * (they need labSpecimenRoutes among the plugins).
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import type { LabRouteOptions } from '../../../src/departments/lab/lab-route-options.js';
import { uhidOf, FIRST_SERIAL, UHID_SYSTEM } from '../../../src/departments/registration/uhid.js';
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

export const HOSPITAL = 'lab-test';
/** The seeded lab technician and a seeded doctor (hospital/seed/staff.ts). */
export const LAB_TECHNICIAN = 'rahul-gupta';
export const DOCTOR = 'dr-anita-rao';

export type LabPlugin = (app: FastifyInstance, opts: LabRouteOptions) => Promise<void>;

export interface Reply { status: number; body: any; headers: Headers }

export interface LabOrderOptions {
  priority?: 'routine' | 'urgent' | 'stat';
  /** When it was ordered (ServiceRequest.authoredOn); default now. */
  authoredOn?: string;
  encounter?: string;
  /** The ordering doctor's Practitioner id; default DOCTOR. */
  requester?: string;
}

export interface LabApp {
  base: string;
  database: AppDatabase;
  repo: FhirRepository;
  readonly lastAccess?: { interaction: string; resourceType?: string; patients: string[] };
  /** The principal of the next requests: its role, department (a doctor's) and Practitioner id. */
  role: Role | null;
  department: string | null;
  practitioner: string | null;
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Reply>;
  /** A GET. */
  get(path: string): Promise<Reply>;
  /** A POST with a fresh X-Request-Id (or the one given, to replay). */
  post(path: string, body?: unknown, requestId?: string): Promise<Reply>;
  /** A patient created straight through the repository, with a UHID; returns its id. */
  patient(given?: string, options?: { gender?: string; birthDate?: string }): Promise<string>;
  /** Lab orders (ServiceRequests) for the patient, one per ActivityDefinition id (lab-cbc …); returns their ids in order. */
  orders(patient: string, tests: string[], options?: LabOrderOptions): Promise<string[]>;
  /** POST /api/lab/collections as the lab technician; returns the SpecimenViews. */
  collect(patient: string, orders: string[], collectedAt?: string): Promise<any[]>;
  /** POST /api/lab/specimens/:id/receive as the lab technician; returns the SpecimenView. */
  receive(specimen: string): Promise<any>;
  ledgerEntries(): Promise<number>;
  close(): Promise<void>;
}

export const systemCtx: RequestContext = { hospitalId: HOSPITAL, actor: 'test-setup', sourceIp: null, requestId: null, requestHash: null, baseUrl: '' };

export async function startLabApp(plugins: LabPlugin[]): Promise<LabApp> {
  const database = await openAppDatabase({ hospitalId: HOSPITAL, appPoolSize: 8 });
  const repo = new FhirRepository(database.app);
  await seedDemoHospital(repo, HOSPITAL);
  const access = new AccessControl(new PatientScope(repo), async (hospital, type, id) => {
    const found = await currentVersion(database.app, hospital, type, id);
    return found && !found.deleted ? found.resource : null;
  });
  const app = Fastify({ bodyLimit: 16 * 1024 * 1024 });
  const state: { role: Role | null; department: string | null; practitioner: string | null } = { role: 'lab-technician', department: null, practitioner: LAB_TECHNICIAN };
  const seen: { access?: LabApp['lastAccess'] } = {};
  app.addHook('onRequest', async (request) => {
    const principal: Principal = {
      hospitalId: HOSPITAL, principal: `user:test-${state.role ?? 'none'}`, scope: 'fhir', role: state.role, kind: 'token',
      department: state.department, ward: null, practitioner: state.practitioner,
    };
    request.principal = principal;
  });
  app.addHook('onResponse', async (request) => {
    const a = request.access;
    seen.access = a ? { interaction: a.interaction, resourceType: a.resourceType, patients: [...a.patients] } : undefined;
  });
  await app.register(fhirPlugin, { prefix: '/fhir/R4', repo, access });
  for (const plugin of plugins) await app.register(plugin, { prefix: '/api/lab', repo, db: database.app, access });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  let patients = 0;
  const asLab = async <T>(work: () => Promise<T>): Promise<T> => {
    const saved = { ...state };
    Object.assign(state, { role: 'lab-technician', department: null, practitioner: LAB_TECHNICIAN });
    try { return await work(); } finally { Object.assign(state, saved); }
  };
  const started: LabApp = {
    base: url, database, repo,
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
    async patient(given = 'Ravi', options = {}) {
      const n = ++patients;
      const created = await repo.create(systemCtx, {
        resourceType: 'Patient', identifier: [{ system: UHID_SYSTEM, value: uhidOf(FIRST_SERIAL + n) }],
        name: [{ given: [given], family: `Kumar${n}` }], gender: options.gender ?? 'male', birthDate: options.birthDate ?? '1980-01-01',
      } satisfies FhirResource);
      return created.id;
    },
    async orders(patient, tests, options = {}) {
      const authoredOn = options.authoredOn ?? new Date().toISOString();
      const requester = options.requester ?? DOCTOR;
      const ids: string[] = [];
      for (const test of tests) {
        const found = await currentVersion(database.app, HOSPITAL, 'ActivityDefinition', test);
        if (!found?.resource) throw new Error(`lab-app: no ActivityDefinition/${test} in the seeded catalogue`);
        const definition = found.resource;
        const created = await repo.create(systemCtx, {
          resourceType: 'ServiceRequest', instantiatesCanonical: [definition.url as string],
          status: 'active', intent: 'order', priority: options.priority ?? 'routine',
          category: [{ coding: [{ system: 'http://snomed.info/sct', code: '108252007', display: 'Laboratory procedure' }], text: 'Laboratory' }],
          code: definition.code, subject: { reference: `Patient/${patient}` },
          ...(options.encounter ? { encounter: { reference: `Encounter/${options.encounter}` } } : {}),
          authoredOn, requester: { reference: `Practitioner/${requester}` },
        } as FhirResource);
        ids.push(created.id);
      }
      return ids;
    },
    collect: (patient, orderIds, collectedAt) => asLab(async () => {
      const reply = await started.post('/api/lab/collections', { patient, orders: orderIds, ...(collectedAt ? { collectedAt } : {}) });
      if (reply.status !== 201 && reply.status !== 200) throw new Error(`lab-app: collection failed ${reply.status} ${JSON.stringify(reply.body)}`);
      return reply.body.specimens as any[];
    }),
    receive: (specimen) => asLab(async () => {
      const reply = await started.post(`/api/lab/specimens/${specimen}/receive`, {});
      if (reply.status !== 200) throw new Error(`lab-app: receipt failed ${reply.status} ${JSON.stringify(reply.body)}`);
      return reply.body;
    }),
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
