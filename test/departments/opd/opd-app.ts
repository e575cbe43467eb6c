/**
 * A real HTTP server for the OPD tests (test/support/department-app.ts) with the OPD plugin at
 * /api/opd, as the appointment desk until the test switches the principal.
 */
import { opdPlugin } from '../../../src/departments/opd/opd-plugin.js';
import { indiaDate } from '../../../src/departments/opd/india-time.js';
import type { FhirResource, RequestContext } from '../../../src/fhir/repository/context.js';
import { startDepartmentApp, type DepartmentApp } from '../../support/department-app.js';

export const HOSPITAL = 'opd-test';

export type { Reply } from '../../support/department-app.js';

export interface OpdApp extends DepartmentApp {
  /** A patient created straight through the repository. */
  patient(given?: string): Promise<string>;
}

export const systemCtx: RequestContext = { hospitalId: HOSPITAL, actor: 'test-setup', sourceIp: null, requestId: null, requestHash: null, baseUrl: '' };

export async function startOpdApp(): Promise<OpdApp> {
  const app = await startDepartmentApp({
    hospitalId: HOSPITAL,
    principal: { role: 'appointment-desk', department: null, practitioner: null },
    routes: [{ prefix: '/api/opd', plugin: opdPlugin }],
  });
  let patients = 0;
  return Object.assign(app, {
    async patient(given = 'Ravi') {
      const n = ++patients;
      const created = await app.repo.create(systemCtx, {
        resourceType: 'Patient', name: [{ given: [given], family: `Kumar${n}` }], gender: 'male', birthDate: '1980-01-01',
      } satisfies FhirResource);
      return created.id;
    },
  });
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
