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
import type { FastifyInstance } from 'fastify';
import type { LabRouteOptions } from '../../../src/departments/lab/lab-route-options.js';
import { uhidOf, FIRST_SERIAL, UHID_SYSTEM } from '../../../src/departments/registration/uhid.js';
import type { FhirResource, RequestContext } from '../../../src/fhir/repository/context.js';
import { currentVersion } from '../../../src/fhir/repository/current-version.js';
import { startDepartmentApp, type DepartmentApp, type PrincipalState } from '../../support/department-app.js';

export const HOSPITAL = 'lab-test';
/** The seeded lab technician and a seeded doctor (hospital/seed/staff.ts). */
export const LAB_TECHNICIAN = 'rahul-gupta';
export const DOCTOR = 'dr-anita-rao';

export type LabPlugin = (app: FastifyInstance, opts: LabRouteOptions) => Promise<void>;

export type { Reply } from '../../support/department-app.js';

export interface LabOrderOptions {
  priority?: 'routine' | 'urgent' | 'stat';
  /** When it was ordered (ServiceRequest.authoredOn); default now. */
  authoredOn?: string;
  encounter?: string;
  /** The ordering doctor's Practitioner id; default DOCTOR. */
  requester?: string;
}

export interface LabApp extends DepartmentApp {
  /** A patient created straight through the repository, with a UHID; returns its id. */
  patient(given?: string, options?: { gender?: string; birthDate?: string }): Promise<string>;
  /** Lab orders (ServiceRequests) for the patient, one per ActivityDefinition id (lab-cbc …); returns their ids in order. */
  orders(patient: string, tests: string[], options?: LabOrderOptions): Promise<string[]>;
  /** POST /api/lab/collections as the lab technician; returns the SpecimenViews. */
  collect(patient: string, orders: string[], collectedAt?: string): Promise<any[]>;
  /** POST /api/lab/specimens/:id/receive as the lab technician; returns the SpecimenView. */
  receive(specimen: string): Promise<any>;
}

export const systemCtx: RequestContext = { hospitalId: HOSPITAL, actor: 'test-setup', sourceIp: null, requestId: null, requestHash: null, baseUrl: '' };

const AS_LAB: PrincipalState = { role: 'lab-technician', department: null, practitioner: LAB_TECHNICIAN };

export async function startLabApp(plugins: LabPlugin[]): Promise<LabApp> {
  const app = await startDepartmentApp({
    hospitalId: HOSPITAL,
    principal: AS_LAB,
    principalName: (state) => `user:test-${state.role ?? 'none'}`,
    routes: plugins.map((plugin) => ({ prefix: '/api/lab', plugin })),
  });
  let patients = 0;
  return Object.assign(app, {
    async patient(given = 'Ravi', options: { gender?: string; birthDate?: string } = {}) {
      const n = ++patients;
      const created = await app.repo.create(systemCtx, {
        resourceType: 'Patient', identifier: [{ system: UHID_SYSTEM, value: uhidOf(FIRST_SERIAL + n) }],
        name: [{ given: [given], family: `Kumar${n}` }], gender: options.gender ?? 'male', birthDate: options.birthDate ?? '1980-01-01',
      } satisfies FhirResource);
      return created.id;
    },
    async orders(patient: string, tests: string[], options: LabOrderOptions = {}) {
      const authoredOn = options.authoredOn ?? new Date().toISOString();
      const requester = options.requester ?? DOCTOR;
      const ids: string[] = [];
      for (const test of tests) {
        const found = await currentVersion(app.database.app, HOSPITAL, 'ActivityDefinition', test);
        if (!found?.resource) throw new Error(`lab-app: no ActivityDefinition/${test} in the seeded catalogue`);
        const definition = found.resource;
        const created = await app.repo.create(systemCtx, {
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
    collect: (patient: string, orderIds: string[], collectedAt?: string) => app.as(AS_LAB, async () => {
      const reply = await app.post('/api/lab/collections', { patient, orders: orderIds, ...(collectedAt ? { collectedAt } : {}) });
      if (reply.status !== 201 && reply.status !== 200) throw new Error(`lab-app: collection failed ${reply.status} ${JSON.stringify(reply.body)}`);
      return reply.body.specimens as any[];
    }),
    receive: (specimen: string) => app.as(AS_LAB, async () => {
      const reply = await app.post(`/api/lab/specimens/${specimen}/receive`, {});
      if (reply.status !== 200) throw new Error(`lab-app: receipt failed ${reply.status} ${JSON.stringify(reply.body)}`);
      return reply.body;
    }),
  });
}

export { fieldsNamed } from '../registration/registration-app.js';
