/**
 * Opening one hospital's files: where its chain ends, which segment new entries go into, and the last
 * checkpoint. This is a structural check, cheap enough for every start: each segment's first and last
 * line, how segments join, and the checkpoint against the head. The full re-hash is verifyVault's job.
 *
 * A torn final line is the one thing that is cut off, and only at the end of the LAST segment (or of
 * the checkpoint file). An append writes its lines and then fsyncs; the entries count as held, and are
 * reported durable to the server, only after fsync returns. A crash between the two can leave a prefix
 * of the batch on disk, ending in a partial line. That partial line was never acknowledged to anyone,
 * so removing it loses nothing: the vault pulls the entry again. Anything else that does not parse —
 * a partial line in an earlier segment, a bad line in the middle — cannot come from a crash and is
 * refused as damage.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { GENESIS_HASH } from '../store/ledger-entry.js';
import { parseCheckpointLine } from './checkpoint.js';
import { firstLine, lastLine, lastNewlineBefore } from './file-lines.js';
import { CHECKPOINTS_FILE, listSegments, type SegmentFile } from './segment-files.js';
import { VaultCorruption } from './vault-errors.js';
import { parseEntryLine, type ReplicatedEntry } from './vault-entry.js';
import type { VaultLog } from './vault-log.js';

export interface OpenSegment {
  firstSeq: number;
  path: string;
  bytes: number;
  entries: number;
}

export interface HospitalState {
  headSeq: number;
  headHash: string;
  /** The hash of entry 1, if the vault holds it (the binding must name it). */
  genesisHash?: string;
  /** The last segment, which new entries are appended to while it has room. */
  current?: OpenSegment;
  lastCheckpoint?: { seq: number; time: number };
}

export async function openHospitalState(vaultDir: string, hospital: string, log: VaultLog): Promise<HospitalState> {
  const segments = await listSegments(vaultDir, hospital);
  const state: HospitalState = { headSeq: 0, headHash: GENESIS_HASH };
  for (const [i, segment] of segments.entries()) {
    const isLast = i === segments.length - 1;
    const handle = await fs.open(segment.path, 'r');
    try {
      const size = (await handle.stat()).size;
      const completeEnd = (await lastNewlineBefore(handle, size)) + 1;
      if (completeEnd < size) {
        if (!isLast) throw new VaultCorruption(segment.name, 'it ends in the middle of an entry line (truncated or overwritten)', state.headSeq + 1);
        await cutTornTail(segment.path, completeEnd);
        log('warn', 'torn-tail-cut', { hospital, file: segment.name, bytes: size - completeEnd, keptBytes: completeEnd });
      }
      if (completeEnd === 0) {
        // Only the last segment may be empty: rolled to, then a crash before its first line was whole.
        if (!isLast) throw new VaultCorruption(segment.name, 'the segment is empty', state.headSeq + 1);
        expectStart(segment, state.headSeq + 1);
        state.current = { firstSeq: segment.firstSeq, path: segment.path, bytes: 0, entries: 0 };
        continue;
      }
      const first = entryAt(segment, await firstLine(handle, completeEnd), state.headSeq + 1);
      const last = entryAt(segment, await lastLine(handle, completeEnd), state.headSeq + 1);
      expectStart(segment, first.seq);
      if (first.seq !== state.headSeq + 1) throw new VaultCorruption(segment.name, `entries ${state.headSeq + 1}..${first.seq - 1} are missing (a segment was removed?)`, state.headSeq + 1);
      if (first.prev_hash !== state.headHash) throw new VaultCorruption(segment.name, `its first entry does not chain to entry ${state.headSeq}`, first.seq);
      if (last.seq < first.seq) throw new VaultCorruption(segment.name, 'its last entry comes before its first', last.seq);
      if (first.seq === 1) state.genesisHash = first.hash;
      state.headSeq = last.seq;
      state.headHash = last.hash;
      if (isLast) state.current = { firstSeq: segment.firstSeq, path: segment.path, bytes: completeEnd, entries: last.seq - first.seq + 1 };
    } finally {
      await handle.close();
    }
  }
  state.lastCheckpoint = await openCheckpoints(vaultDir, hospital, state, log);
  return state;
}

function entryAt(segment: SegmentFile, line: string | undefined, expectedSeq: number): ReplicatedEntry {
  try {
    return parseEntryLine(line ?? '');
  } catch (err) {
    throw new VaultCorruption(segment.name, `a line is not a valid entry (${(err as Error).message})`, expectedSeq);
  }
}

function expectStart(segment: SegmentFile, seq: number): void {
  if (segment.firstSeq !== seq) throw new VaultCorruption(segment.name, `the segment is named for entry ${segment.firstSeq} but should start at entry ${seq}`, seq);
}

async function openCheckpoints(vaultDir: string, hospital: string, state: HospitalState, log: VaultLog): Promise<HospitalState['lastCheckpoint']> {
  const name = path.join(hospital, CHECKPOINTS_FILE);
  const file = path.join(vaultDir, name);
  let handle;
  try {
    handle = await fs.open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const size = (await handle.stat()).size;
    const completeEnd = (await lastNewlineBefore(handle, size)) + 1;
    if (completeEnd < size) {
      await cutTornTail(file, completeEnd);
      log('warn', 'torn-tail-cut', { hospital, file: name, bytes: size - completeEnd, keptBytes: completeEnd });
    }
    const line = await lastLine(handle, completeEnd);
    if (line === undefined) return undefined;
    let last;
    try {
      last = parseCheckpointLine(line);
    } catch (err) {
      throw new VaultCorruption(name, (err as Error).message);
    }
    // A checkpoint past the head means signed entries have since been removed from the segments.
    if (last.seq > state.headSeq) throw new VaultCorruption(name, `the last checkpoint vouches for entry ${last.seq} but the segments end at ${state.headSeq}: entries were removed`, state.headSeq + 1);
    if (last.seq === state.headSeq && last.hash !== state.headHash) throw new VaultCorruption(name, `the last checkpoint's hash differs from entry ${last.seq}`, last.seq);
    return { seq: last.seq, time: Date.parse(last.time) || 0 };
  } finally {
    await handle.close();
  }
}

/** Removes an unacknowledged partial final line (see the top of this file), then makes the cut durable. */
async function cutTornTail(file: string, keep: number): Promise<void> {
  const handle = await fs.open(file, 'r+');
  try {
    await handle.truncate(keep);
    await handle.sync();
  } finally {
    await handle.close();
  }
}
