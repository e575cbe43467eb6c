/**
 * Where a hospital's entries live: `<hospital>/segments/<first seq, 12 digits>.ndjson`, one entry
 * line each. Fixed-width names sort in sequence order, and the name alone says which segment holds
 * a given entry, so a reader can start in the middle without scanning the ones before.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { VaultCorruption } from './vault-errors.js';

export const SEGMENTS_DIR = 'segments';
export const CHECKPOINTS_FILE = 'checkpoints.ndjson';
const SEGMENT_NAME = /^(\d{12})\.ndjson$/;

export interface SegmentFile {
  firstSeq: number;
  /** Absolute path. */
  path: string;
  /** Path relative to the vault directory, for messages. */
  name: string;
}

export function segmentFileName(firstSeq: number): string {
  return `${String(firstSeq).padStart(12, '0')}.ndjson`;
}

/**
 * The segments of a hospital in sequence order. Anything else in the directory is refused: the vault
 * writes nothing else there, so a stranger is damage or tampering, not something to step around.
 */
export async function listSegments(vaultDir: string, hospital: string): Promise<SegmentFile[]> {
  const dir = path.join(vaultDir, hospital, SEGMENTS_DIR);
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const segments = names.map((name) => {
    const match = SEGMENT_NAME.exec(name);
    const rel = path.join(hospital, SEGMENTS_DIR, name);
    if (!match || Number(match[1]) < 1) throw new VaultCorruption(rel, 'this file is not a segment the vault wrote (unexpected name)');
    return { firstSeq: Number(match[1]), path: path.join(dir, name), name: rel };
  });
  return segments.sort((a, b) => a.firstSeq - b.firstSeq);
}

/** The segment that holds `seq` (the last one starting at or before it), as an index into `segments`. */
export function segmentIndexFor(segments: SegmentFile[], seq: number): number {
  let index = 0;
  for (let i = 0; i < segments.length && segments[i].firstSeq <= seq; i++) index = i;
  return index;
}
