/**
 * The Specimen as the laboratory writes it (lab-fhir.ts names the shape) and reads it back: one per
 * tube, named by its accession, typed by the catalogue's SpecimenDefinition, serving the orders in
 * `request`. Pure functions; no store access.
 */
import type { FhirResource } from '../../fhir/repository/context.js';
import type { SpecimenType } from '../../hospital/seed/lab-catalogue-types.js';
import { SYSTEM } from '../../hospital/seed/systems.js';
import { ACCESSION_SYSTEM, REJECTION_REASONS, SPECIMEN_DEFINITION_SYSTEM, SPECIMEN_REJECTION_SYSTEM, type RejectionReason } from './lab-fhir.js';
import { specimenIdOf } from './accession.js';

type Ref = { reference: string; display?: string };

export interface NewSpecimen {
  accession: string;
  type: SpecimenType;
  patient: string;
  orders: string[];
  collectedAt: string;
  collector?: Ref;
}

export function specimenResource(s: NewSpecimen): FhirResource {
  return {
    resourceType: 'Specimen', id: specimenIdOf(s.accession),
    identifier: [{ system: ACCESSION_SYSTEM, value: s.accession }],
    accessionIdentifier: { system: ACCESSION_SYSTEM, value: s.accession },
    status: 'available',
    type: {
      coding: [
        { system: SYSTEM.specimenType, code: s.type.tested.code, display: s.type.tested.display },
        { system: SPECIMEN_DEFINITION_SYSTEM, code: s.type.key, display: s.type.name },
      ],
      text: s.type.name,
    },
    subject: { reference: `Patient/${s.patient}` },
    request: s.orders.map((id) => ({ reference: `ServiceRequest/${id}` })),
    collection: { collectedDateTime: s.collectedAt, ...(s.collector ? { collector: s.collector } : {}) },
    container: [{ description: s.type.container, type: { text: s.type.capColour } }],
  };
}

export const accessionOfSpecimen = (s: FhirResource) => String((s.accessionIdentifier as { value?: string } | undefined)?.value ?? '');

/** The SpecimenDefinition key (edta-whole-blood …) in Specimen.type. */
export const specimenTypeKey = (s: FhirResource) =>
  (s.type as { coding?: Array<{ system?: string; code?: string }> } | undefined)?.coding?.find((c) => c.system === SPECIMEN_DEFINITION_SYSTEM)?.code ?? '';

export const ordersOfSpecimen = (s: FhirResource): string[] =>
  ((s.request as Array<{ reference?: string }> | undefined) ?? []).map((r) => String(r.reference ?? '').replace(/^ServiceRequest\//, '')).filter(Boolean);

export const isRejected = (s: FhirResource) => s.status === 'unsatisfactory';
/** Still stands for its orders: drawn and neither rejected nor entered in error. */
export const isLive = (s: FhirResource) => s.status === 'available' || s.status === 'unavailable';

export const collectedAtOf = (s: FhirResource) => (s.collection as { collectedDateTime?: string } | undefined)?.collectedDateTime;

export interface Rejection { reason: RejectionReason; display: string; note?: string; at: string }

/** Why and when it was rejected (condition[] and the note the rejection wrote). */
export function rejectionOf(s: FhirResource): Rejection | undefined {
  if (!isRejected(s)) return undefined;
  const coding = ((s.condition as Array<{ coding?: Array<{ system?: string; code?: string }> }> | undefined) ?? [])
    .flatMap((c) => c.coding ?? []).find((c) => c.system === SPECIMEN_REJECTION_SYSTEM);
  const reason = (coding?.code ?? 'other') as RejectionReason;
  const note = ((s.note as Array<{ text?: string; time?: string }> | undefined) ?? []).at(-1);
  // The note is the technician's words, or the reason itself when they added none.
  const text = note?.text && note.text !== REJECTION_REASONS[reason] ? note.text : undefined;
  return {
    reason, display: REJECTION_REASONS[reason] ?? reason, ...(text ? { note: text } : {}),
    at: note?.time ?? String((s.meta as { lastUpdated?: string } | undefined)?.lastUpdated ?? ''),
  };
}

/** The specimen rejected: status unsatisfactory, the reason coded, the technician's words as a note. */
export function rejected(s: FhirResource, reason: RejectionReason, note: string | undefined, at: string, by?: Ref): FhirResource {
  const { meta: _meta, ...rest } = s;
  return {
    ...rest, status: 'unsatisfactory',
    condition: [{ coding: [{ system: SPECIMEN_REJECTION_SYSTEM, code: reason, display: REJECTION_REASONS[reason] }], text: REJECTION_REASONS[reason] }],
    note: [...((s.note as unknown[] | undefined) ?? []), {
      ...(by ? { authorReference: by } : {}), time: at, text: note ?? REJECTION_REASONS[reason],
    }],
  };
}

export function received(s: FhirResource, at: string): FhirResource {
  const { meta: _meta, ...rest } = s;
  return { ...rest, receivedTime: at };
}
