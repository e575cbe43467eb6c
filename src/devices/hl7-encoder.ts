/**
 * Writes segments back to wire text with a message's own delimiters: used for ACKs (which echo the
 * sender's MSH-3..6 exactly) and for orders the gateway sends to analyzers.
 */
import { escapeHl7, encodingCharacters, type Hl7Delimiters } from './hl7-encoding.js';
import type { Hl7Field, Hl7Segment } from './hl7-message.js';

/** Encodes one field, escaping every leaf and trimming empty trailing parts. */
export function encodeHl7Field(field: Hl7Field, d: Hl7Delimiters): string {
  return trimTrailing(field.map((rep) =>
    trimTrailing(rep.map((comp) =>
      trimTrailing(comp.map((sub) => escapeHl7(sub, d)), d.subcomponent)), d.component)), d.repetition);
}

/** Encodes a segment; MSH-1/MSH-2 are written from the delimiters, not escaped. */
export function encodeHl7Segment(segment: Hl7Segment, d: Hl7Delimiters): string {
  const parts = [segment.name];
  const first = segment.name === 'MSH' ? 3 : 1;
  if (segment.name === 'MSH') parts.push(encodingCharacters(d));
  for (let i = first; i < segment.fields.length; i++) parts.push(encodeHl7Field(segment.fields[i] ?? [], d));
  return trimTrailing(parts, d.field);
}

/** Segments joined by CR, the only separator the standard allows on output. */
export function encodeHl7Segments(segments: readonly Hl7Segment[], d: Hl7Delimiters): string {
  return segments.map((s) => encodeHl7Segment(s, d)).join('\r') + '\r';
}

/** A field from plain strings: `simpleField('ORU', 'R01')` is one repetition with two components. */
export function simpleField(...components: string[]): Hl7Field {
  return components.length === 0 ? [] : [components.map((c) => [c])];
}

/** A segment from plain component lists; each argument is one field. */
export function simpleSegment(name: string, ...fields: (string | string[] | Hl7Field)[]): Hl7Segment {
  const encoded: Hl7Field[] = [[]];
  for (const f of fields) {
    if (typeof f === 'string') encoded.push(f === '' ? [] : [[[f]]]);
    else if (f.length > 0 && typeof f[0] === 'string') encoded.push(simpleField(...(f as string[])));
    else encoded.push(f as Hl7Field);
  }
  return { name, fields: encoded };
}

function trimTrailing(parts: string[], sep: string): string {
  let n = parts.length;
  while (n > 1 && parts[n - 1] === '') n--;
  return parts.slice(0, n).join(sep);
}
