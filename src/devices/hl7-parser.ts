/**
 * Tolerant HL7 v2 parser. Accepts what real senders emit: a UTF-8 byte-order mark, CR, LF or CRLF
 * between segments, blank lines, any delimiters declared in MSH-1/MSH-2, and a character set named in
 * MSH-18. It never throws: a message that cannot be read comes back as a rejection with the reason
 * and the error code the ACK should carry (HL7 table 0357).
 */
import { readDelimiters, unescapeHl7, type Hl7Delimiters } from './hl7-encoding.js';
import type { Hl7Field, Hl7Header, Hl7Message, Hl7Segment } from './hl7-message.js';
import { hl7Value } from './hl7-message.js';

/** HL7 table 0357 codes the gateway uses in ERR-3. */
export const Hl7ErrorCode = {
  segmentSequence: '100',
  requiredFieldMissing: '101',
  dataType: '102',
  unsupportedMessageType: '200',
  unsupportedEvent: '201',
  unsupportedProcessingId: '202',
  unsupportedVersion: '203',
  internalError: '207',
} as const;

export interface Hl7ParseFailure {
  readonly ok: false;
  /** AR when even the header is unusable; AE when the header is fine but the body is not. */
  readonly ackCode: 'AE' | 'AR';
  readonly errorCode: string;
  readonly reason: string;
  /** The header when it could be read, so the ACK can still name the original control id. */
  readonly header?: Hl7Header;
  readonly delimiters?: Hl7Delimiters;
}

export type Hl7ParseOutcome = { readonly ok: true; readonly message: Hl7Message } | Hl7ParseFailure;

const SEGMENT_ID = /^[A-Z][A-Z0-9]{2}$/;

/** Parses one message (bytes as received, or already-decoded text). */
export function parseHl7Message(input: string | Uint8Array): Hl7ParseOutcome {
  const text = normalize(typeof input === 'string' ? input : decode(input));
  if (!text.startsWith('MSH')) {
    return fail('AR', Hl7ErrorCode.segmentSequence, 'message does not start with an MSH segment');
  }
  const delimiters = readDelimiters(text);
  if ('error' in delimiters) return fail('AR', Hl7ErrorCode.requiredFieldMissing, delimiters.error);

  const lines = text.split(/\r\n|\r|\n/).filter((l) => l.trim() !== '');
  const segments: Hl7Segment[] = [];
  for (let i = 0; i < lines.length; i++) {
    const name = lines[i].slice(0, 3);
    const after = lines[i].charAt(3);
    if (!SEGMENT_ID.test(name) || (after !== '' && after !== delimiters.field)) {
      const header = i > 0 ? readHeader(segments[0]) : undefined;
      return fail('AE', Hl7ErrorCode.segmentSequence, `line ${i + 1} is not a segment`, header, delimiters);
    }
    if (name === 'MSH' && i > 0) {
      // A second MSH means two messages were framed as one; acknowledging both under one id would lose one.
      return fail('AE', Hl7ErrorCode.segmentSequence, `line ${i + 1}: a second MSH inside one message`, readHeader(segments[0]), delimiters);
    }
    segments.push(parseSegment(lines[i], name, delimiters));
  }

  const header = readHeader(segments[0]);
  if (!header.messageType.code) return fail('AR', Hl7ErrorCode.requiredFieldMissing, 'MSH-9 message type is empty', header, delimiters);
  if (!header.controlId) return fail('AR', Hl7ErrorCode.requiredFieldMissing, 'MSH-10 message control id is empty', header, delimiters);
  return { ok: true, message: { delimiters, header, segments } };
}

function parseSegment(line: string, name: string, d: Hl7Delimiters): Hl7Segment {
  const raw = line.split(d.field);
  const fields: Hl7Field[] = [[]];
  if (name === 'MSH') {
    // MSH-1 is the separator itself and MSH-2 the encoding characters: neither is split or unescaped.
    fields.push([[[d.field]]], [[[raw[1] ?? '']]]);
    for (let i = 2; i < raw.length; i++) fields.push(parseField(raw[i], d));
  } else {
    for (let i = 1; i < raw.length; i++) fields.push(parseField(raw[i], d));
  }
  return { name, fields };
}

function parseField(raw: string, d: Hl7Delimiters): Hl7Field {
  if (raw === '') return [];
  return raw.split(d.repetition).map((rep) =>
    rep.split(d.component).map((comp) => comp.split(d.subcomponent).map((sub) => unescapeHl7(sub, d))));
}

function readHeader(msh: Hl7Segment): Hl7Header {
  const v = (f: number, c = 1) => hl7Value(msh, f, c).trim();
  return {
    sendingApplication: msh.fields[3] ?? [],
    sendingFacility: msh.fields[4] ?? [],
    receivingApplication: msh.fields[5] ?? [],
    receivingFacility: msh.fields[6] ?? [],
    dateTime: v(7),
    messageType: { code: v(9, 1).toUpperCase(), trigger: v(9, 2).toUpperCase(), structure: v(9, 3).toUpperCase() },
    controlId: v(10),
    processingId: v(11),
    version: v(12),
    acceptAckType: v(15),
    applicationAckType: v(16),
    characterSet: v(18),
  };
}

/** Strips a byte-order mark and anything before MSH that is only whitespace. */
function normalize(text: string): string {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (i < text.length && (text.charCodeAt(i) === 0 || /\s/.test(text[i]))) i++;
  return text.slice(i);
}

/**
 * Bytes → text. UTF-8 unless MSH-18 names an 8859 or ASCII set; MSH-18 can only be read after
 * decoding, so the header is first read as Latin-1 (every byte maps to one character).
 */
function decode(bytes: Uint8Array): string {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const start = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  const firstLineEnd = buf.indexOf(0x0d, start) >= 0 ? buf.indexOf(0x0d, start) : buf.indexOf(0x0a, start);
  const mshLatin1 = buf.toString('latin1', start, firstLineEnd < 0 ? buf.length : firstLineEnd);
  const charset = (mshLatin1.split(mshLatin1.charAt(3))[17] ?? '').toUpperCase();
  const latin1 = charset.startsWith('8859') || charset === 'ASCII';
  return buf.toString(latin1 ? 'latin1' : 'utf8', start);
}

function fail(ackCode: 'AE' | 'AR', errorCode: string, reason: string, header?: Hl7Header, delimiters?: Hl7Delimiters): Hl7ParseFailure {
  return { ok: false, ackCode, errorCode, reason, header, delimiters };
}
