/**
 * A new patient from the desk: the form is checked, the UHID is the desk's (from a block that was
 * issued) or the server's next, and the Patient is written through the FHIR repository with the
 * request's context, so it is ledgered, audited and idempotent (a double-clicked submit carries one
 * X-Request-Id and makes one patient).
 */
import { conflict, FhirError, issue } from '../../fhir/outcome.js';
import type { RequestContext } from '../../fhir/repository/context.js';
import type { FhirRepository, WriteResult } from '../../fhir/repository/repository.js';
import type { Queryable } from '../../store/database.js';
import { readDeskRegistration } from './desk-patient.js';
import { patientResource } from './patient-resource.js';
import type { ServerUhids } from './server-uhids.js';
import { parseUhid, uhidOf, UHID_SYSTEM } from './uhid.js';
import { wasIssued } from './uhid-blocks.js';

export interface RegistrationDeps { repo: FhirRepository; db: Queryable; serverUhids: ServerUhids }

export async function registerPatient(deps: RegistrationDeps, ctx: RequestContext, body: unknown): Promise<WriteResult> {
  const registration = readDeskRegistration(body);
  let uhid: string;
  let fromDesk = false;
  if (registration.uhid !== undefined) {
    const parsed = parseUhid(registration.uhid);
    if ('error' in parsed) throw new FhirError(400, issue('invalid', `uhid "${registration.uhid}": ${parsed.error}`, 'uhid'));
    if (!await wasIssued(deps.db, ctx.hospitalId, parsed.serial)) {
      throw new FhirError(422, issue('business-rule', `UHID ${uhidOf(parsed.serial)} is not from a block issued to a desk of this hospital`, 'identifier'));
    }
    uhid = uhidOf(parsed.serial);
    fromDesk = true;
  } else {
    uhid = uhidOf(await deps.serverUhids.next(ctx.hospitalId));
  }
  // A desk's UHID gets If-None-Exist, checked under the ledger's lock: a desk that issued one number
  // twice gets a conflict, not a second patient with it. The server's own serials are unique by
  // construction, so those writes skip the check and commit together with their neighbours.
  const result = await deps.repo.create(ctx, patientResource(registration, uhid), fromDesk ? { ifNoneExist: `identifier=${UHID_SYSTEM}|${uhid}` } : {});
  if (result.status !== 201) throw conflict(`UHID ${uhid} already belongs to Patient/${result.id}`);
  return result;
}
