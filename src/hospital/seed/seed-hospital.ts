/** Loads the demo hospital through the FHIR repository (so through the ledger, like any write). */
import type { Queryable } from '../../store/database.js';
import type { FhirRepository } from '../../fhir/repository/repository.js';
import { demoHospitalBundle, describeDemoHospital } from './demo-hospital.js';

export async function hospitalIsEmpty(db: Queryable, hospitalId: string): Promise<boolean> {
  const [row] = await db.query('SELECT 1 FROM ledger_entry WHERE hospital_id = $1 LIMIT 1', [hospitalId]);
  return !row;
}

export async function seedDemoHospital(repo: FhirRepository, hospitalId: string): Promise<Record<string, number>> {
  const bundle = demoHospitalBundle();
  await repo.bundle({ hospitalId, actor: 'seed', sourceIp: null, requestId: null, requestHash: null, baseUrl: '' }, bundle);
  return describeDemoHospital(bundle);
}
