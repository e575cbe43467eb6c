/**
 * Analyzers that ask for a tube's orders over HL7 (the HL7 twin of the ASTM Q record):
 *
 * - QBP^Q11 (IHE LAW / LAB-27 style): QPD-1 names the query, QPD-2 is the query tag, QPD-3 (each
 *   repetition) a container/specimen id. We answer RSP^K11: MSA, QAK (tag, OK or NF), the QPD echoed,
 *   then per tube the OML^O21 order groups (PID, ORC/OBR/SPM per test) from hl7-order-groups.ts.
 * - QRY^Q02 (HL7 2.3.1 display query, used by Mindray BS/BC and many Chinese- and Indian-market
 *   analyzers): QRD-8 (each repetition, first component) is the sample barcode. With orders we answer
 *   DSR^Q03 (MSA, QAK|SR|OK, QRD/QRF echoed, DSP lines, DSC); with none, QCK^Q02 (MSA, QAK|SR|NF).
 *   The vendor manuals describe QCK^Q02 first and DSR^Q03 after it; the MLLP server writes one reply per
 *   message, so the DSR is sent alone (it carries the same MSA/QAK the QCK would have).
 *
 * An unknown tube is NF, never an error. A lab that cannot be asked (the sink throws) is AE, so the
 * analyzer asks again; a query we cannot read (no QPD/QRD, no specimen id) is AE naming what is missing.
 * Replies use the analyzer's own delimiters and version, like our ACKs.
 */
import { ackSegments, hl7Timestamp, replyHeader, type Hl7AckCode } from './hl7-ack.js';
import { encodeHl7Segments, simpleSegment } from './hl7-encoder.js';
import type { Hl7Message, Hl7Segment } from './hl7-message.js';
import { hl7FieldText, hl7RepetitionCount, hl7Segments, hl7Value } from './hl7-message.js';
import { Hl7ErrorCode } from './hl7-parser.js';
import { orderGroupSegments } from './hl7-order-groups.js';
import type { AnalyzerOrder, LabDeviceSink } from './lab-device-types.js';

export const QUERY_MESSAGES = ['QBP^Q11', 'QRY^Q02'] as const;

export interface OrderQueryOptions {
  /** MSH-3 of our replies when the analyzer did not name a receiving application. */
  readonly localApplication?: string;
  /** Coding system of the test codes in OBR-4 (default L, the analyzer's local codes). */
  readonly codingSystem?: string;
}

/** What the handler returns to the server, and the reply text to write instead of a plain ACK. */
export interface OrderQueryAnswer {
  readonly code: Hl7AckCode;
  readonly reason?: string;
  readonly errorCode?: string;
  readonly location?: { segment: string; sequence?: number; field?: number };
  readonly reply: string;
}

/** The lab's /api/lab/device/query takes at most this many tubes per question. */
const MAX_TUBES = 500;

type Problem = { reason: string; errorCode: string; location: { segment: string; field?: number } };

export async function answerOrderQuery(message: Hl7Message, sink: LabDeviceSink, options: OrderQueryOptions = {}): Promise<OrderQueryAnswer> {
  const qbp = message.header.messageType.code === 'QBP';
  const query = qbp ? readQbp(message) : readQry(message);
  if ('reason' in query) return refuse(message, qbp, query, options);
  if (query.specimenIds.length > MAX_TUBES) {
    return refuse(message, qbp, { reason: `the query names ${query.specimenIds.length} tubes; ask about at most ${MAX_TUBES} at a time`, errorCode: Hl7ErrorCode.dataType, location: qbp ? { segment: 'QPD', field: 3 } : { segment: 'QRD', field: 8 } }, options);
  }
  let orders: readonly AnalyzerOrder[];
  try {
    orders = await sink.answerQuery({ protocol: 'hl7v2', instrument: hl7FieldText(message.header.sendingApplication), specimenIds: query.specimenIds });
  } catch {
    // The sink's own error text is not repeated to the analyzer: it may name hosts or records.
    return refuse(message, qbp, { reason: 'the laboratory server could not be asked for the orders; query again', errorCode: Hl7ErrorCode.internalError, location: { segment: qbp ? 'QPD' : 'QRD' } }, options);
  }
  // A tube with nothing left to run is "not found" to the analyzer, not an empty order.
  const found = orders.filter((o) => o.testCodes.length > 0);
  const reply = qbp ? rspK11(message, 'AA', found, options) : qryAnswer(message, 'AA', found, options);
  return { code: 'AA', reply };
}

function readQbp(message: Hl7Message): { specimenIds: string[] } | Problem {
  const qpd = hl7Segments(message, 'QPD')[0];
  if (!qpd) return { reason: 'QBP^Q11 has no QPD segment: nothing says which tube is asked about', errorCode: Hl7ErrorCode.segmentSequence, location: { segment: 'QPD' } };
  const ids = repetitions(qpd, 3);
  if (ids.length === 0) return { reason: 'QPD-3 carries no specimen (container) id', errorCode: Hl7ErrorCode.requiredFieldMissing, location: { segment: 'QPD', field: 3 } };
  return { specimenIds: ids };
}

