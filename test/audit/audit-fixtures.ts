/** Access records as the request pipeline builds them, and a database to audit into, for the audit trail's tests. */
import pg from 'pg';
import type { AccessRecord, AuditRecord } from '../../src/audit/access-record.js';
import { FhirRepository } from '../../src/fhir/repository/repository.js';
import { appRoleName, ensureAppRole } from '../../src/store/app-role.js';
import { connectDatabase, type Database, type Queryable } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrate.js';
import { ensureHospital } from '../../src/store/open-store.js';
import { createTestDatabase, testAdminUrl } from '../support/database.js';

let counter = 0;

/** A successful read of Patient/p1 by user:asha (doctor) from 10.20.30.40, unless overridden. */
export function accessRecord(overrides: Partial<AccessRecord> = {}): AccessRecord {
  counter++;
  return {
    hospitalId: 'demo',
    time: new Date(Date.UTC(2025, 2, 1, 10, 0, 0, counter)).toISOString(),
    principal: 'user:asha',
    role: 'doctor',
    action: 'R',
    interaction: 'read',
    resourceType: 'Patient',
    resourceId: 'p1',
    status: 200,
    outcome: '0',
    patients: ['Patient/p1'],
    purpose: 'TREAT',
    sourceIp: '10.20.30.40',
    userAgent: 'Mozilla/5.0 (Nirantar desk)',
    requestId: `req-${counter}`,
    method: 'GET',
    path: '/fhir/R4/Patient/p1',
    ...overrides,
  };
}

/** A search of Observations by a nurse that returned these patients. */
export function searchRecord(patients: string[], overrides: Partial<AccessRecord> = {}): AccessRecord {
  return accessRecord({
    principal: 'user:meera', role: 'nurse', interaction: 'search', resourceType: 'Observation', resourceId: undefined,
    query: 'code=http://loinc.org|718-7&_count=20', patients, path: '/fhir/R4/Observation', sourceIp: '10.20.30.41', ...overrides,
  });
}

/**
 * A migrated throwaway database with hospitals demo and north, the application's restricted role,
 * and a FHIR repository (its writer is what the audit trail writes through) on that role.
 */
export async function openAuditStore(): Promise<AuditStore> {
  const scratch = await createTestDatabase('nirantar_audit');
  const admin = connectDatabase(scratch.url, { max: 2 });
  await migrate(admin);
  const appUrl = await ensureAppRole(admin, scratch.url);
  const app = connectDatabase(appUrl, { max: 4 });
  await ensureHospital(admin, 'demo', 'Demo Hospital');
  await ensureHospital(admin, 'north', 'North District Hospital');
  return {
    url: scratch.url, appUrl, admin, app, repo: new FhirRepository(app),
    async close() {
      await app.close();
      await admin.close();
      await scratch.drop();
      const c = new pg.Client({ connectionString: testAdminUrl() });
      await c.connect();
      await c.query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(appRoleName(scratch.name))}`);
      await c.end();
    },
  };
}

export interface AuditStore {
  /** The owner's URL, and the application role's. */
  url: string;
  appUrl: string;
  admin: Database;
  app: Database;
  repo: FhirRepository;
  close(): Promise<void>;
}

/** The audit ledger entries of a hospital: seq and the number of events each holds. */
export async function auditEntries(db: Queryable, hospitalId = 'demo'): Promise<Array<{ seq: number; events: number }>> {
  const rows = await db.query<{ seq: number; body: string }>(
    "SELECT seq, body FROM ledger_entry WHERE hospital_id = $1 AND body::jsonb->>'interaction' = 'audit' ORDER BY seq", [hospitalId]);
  return rows.map((r) => ({ seq: r.seq, events: (JSON.parse(r.body) as { audit: unknown[] }).audit.length }));
}

/** The audit_entry rows, in a fixed order, to compare two databases or before and after a rebuild. */
export async function auditSnapshot(db: Queryable) {
  return db.query(`SELECT hospital_id, seq, first_recorded, last_recorded, events, ids, principals, source_ips::text[] AS source_ips, patients, resources
                     FROM audit_entry ORDER BY hospital_id, seq`);
}

/** Every access record in the ledger (what the AuditEvents are rendered from), oldest entry first. */
export async function ledgerAuditRecords(db: Queryable, hospitalId?: string): Promise<Array<AuditRecord & { seq: number }>> {
  const rows = await db.query<{ seq: number; record: AuditRecord }>(
    `SELECT l.seq, r.record FROM ledger_entry l, jsonb_array_elements(l.body::jsonb->'audit') WITH ORDINALITY AS r(record, n)
      WHERE ($1::text IS NULL OR l.hospital_id = $1) ORDER BY l.hospital_id, l.seq, r.n`, [hospitalId ?? null]);
  return rows.map((r) => ({ ...r.record, seq: Number(r.seq) }));
}
