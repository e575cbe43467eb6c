/**
 * The specimen reaches the lab: received (scanned at the receipt desk) or rejected (haemolysed,
 * clotted, too little …). Each is one ledger entry decided under the chain lock on the current
 * Specimen, so two scans at once receive it once, and a rejection never overwrites a newer change.
 *   receive  idempotent: a second scan returns the first receipt time and writes nothing.
 *   reject   status unsatisfactory with the reason coded and the technician's note; the specimen
 *            no longer stands for its orders, so they are back on the phlebotomy list. Not after a
 *            report from it was released (that is an amendment, not a rejection).
 */
import type { FhirResource, RequestContext } from '../../fhir/repository/context.js';
import { currentVersion, type StoredVersion } from '../../fhir/repository/current-version.js';
import type { FhirRepository } from '../../fhir/repository/repository.js';
import { validated } from '../../fhir/repository/validated.js';
import { planUpdate } from '../../fhir/repository/version-plans.js';
import { FhirError, issue, notFound } from '../../fhir/outcome.js';
import type { Queryable } from '../../store/database.js';
import type { LedgerEntryBody } from '../../store/ledger-entry.js';
import type { RejectionRequest } from './lab-api.js';
import { REJECTION_REASONS, type RejectionReason } from './lab-fhir.js';
import { readRequest } from './specimen-input.js';
import { isRejected, ordersOfSpecimen, received, rejected, rejectionOf } from './specimen-resource.js';

type Ref = { reference: string; display?: string };
const MAX_NOTE = 1000;

export function readRejectionRequest(body: Record<string, unknown>): RejectionRequest {
  return readRequest(body, ['reason', 'note'], (r) => {
    const raw = body.reason;
    const known = typeof raw === 'string' && Object.hasOwn(REJECTION_REASONS, raw);
    if (!known) r.bad('reason', `must be one of ${Object.keys(REJECTION_REASONS).join(', ')}`);
    const note = r.text('note', MAX_NOTE, raw === 'other');
    return { reason: raw as RejectionReason, ...(note ? { note } : {}) };
  });
}

async function liveSpecimen(tx: Queryable, hospitalId: string, id: string): Promise<{ stored: StoredVersion; specimen: FhirResource }> {
  const stored = await currentVersion(tx, hospitalId, 'Specimen', id);
  if (!stored || stored.deleted || !stored.resource) throw notFound(`Specimen/${id} does not exist`);
  return { stored, specimen: stored.resource };
}

const replayed = (ctx: RequestContext, id: string) => async (tx: Queryable, entry: LedgerEntryBody) => {
  if (entry.requestHash !== ctx.requestHash) throw new FhirError(422, issue('business-rule', `X-Request-Id "${ctx.requestId}" was already used for a different request`, 'X-Request-Id'));
  const written = entry.versions.find((v) => v.resourceType === 'Specimen');
  return (written?.resource as FhirResource | undefined) ?? (await liveSpecimen(tx, ctx.hospitalId, id)).specimen;
};

/** Marks the specimen received now (or returns it as it is when it already was). */
export async function receiveSpecimen(repo: FhirRepository, ctx: RequestContext, id: string): Promise<FhirResource> {
  return repo.writer.append<FhirResource>({
    hospitalId: ctx.hospitalId, actor: ctx.actor, sourceIp: ctx.sourceIp, requestId: ctx.requestId, requestHash: ctx.requestHash,
    plan: async (tx, time) => {
      const { stored, specimen } = await liveSpecimen(tx, ctx.hospitalId, id);
      if (isRejected(specimen)) {
        throw new FhirError(409, issue('business-rule', `Specimen/${id} was rejected (${rejectionOf(specimen)?.display ?? 'unsatisfactory'}): collect a new sample`));
      }
      if (specimen.status !== 'available') throw new FhirError(409, issue('business-rule', `Specimen/${id} is ${String(specimen.status)}, not a sample to receive`));
      if (typeof specimen.receivedTime === 'string') return { interaction: 'update', versions: [], result: specimen };
      const planned = planUpdate(validated(received(specimen, time), 'Specimen'), id, stored, time).version;
      return { interaction: 'update', versions: [planned], responses: [{ status: '200 OK' }], result: planned.resource as FhirResource };
    },
    replay: replayed(ctx, id),
  });
}

/** Rejects the specimen: its orders wait for a new sample. */
export async function rejectSpecimen(repo: FhirRepository, ctx: RequestContext, id: string, rejection: RejectionRequest, by?: Ref): Promise<FhirResource> {
  if (!ctx.requestId) throw new FhirError(400, issue('required', 'X-Request-Id is required: the desk sends one per rejection, so a retry rejects once', 'X-Request-Id'));
  return repo.writer.append<FhirResource>({
    hospitalId: ctx.hospitalId, actor: ctx.actor, sourceIp: ctx.sourceIp, requestId: ctx.requestId, requestHash: ctx.requestHash,
    plan: async (tx, time) => {
      const { stored, specimen } = await liveSpecimen(tx, ctx.hospitalId, id);
      if (isRejected(specimen)) throw new FhirError(409, issue('business-rule', `Specimen/${id} is already rejected (${rejectionOf(specimen)?.display ?? 'unsatisfactory'})`));
      if (specimen.status !== 'available') throw new FhirError(409, issue('business-rule', `Specimen/${id} is ${String(specimen.status)}, not a sample to reject`));
      for (const order of ordersOfSpecimen(specimen)) {
        const o = await currentVersion(tx, ctx.hospitalId, 'ServiceRequest', order);
        if (o?.resource?.status === 'completed') {
          throw new FhirError(409, issue('business-rule', `Specimen/${id}: the report of ServiceRequest/${order} is released; correct it by amending the report, not by rejecting the sample`));
        }
      }
      const planned = planUpdate(validated(rejected(specimen, rejection.reason, rejection.note, time, by), 'Specimen'), id, stored, time).version;
      return { interaction: 'update', versions: [planned], responses: [{ status: '200 OK' }], result: planned.resource as FhirResource };
    },
    replay: replayed(ctx, id),
  });
}
