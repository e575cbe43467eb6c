/**
 * Readers for the laboratory segments (v2.5.1 field numbers, which are unchanged in 2.3–2.8 for the
 * fields read here): OBX observations, OBR/ORC orders, SPM specimens, PID identifiers.
 */
import type { CodedValue } from './lab-device-types.js';
import { hl7Components, hl7RepetitionCount, hl7Value, type Hl7Segment } from './hl7-message.js';

/** CWE/CE/CNE: identifier ^ text ^ coding system (^ alternate …). */
export function readCoded(segment: Hl7Segment, field: number, repetition = 1): CodedValue | undefined {
  const c = hl7Components(segment, field, repetition);
  const code = (c[0] ?? '').trim();
  const text = (c[1] ?? '').trim();
  if (!code && !text) return undefined;
  return { code: code || (c[3] ?? '').trim(), text: text || undefined, system: (c[2] ?? '').trim() || undefined, components: c };
}

/** EI (entity identifier): the first component. */
export function readEntityId(segment: Hl7Segment, field: number): string {
  return hl7Value(segment, field, 1).trim();
}

export interface ObxFields {
  readonly setId: string;
  readonly valueType: string;
  readonly identifier?: CodedValue;
  readonly subId: string;
  /** Each repetition of OBX-5 as its components (first subcomponents). */
  readonly valueRepetitions: readonly (readonly string[])[];
  readonly units?: string;
  readonly referenceRange?: string;
  readonly abnormalFlags: readonly string[];
  readonly resultStatus?: string;
  readonly observedAt?: string;
  readonly producer?: string;
  readonly responsibleObserver?: string;
  readonly equipment?: string;
  readonly analyzedAt?: string;
}

export function readObx(s: Hl7Segment): ObxFields {
  const valueRepetitions: string[][] = [];
  for (let r = 1; r <= hl7RepetitionCount(s, 5); r++) valueRepetitions.push(hl7Components(s, 5, r));
  const flags: string[] = [];
  for (let r = 1; r <= hl7RepetitionCount(s, 8); r++) {
    const f = hl7Value(s, 8, 1, 1, r).trim();
    if (f) flags.push(f);
  }
  const units = hl7Components(s, 6);
  const observer = hl7Components(s, 16);
  return {
    setId: hl7Value(s, 1).trim(),
    valueType: hl7Value(s, 2).trim().toUpperCase(),
    identifier: readCoded(s, 3),
    subId: hl7Value(s, 4).trim(),
    valueRepetitions,
    units: (units[0] || units[1] || '').trim() || undefined,
    referenceRange: hl7Value(s, 7).trim() || undefined,
    abnormalFlags: flags,
    resultStatus: hl7Value(s, 11).trim() || undefined,
    observedAt: hl7Value(s, 14).trim() || undefined,
    producer: hl7Value(s, 15).trim() || undefined,
    // Only the id of the person, never the name (names are patient-adjacent data we do not log or keep here).
    responsibleObserver: (observer[0] ?? '').trim() || undefined,
    equipment: hl7Value(s, 18).trim() || undefined,
    analyzedAt: hl7Value(s, 19).trim() || undefined,
  };
}

export interface OrderFields {
  readonly placerOrderNumber: string;
  readonly fillerOrderNumber: string;
  readonly service?: CodedValue;
  readonly priority?: string;
  readonly observedAt?: string;
  readonly resultStatus?: string;
}

/** OBR-2 placer, OBR-3 filler (the lab's accession), OBR-4 universal service id, OBR-7, OBR-25. */
export function readObr(s: Hl7Segment): OrderFields {
  return {
    placerOrderNumber: readEntityId(s, 2),
    fillerOrderNumber: readEntityId(s, 3),
    service: readCoded(s, 4),
    priority: hl7Value(s, 5).trim() || undefined,
    observedAt: hl7Value(s, 7).trim() || undefined,
    resultStatus: hl7Value(s, 25).trim() || undefined,
  };
}

export interface OrcFields {
  readonly control: string;
  readonly placerOrderNumber: string;
  readonly fillerOrderNumber: string;
  readonly transactionAt?: string;
}

export function readOrc(s: Hl7Segment): OrcFields {
  return {
    control: hl7Value(s, 1).trim().toUpperCase(),
    placerOrderNumber: readEntityId(s, 2),
    fillerOrderNumber: readEntityId(s, 3),
    transactionAt: hl7Value(s, 9).trim() || undefined,
  };
}

/** SPM-2 is EIP: placer-assigned id ^ filler-assigned id, each an EI whose first subcomponent is the id. */
export function readSpmIds(s: Hl7Segment): { placer: string; filler: string } {
  return { placer: hl7Value(s, 2, 1, 1).trim(), filler: hl7Value(s, 2, 2, 1).trim() };
}

/** PID-3 patient identifiers (id values only). */
export function readPatientIds(s: Hl7Segment): string[] {
  const ids: string[] = [];
  for (let r = 1; r <= hl7RepetitionCount(s, 3); r++) {
    const id = hl7Value(s, 3, 1, 1, r).trim();
    if (id) ids.push(id);
  }
  return ids;
}
