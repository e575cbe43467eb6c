/**
 * One ASTM message: the records from an H record to its L record. The assembler turns frame texts
 * into messages: ETB frames are intermediate pieces of a record, an ETX frame ends one or more whole
 * records (some analyzers put a whole message in one frame), and records are split on CR.
 */
import { DEFAULT_ASTM_DELIMITERS, astmComponents, astmValue, parseAstmRecord, readAstmDelimiters, type AstmDelimiters, type AstmRecord } from './astm-records.js';

export interface AstmHeader {
  /** H-5 sender name: components name ^ software version ^ serial … (trimmed). */
  readonly sender: readonly string[];
  /** H-3 message control id (often empty). */
  readonly controlId: string;
  /** H-12: P production, T training, D debug, Q quality control. */
  readonly processingId: string;
  /** H-13: E1394-97, LIS2-A2 … */
  readonly version: string;
  /** H-14 date and time of the message. */
  readonly timestamp: string;
}

export interface AstmMessage {
  readonly delimiters: AstmDelimiters;
  readonly header: AstmHeader;
  readonly records: readonly AstmRecord[];
  /** True when the message ended with its L record; false when the transmission ended before it. */
  readonly complete: boolean;
  /** L-3 termination code (N normal, T sender aborted, Q error in last query, I no information …). */
  readonly terminationCode: string;
}

/** A short instrument name for logs and reports: H-5 name and serial, e.g. "XN-550 BD634545". */
export function astmInstrumentName(header: AstmHeader): string {
  const parts = header.sender.filter(Boolean);
  if (parts.length === 0) return 'unknown';
  return parts.length > 1 ? `${parts[0]} ${parts[parts.length - 1]}` : parts[0];
}

/** Collects frame texts into messages. */
export class AstmMessageAssembler {
  private partial = '';
  private lines: string[] = [];

  /**
   * Adds one frame's text. Returns the messages it completes (normally none, or one at the L record);
   * does not keep any state until `commit` so a frame whose message could not be stored can be NAKed
   * and received again without being counted twice.
   */
  accept(text: string, final: boolean): { messages: AstmMessage[]; commit: () => void } {
    const partial = this.partial + text;
    if (!final) return { messages: [], commit: () => { this.partial = partial; } };
    const lines = [...this.lines];
    const messages: AstmMessage[] = [];
    for (const line of partial.split(/\r\n|\r|\n/)) {
      const t = stripLeadingControl(line);
      if (t === '') continue;
      if (t.startsWith('H') && lines.length > 0) messages.push(buildMessage(lines.splice(0), false));
      lines.push(t);
      if (/^L(\W|$)/.test(t)) messages.push(buildMessage(lines.splice(0), true));
    }
    return { messages, commit: () => { this.partial = ''; this.lines = lines; } };
  }

  /** Ends the transmission: whatever is pending becomes an incomplete message (or nothing). */
  flush(): AstmMessage | undefined {
    const lines = this.partial ? [...this.lines, ...this.partial.split(/\r/).filter(Boolean)] : this.lines;
    this.partial = '';
    this.lines = [];
    return lines.length > 0 ? buildMessage(lines, false) : undefined;
  }
}

/** Parses a complete record list (first record should be H). */
export function buildMessage(lines: readonly string[], complete: boolean): AstmMessage {
  const delimiters = (lines[0]?.startsWith('H') && readAstmDelimiters(lines[0])) || DEFAULT_ASTM_DELIMITERS;
  const records = lines.map((l) => parseAstmRecord(l, delimiters));
  const h = records.find((r) => r.type === 'H');
  const l = records.find((r) => r.type === 'L');
  const header: AstmHeader = {
    sender: h ? astmComponents(h, 5).map((c) => c.trim()) : [],
    controlId: h ? astmValue(h, 3).trim() : '',
    processingId: h ? astmValue(h, 12).trim() : '',
    version: h ? astmValue(h, 13).trim() : '',
    timestamp: h ? astmValue(h, 14).trim() : '',
  };
  return { delimiters, header, records, complete: complete && !!h, terminationCode: l ? astmValue(l, 3).trim() : '' };
}

/** Drops leading spaces and control characters (a stray NUL or STX before a record type letter). */
function stripLeadingControl(line: string): string {
  let i = 0;
  while (i < line.length && line.charCodeAt(i) <= 0x20) i++;
  return line.slice(i);
}
