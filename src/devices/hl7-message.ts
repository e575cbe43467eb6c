/**
 * The typed shape of a parsed HL7 v2 message. Values are stored already unescaped, as
 * field → repetitions → components → subcomponents, so readers never see delimiters or escapes.
 * Numbering follows the standard (OBX-5.1.2 is field 5, component 1, subcomponent 2), 1-based.
 */
import type { Hl7Delimiters } from './hl7-encoding.js';

/** Subcomponent values of one component. */
export type Hl7Component = readonly string[];
/** Components of one repetition. */
export type Hl7Repetition = readonly Hl7Component[];
/** Repetitions of one field; an empty field has no repetitions. */
export type Hl7Field = readonly Hl7Repetition[];

export interface Hl7Segment {
  /** Three-character segment id: MSH, PID, OBR, OBX … */
  readonly name: string;
  /** fields[n] is field n (fields[0] is unused). For MSH, fields[1] is MSH-1 and fields[2] MSH-2, unsplit. */
  readonly fields: readonly Hl7Field[];
}

/** MSH-9: message code ^ trigger event ^ message structure. */
export interface Hl7MessageType {
  readonly code: string;
  readonly trigger: string;
  readonly structure: string;
}

/** The MSH fields the gateway routes and acknowledges on. */
export interface Hl7Header {
  readonly sendingApplication: Hl7Field;
  readonly sendingFacility: Hl7Field;
  readonly receivingApplication: Hl7Field;
  readonly receivingFacility: Hl7Field;
  readonly dateTime: string;
  readonly messageType: Hl7MessageType;
  readonly controlId: string;
  readonly processingId: string;
  readonly version: string;
  readonly acceptAckType: string;
  readonly applicationAckType: string;
  readonly characterSet: string;
}

export interface Hl7Message {
  readonly delimiters: Hl7Delimiters;
  readonly header: Hl7Header;
  readonly segments: readonly Hl7Segment[];
}

/** Field n of a segment (empty when absent). */
export function hl7Field(segment: Hl7Segment, field: number): Hl7Field {
  return segment.fields[field] ?? [];
}

/** One leaf value: field, component, subcomponent, repetition (all 1-based); '' when absent. */
export function hl7Value(segment: Hl7Segment, field: number, component = 1, subcomponent = 1, repetition = 1): string {
  return segment.fields[field]?.[repetition - 1]?.[component - 1]?.[subcomponent - 1] ?? '';
}

/** The first subcomponent of every component of one repetition: the usual way to read CWE, EI, XCN. */
export function hl7Components(segment: Hl7Segment, field: number, repetition = 1): string[] {
  return (segment.fields[field]?.[repetition - 1] ?? []).map((c) => c[0] ?? '');
}

/** The number of repetitions of a field. */
export function hl7RepetitionCount(segment: Hl7Segment, field: number): number {
  return segment.fields[field]?.length ?? 0;
}

/** True when a field has no non-empty leaf. */
export function hl7IsEmpty(field: Hl7Field): boolean {
  return field.every((rep) => rep.every((comp) => comp.every((sub) => sub === '')));
}

/** All segments with a given id, in order. */
export function hl7Segments(message: Hl7Message, name: string): Hl7Segment[] {
  return message.segments.filter((s) => s.name === name);
}

/** "ORU^R01" — message code and trigger, the key the gateway routes on. */
export function hl7MessageKey(message: Hl7Message): string {
  return `${message.header.messageType.code}^${message.header.messageType.trigger}`;
}

/** A field's first repetition as "comp1^comp2…" with empty trailing components dropped (HD, EI names). */
export function hl7FieldText(field: Hl7Field): string {
  return (field[0] ?? []).map((c) => (c[0] ?? '').trim()).join('^').replace(/\^+$/, '');
}
