/**
 * Planting a decoy: a new believable Patient written through the ledger like any registration and
 * marked in `honeytoken`, or an existing Patient marked. Used by `nirantar honeytoken add`, with the
 * owner's connection (the application's role cannot write `honeytoken`).
 */
import type { FhirRepository } from '../../fhir/repository/repository.js';
import type { FhirResource } from '../../fhir/repository/context.js';
import type { Queryable } from '../../store/database.js';
import { decoyPatient } from './decoy-patient.js';
import { markHoneytoken } from './honeytokens.js';

export interface PlantOptions {
  hospitalId: string;
  label: string;
  /**
   * The ledger's actor for the new Patient. The ledger is vaulted and must not tell decoys apart, so
   * this should be whoever registers or imports patients in this hospital (default 'bootstrap-admin',
   * the setup token that loads existing records).
   */
  actor?: string;
}

export async function plantDecoyPatient(repo: FhirRepository, db: Queryable, options: PlantOptions): Promise<FhirResource> {
  const ctx = { hospitalId: options.hospitalId, actor: options.actor ?? 'bootstrap-admin', sourceIp: null, requestId: null, requestHash: null, baseUrl: '' };
  const written = await repo.create(ctx, decoyPatient());
  await markHoneytoken(db, { hospitalId: options.hospitalId, resourceType: 'Patient', resourceId: written.id, label: options.label });
  return written.resource!;
}

/** Marks an existing Patient (refused when there is none with that id). */
export async function markExistingPatient(repo: FhirRepository, db: Queryable, options: PlantOptions & { patientId: string }): Promise<{ patient: FhirResource; added: boolean }> {
  const ctx = { hospitalId: options.hospitalId, actor: 'cli', sourceIp: null, requestId: null, requestHash: null, baseUrl: '' };
  const patient = await repo.read(ctx, 'Patient', options.patientId);
  const added = await markHoneytoken(db, { hospitalId: options.hospitalId, resourceType: 'Patient', resourceId: options.patientId, label: options.label });
  return { patient, added };
}
