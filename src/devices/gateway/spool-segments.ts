/**
 * Segment files of the spool: `spool-<first seq, 12 digits>.jsonl`, one entry per line. The name says
 * which sequence number the segment starts at, so the reader finds where to resume without reading
 * every file, and an empty newest segment still says what the next number is.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeSpoolLine, type SpoolEntry } from './spool-entry.js';

export interface SegmentFile {
  readonly firstSeq: number;
  readonly path: string;
}

const PATTERN = /^spool-(\d{12})\.jsonl$/;

export function segmentPath(dir: string, firstSeq: number): string {
  return join(dir, `spool-${String(firstSeq).padStart(12, '0')}.jsonl`);
}

/** The spool's segments, oldest first. */
export async function listSegments(dir: string): Promise<SegmentFile[]> {
  const names = await readdir(dir);
  return names.flatMap((name) => {
    const m = PATTERN.exec(name);
    return m ? [{ firstSeq: Number(m[1]), path: join(dir, name) }] : [];
  }).sort((a, b) => a.firstSeq - b.firstSeq);
}

/** One LF-terminated line of a segment: where it lies in the bytes given, and its entry if it parses. */
export interface SpoolLine {
  readonly offset: number;
  /** Offset just past its LF. */
  readonly end: number;
  readonly entry?: SpoolEntry;
}

/** Splits bytes into lines. An unfinished last line (no LF yet) is not returned: it is not judged. */
export function parseSpoolLines(bytes: Buffer): SpoolLine[] {
  const lines: SpoolLine[] = [];
  let start = 0;
  for (let lf = bytes.indexOf(0x0a); lf >= 0; lf = bytes.indexOf(0x0a, start)) {
    lines.push({ offset: start, end: lf + 1, entry: decodeSpoolLine(bytes.toString('utf8', start, lf)) });
    start = lf + 1;
  }
  return lines;
}

/**
 * The intact prefix of the newest segment after a crash. Every acknowledged entry was fsync'd before
 * anything after it was written, so the first line that does not parse (or has no LF) begins the
 * unsynced tail, and everything from there on was never acknowledged.
 */
export function intactPrefix(bytes: Buffer): { entries: SpoolEntry[]; length: number } {
  const entries: SpoolEntry[] = [];
  let length = 0;
  for (const line of parseSpoolLines(bytes)) {
    if (!line.entry) break;
    entries.push(line.entry);
    length = line.end;
  }
  return { entries, length };
}
