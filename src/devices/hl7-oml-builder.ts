/**
 * OML^O21 (v2.5.1) orders for analyzers that take their worklist over HL7: one ORDER group (ORC, OBR)
 * per test, each with its SPM, and the tube's accession number as SPM-2 and ORC-2/OBR-2, which the analyzer echoes back in
 * its ORU so the result finds its specimen.
 */
import { DEFAULT_DELIMITERS } from './hl7-encoding.js';
import { encodeHl7Segments, simpleSegment } from './hl7-encoder.js';
import { hl7Timestamp, newControlId } from './hl7-ack.js';
import type { Hl7Segment } from './hl7-message.js';
import type { AnalyzerOrder } from './lab-device-types.js';
import { orderGroupSegments } from './hl7-order-groups.js';

export interface OmlOptions {
  readonly sendingApplication: string;
  readonly receivingApplication: string;
  /** Coding system of the test codes in OBR-4 (L = the analyzer's local codes). */
  readonly codingSystem?: string;
  readonly controlId?: string;
  readonly now?: Date;
}

export function buildOmlO21(order: AnalyzerOrder, options: OmlOptions): { controlId: string; text: string } {
  const controlId = options.controlId ?? newControlId();
  const now = hl7Timestamp(options.now ?? new Date());
  const segments: Hl7Segment[] = [
    simpleSegment('MSH', '|', '', options.sendingApplication, '', options.receivingApplication, '', now, '',
      ['OML', 'O21', 'OML_O21'], controlId, 'P', '2.5.1', '', '', 'AL', 'NE'),
  ];
  segments.push(...orderGroupSegments(order, { codingSystem: options.codingSystem, transactionAt: now }));
  return { controlId, text: encodeHl7Segments(segments, DEFAULT_DELIMITERS) };
}
