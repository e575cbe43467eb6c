/**
 * The segments that tell an analyzer what to run on one tube, in the OML^O21 PATIENT/ORDER group form:
 * a PID, then one ORC/OBR/SPM group per test with the accession number as ORC-2, OBR-2 and SPM-2.
 * Shared by the OML^O21 we push to analyzers and the RSP^K11 we answer their queries with, so a tube's
 * orders look the same to an analyzer whichever way it got them.
 */
import { simpleSegment } from './hl7-encoder.js';
import type { Hl7Segment } from './hl7-message.js';
import type { AnalyzerOrder } from './lab-device-types.js';

export interface OrderGroupOptions {
  /** Coding system of the test codes in OBR-4 (L = the analyzer's local codes). */
  readonly codingSystem?: string;
  /** ORC-9 transaction time, already in HL7 DTM form. */
  readonly transactionAt: string;
  /** PID-1; the set id of this patient within the message. */
  readonly patientSetId?: number;
}

export function orderGroupSegments(order: AnalyzerOrder, options: OrderGroupOptions): Hl7Segment[] {
  const segments: Hl7Segment[] = [
    simpleSegment('PID', String(options.patientSetId ?? 1), '', order.patientId ? [order.patientId] : ''),
  ];
  order.testCodes.forEach((code, i) => {
    segments.push(simpleSegment('ORC', 'NW', [order.specimenId], '', '', '', '', '', '', options.transactionAt));
    segments.push(simpleSegment('OBR', String(i + 1), [order.specimenId], '', [code, '', options.codingSystem ?? 'L'], order.priority ?? 'R'));
    // SPM belongs to the OBSERVATION REQUEST group, so each OBR carries the tube it is to be run on.
    segments.push(simpleSegment('SPM', '1', [order.specimenId]));
  });
  return segments;
}
