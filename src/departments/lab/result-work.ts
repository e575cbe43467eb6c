/**
 * What result entry works on, read in one go (under the chain lock when writing): a specimen, the
 * patient, and for each order the sample serves its catalogue test, its report and the current
 * Observation of each analyte (ids are deterministic, so no search is needed).
 */
import type { FhirResource } from '../../fhir/repository/context.js';
import { currentVersion, type StoredVersion } from '../../fhir/repository/current-version.js';
import { FhirError, issue } from '../../fhir/outcome.js';
import type { Analyte, LabTest } from '../../hospital/seed/lab-catalogue.js';
import type { Queryable } from '../../store/database.js';
import { observationId, reportId } from './lab-fhir.js';
import { analytesOf, testOfOrder } from './result-catalogue.js';

export interface Live {
  resource: FhirResource;
  version: StoredVersion;
}

export interface OrderWork {
  order: Live;
  test: LabTest;
  analytes: Analyte[];
  report?: Live;
  /** Current Observation per analyte key, for those entered. */
  observations: Map<string, Live>;
}

export interface SpecimenWork {
  specimen: Live;
  patient?: FhirResource;
  orders: OrderWork[];
}

export type SpecimenState = 'collected' | 'received' | 'rejected';

export const refId = (reference: unknown): string => String((reference as { reference?: string } | undefined)?.reference ?? '').split('/').pop() ?? '';

export async function live(tx: Queryable, hospitalId: string, type: string, id: string): Promise<Live | undefined> {
  const found = await currentVersion(tx, hospitalId, type, id);
  return found && !found.deleted && found.resource ? { resource: found.resource, version: found } : undefined;
}

/**
 * The live current versions of many resources of one type, in one query: the work of a tube is read
 * under the chain lock, so a round trip per analyte would hold every other writer back.
 */
export async function liveMany(tx: Queryable, hospitalId: string, type: string, ids: readonly string[]): Promise<Map<string, Live>> {
  const found = new Map<string, Live>();
  if (ids.length === 0) return found;
  const rows = await tx.query(
    `SELECT c.id, c.version_id, c.last_updated, v.resource
       FROM resource_current c
       JOIN resource_version v USING (hospital_id, resource_type, id, version_id)
      WHERE c.hospital_id = $1 AND c.resource_type = $2 AND c.id = ANY($3::text[]) AND NOT c.deleted`,
    [hospitalId, type, [...new Set(ids)]], 'lab-live-many',
  );
  for (const row of rows) {
    if (!row.resource) continue;
    const version: StoredVersion = { versionId: row.version_id, lastUpdated: new Date(row.last_updated).toISOString(), deleted: false, resource: row.resource };
    found.set(row.id as string, { resource: row.resource as FhirResource, version });
  }
  return found;
}

/** Which of these ids name a live (not deleted) resource of the type: one query for many. */
export async function liveIds(tx: Queryable, hospitalId: string, type: string, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await tx.query(
    'SELECT id FROM resource_current WHERE hospital_id = $1 AND resource_type = $2 AND id = ANY($3::text[]) AND NOT deleted',
    [hospitalId, type, [...new Set(ids)]], 'lab-live-ids',
  );
  return new Set(rows.map((r) => r.id as string));
}

export function specimenState(specimen: FhirResource): SpecimenState {
  if (specimen.status === 'unsatisfactory') return 'rejected';
  return specimen.receivedTime ? 'received' : 'collected';
}

export const accessionOf = (specimen: FhirResource): string =>
  (specimen.accessionIdentifier as { value?: string } | undefined)?.value ?? '';

export const collectedAt = (specimen: FhirResource): string | undefined =>
  (specimen.collection as { collectedDateTime?: string } | undefined)?.collectedDateTime;

export async function orderWork(tx: Queryable, hospitalId: string, order: Live): Promise<OrderWork | undefined> {
  const test = testOfOrder(order.resource);
  if (!test) return undefined;
  const srId = order.resource.id as string;
  const analytes = analytesOf(test);
  const entered = await liveMany(tx, hospitalId, 'Observation', analytes.map((a) => observationId(srId, a.key)));
  const observations = new Map<string, Live>();
  for (const a of analytes) {
    const found = entered.get(observationId(srId, a.key));
    if (found) observations.set(a.key, found);
  }
  return { order, test, analytes, report: await live(tx, hospitalId, 'DiagnosticReport', reportId(srId)), observations };
}

/** The specimen and everything hanging off it; 404 when there is no such specimen. */
export async function loadSpecimenWork(tx: Queryable, hospitalId: string, specimenId: string): Promise<SpecimenWork> {
  const specimen = await live(tx, hospitalId, 'Specimen', specimenId);
  if (!specimen) throw new FhirError(404, issue('not-found', `Specimen/${specimenId} does not exist`));
  const patientId = refId(specimen.resource.subject);
  const patient = patientId ? (await live(tx, hospitalId, 'Patient', patientId))?.resource : undefined;
  const orders: OrderWork[] = [];
  for (const r of (specimen.resource.request as unknown[] | undefined) ?? []) {
    const order = await live(tx, hospitalId, 'ServiceRequest', refId(r));
    const work = order ? await orderWork(tx, hospitalId, order) : undefined;
    if (work) orders.push(work);
  }
  return { specimen, patient, orders };
}

/** The work of one report (its order's first specimen); 404 when there is no such report. */
export async function loadReportWork(tx: Queryable, hospitalId: string, id: string): Promise<{ work: SpecimenWork; order: OrderWork }> {
  const report = await live(tx, hospitalId, 'DiagnosticReport', id);
  if (!report) throw new FhirError(404, issue('not-found', `DiagnosticReport/${id} does not exist`));
  const specimenId = refId((report.resource.specimen as unknown[] | undefined)?.[0]);
  const work = await loadSpecimenWork(tx, hospitalId, specimenId);
  const order = work.orders.find((o) => o.report?.resource.id === id);
  if (!order) throw new FhirError(404, issue('not-found', `DiagnosticReport/${id} has no order on Specimen/${specimenId}`));
  return { work, order };
}

/** Every analyte of the order has a value. */
export const complete = (o: OrderWork) => o.analytes.every((a) => o.observations.has(a.key));
