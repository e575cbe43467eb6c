/**
 * ACK messages in HL7 v2.5.1 original acknowledgement mode (chapter 2.9.2): the receiver answers every
 * message with MSA-1 AA (accepted), AE (error: fix and resend) or AR (reject: do not resend as is),
 * MSA-2 echoing the sender's MSH-10, and for AE/AR an ERR segment saying why.
 */
import { randomUUID } from 'node:crypto';
import { DEFAULT_DELIMITERS, type Hl7Delimiters } from './hl7-encoding.js';
import { encodeHl7Segments, simpleField, simpleSegment } from './hl7-encoder.js';
import type { Hl7Field, Hl7Header, Hl7Segment } from './hl7-message.js';

export type Hl7AckCode = 'AA' | 'AE' | 'AR';

export interface Hl7AckRequest {
  readonly code: Hl7AckCode;
  /** The original header; absent when the message was too broken to read one. */
  readonly original?: Hl7Header;
  readonly delimiters?: Hl7Delimiters;
  /** Human-readable reason, required for AE/AR (goes to ERR-8 and, for older senders, MSA-3). */
  readonly reason?: string;
  /** HL7 table 0357 code for ERR-3 (default 207, application internal error). */
  readonly errorCode?: string;
  /** ERR-2 error location, e.g. { segment: 'OBX', sequence: 3, field: 3 }. */
  readonly location?: { segment: string; sequence?: number; field?: number };
  /** Our own application/facility, used when the original did not name a receiver. */
  readonly localApplication?: string;
  readonly now?: Date;
}

const ERROR_TEXT: Record<string, string> = {
  '100': 'Segment sequence error',
  '101': 'Required field missing',
  '102': 'Data type error',
  '200': 'Unsupported message type',
  '201': 'Unsupported event code',
  '202': 'Unsupported processing id',
  '203': 'Unsupported version id',
  '207': 'Application internal error',
};

/** Builds the ACK as wire text (segments separated by CR, without MLLP framing). */
export function buildHl7Ack(req: Hl7AckRequest): string {
  const d = req.delimiters ?? DEFAULT_DELIMITERS;
  const o = req.original;
  const msh = replyHeader(o, ['ACK', o?.messageType.trigger ?? '', 'ACK'], d, req.localApplication, req.now);
  const segments = [msh, ...ackSegments(req.code, o?.controlId ?? '', req)];
  return encodeHl7Segments(segments, d);
}

/**
 * MSH of any reply (ACK, RSP, QCK, DSR): MSH-3/4 are the original MSH-5/6 (we are now the sender),
 * MSH-5/6 the original MSH-3/4, and version and processing id echo the original's.
 */
export function replyHeader(o: Hl7Header | undefined, messageType: string[], d: Hl7Delimiters, localApplication?: string, now?: Date): Hl7Segment {
  const local: Hl7Field = localApplication ? simpleField(localApplication) : [];
  return simpleSegment('MSH', d.field, '', pick(o?.receivingApplication, local), o?.receivingFacility ?? [],
    o?.sendingApplication ?? [], o?.sendingFacility ?? [], hl7Timestamp(now ?? new Date()), '',
    messageType, newControlId(), o?.processingId || 'P', o?.version || '2.5.1');
}

/**
 * MSA (and, for AE/AR, ERR) of any reply: the acknowledgement code, the original control id, the
 * reason; ERR-2 where the problem is and ERR-3 the table 0357 code (207 when absent).
 */
export function ackSegments(
  code: Hl7AckCode, controlId: string,
  problem: { reason?: string; errorCode?: string; location?: { segment: string; sequence?: number; field?: number } } = {},
): Hl7Segment[] {
  const reason = code === 'AA' ? '' : (problem.reason ?? ERROR_TEXT[problem.errorCode ?? '207'] ?? 'error');
  const segments = [simpleSegment('MSA', code, controlId, reason)];
  if (code !== 'AA') {
    const errorCode = problem.errorCode ?? '207';
    const loc = problem.location;
    const location = loc ? [loc.segment, String(loc.sequence ?? 1), loc.field ? String(loc.field) : ''] : [];
    segments.push(simpleSegment('ERR', '', location, [errorCode, ERROR_TEXT[errorCode] ?? '', 'HL70357'], 'E', '', '', '', reason));
  }
  return segments;
}

/** The MSA-1 code and MSA-2 control id of an ACK, read without a full parse (used by the client). */
export function readAckCode(ack: string): { code: string; controlId: string; reason: string } | undefined {
  const field = ack.startsWith('MSH') ? ack.charAt(3) : '|';
  const msa = ack.split(/\r\n|\r|\n/).find((l) => l.startsWith('MSA'));
  if (!msa) return undefined;
  const parts = msa.split(field);
  const err = ack.split(/\r\n|\r|\n/).find((l) => l.startsWith('ERR'));
  return { code: parts[1] ?? '', controlId: parts[2] ?? '', reason: err?.split(field)[8] ?? parts[3] ?? '' };
}

/** YYYYMMDDHHMMSS+ZZZZ in local time, the DTM form every v2 version accepts. */
export function hl7Timestamp(date: Date): string {
  const p = (n: number, w = 2) => String(Math.abs(n)).padStart(w, '0');
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  return `${date.getFullYear()}${p(date.getMonth() + 1)}${p(date.getDate())}${p(date.getHours())}${p(date.getMinutes())}${p(date.getSeconds())}` +
    `${sign}${p(Math.trunc(offset / 60))}${p(offset % 60)}`;
}

/** MSH-10 is at most 20 characters up to v2.6; a random id keeps ACKs unique across gateway restarts. */
export function newControlId(): string {
  return randomUUID().replace(/-/g, '').slice(0, 20);
}

function pick(a: Hl7Field | undefined, b: Hl7Field): Hl7Field {
  return a && a.length > 0 ? a : b;
}