function readQry(message: Hl7Message): { specimenIds: string[] } | Problem {
  const qrd = hl7Segments(message, 'QRD')[0];
  if (!qrd) return { reason: 'QRY^Q02 has no QRD segment: nothing says which tube is asked about', errorCode: Hl7ErrorCode.segmentSequence, location: { segment: 'QRD' } };
  const ids = repetitions(qrd, 8);
  if (ids.length === 0) return { reason: 'QRD-8 (who subject filter) carries no sample barcode', errorCode: Hl7ErrorCode.requiredFieldMissing, location: { segment: 'QRD', field: 8 } };
  return { specimenIds: ids };
}

/** First component of every repetition, trimmed, blanks and duplicates dropped. */
function repetitions(segment: Hl7Segment, field: number): string[] {
  const ids: string[] = [];
  for (let r = 1; r <= hl7RepetitionCount(segment, field); r++) {
    const id = hl7Value(segment, field, 1, 1, r).trim();
    if (id && !ids.includes(id)) ids.push(id);
  }
  return ids;
}

function refuse(message: Hl7Message, qbp: boolean, problem: Problem, options: OrderQueryOptions): OrderQueryAnswer {
  const reply = qbp ? rspK11(message, 'AE', [], options, problem) : qryAnswer(message, 'AE', [], options, problem);
  return { code: 'AE', ...problem, reply };
}

function rspK11(message: Hl7Message, code: Hl7AckCode, orders: readonly AnalyzerOrder[], options: OrderQueryOptions, problem?: Problem): string {
  const qpd = hl7Segments(message, 'QPD')[0];
  const now = new Date();
  const status = code !== 'AA' ? code : orders.length > 0 ? 'OK' : 'NF';
  const segments: Hl7Segment[] = [
    replyHeader(message.header, ['RSP', 'K11', 'RSP_K11'], message.delimiters, options.localApplication, now),
    ...ackSegments(code, message.header.controlId, problem),
    // QAK-1 query tag and QAK-3 query name echo the QPD, so the analyzer can match answer to question.
    simpleSegment('QAK', qpd ? hl7Value(qpd, 2) : '', status, qpd?.fields[1] ?? []),
  ];
  if (qpd) segments.push(qpd);
  const transactionAt = hl7Timestamp(now);
  orders.forEach((order, i) => segments.push(...orderGroupSegments(order, { codingSystem: options.codingSystem, transactionAt, patientSetId: i + 1 })));
  return encodeHl7Segments(segments, message.delimiters);
}

/*
 * DSP lines of a DSR^Q03, one block per tube, in the positional layout the Mindray host-interface
 * manuals give (the analyzer reads DSP by its set id, so unused positions are sent empty): DSP-1
 * patient id, DSP-21 sample barcode, DSP-24 STAT (Y/N), and from DSP-29 on one test per line, its
 * code in the first component of DSP-3. Names, birth dates and the like are deliberately not sent: the analyzer needs none of them.
 */
const DSP_PATIENT_ID = 1;
const DSP_BARCODE = 21;
const DSP_STAT = 24;
const DSP_FIRST_TEST = 29;

function qryAnswer(message: Hl7Message, code: Hl7AckCode, orders: readonly AnalyzerOrder[], options: OrderQueryOptions, problem?: Problem): string {
  const withOrders = code === 'AA' && orders.length > 0;
  const type = withOrders ? ['DSR', 'Q03', 'DSR_Q03'] : ['QCK', 'Q02', 'QCK_Q02'];
  const segments: Hl7Segment[] = [
    replyHeader(message.header, type, message.delimiters, options.localApplication),
    ...ackSegments(code, message.header.controlId, problem),
    simpleSegment('QAK', 'SR', code !== 'AA' ? code : withOrders ? 'OK' : 'NF'),
  ];
  if (withOrders) {
    segments.push(...hl7Segments(message, 'QRD').slice(0, 1), ...hl7Segments(message, 'QRF').slice(0, 1));
    for (const order of orders) {
      const lines = new Map<number, string[]>([
        [DSP_PATIENT_ID, [order.patientId ?? '']],
        [DSP_BARCODE, [order.specimenId]],
        [DSP_STAT, [order.priority === 'S' || order.priority === 'A' ? 'Y' : 'N']],
      ]);
      for (let n = 1; n < DSP_FIRST_TEST; n++) segments.push(simpleSegment('DSP', String(n), '', lines.get(n) ?? ''));
      order.testCodes.forEach((testCode, i) => segments.push(simpleSegment('DSP', String(DSP_FIRST_TEST + i), '', [testCode, '', '', ''])));
    }
    segments.push(simpleSegment('DSC', ''));
  }
  return encodeHl7Segments(segments, message.delimiters);
}
