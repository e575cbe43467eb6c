/**
 * A worker thread of a restore's load: reads its range of entries from the vault (checking the chain
 * from the hash it was given) and turns them into COPY lines, with the same row builders as
 * projectEntries: every resource version and idempotency key, and for the final version of each
 * resource its resource_current row and search_index rows. Computing the search index is the costly
 * part of a restore, so several of these run side by side; the main thread only writes their blocks
 * into the COPYs. A block is sent only against a credit from the main thread, so a slow database
 * holds the workers back instead of filling memory.
 *
 * Before that, while the restore plans, the same threads verify the vault: one run of segments each
 * (verifySegmentRun), joined by verifyVault on the main thread; and at the end they canonicalise
 * the restored resources for the state hash, chunk by chunk, while the main thread hashes.
 */
import { parentPort } from 'node:worker_threads';
import { loadDefinitions } from '../fhir/definitions.js';
import { PROJECTION_COLUMNS, currentRowOf, indexRowsOf, requestKeyRowOf, versionRowOf } from '../store/projection.js';
import { canonicalResources } from '../store/state-hash.js';
import { CopyBytes } from './copy-bytes.js';
import { copyLine } from './copy-text.js';
import { positionOf } from './restore-final-versions.js';
import { readEntriesForRestore, type ChainRange } from './restore-reader.js';
import { verifySegmentRun, type SegmentRun } from './verify-segment-run.js';

export interface IndexJob extends Required<ChainRange> {
  vaultDir: string;
  hospital: string;
  /** Sorted positions (see positionOf) of versions in the range that a later version superseded. */
  superseded: Float64Array;
}

export type ToWorker =
  | { type: 'job'; job: IndexJob }
  | { type: 'verify'; id: number; run: SegmentRun }
  | { type: 'canonicalize'; id: number; resources: Array<string | null> }
  | { type: 'credit' };
export type FromWorker =
  | { type: 'ready' }
  /** The answer to a verify (a SegmentRunResult) or a canonicalize (the texts), by the question's id. */
  | { type: 'answer'; id: number; value: unknown }
  | { type: 'answerFailed'; id: number; message: string }
  | { type: 'rows' } & RowBytes
  | { type: 'done'; lastHash: string; finals: number; auditSeqs: number[] }
  | { type: 'failed'; message: string };

/** COPY lines for each table as they are computed, and how many entries and versions they cover. */
interface RowBlock {
  index: CopyBytes;
  versions: CopyBytes;
  current: CopyBytes;
  keys: CopyBytes;
  entries: number;
  versionCount: number;
}

/**
 * A block as it travels: each table's lines as UTF-8 in a buffer of its own, transferred, not
 * copied; the main thread writes these bytes as they are. (Sent as strings, a block was flattened,
 * cloned twice on its way and encoded again on the main thread.)
 */
export interface RowBytes {
  index: Uint8Array;
  versions: Uint8Array;
  current: Uint8Array;
  keys: Uint8Array;
  entries: number;
  versionCount: number;
}

const BLOCK = 1 << 20;
const emptyBlock = (): RowBlock => ({ index: new CopyBytes(), versions: new CopyBytes(), current: new CopyBytes(), keys: new CopyBytes(1 << 12), entries: 0, versionCount: 0 });
const port = parentPort!;
let credits = 0;
let wake: (() => void) | undefined;

loadDefinitions(); // the search parameters: the slow part of starting, done before the first job comes
port.on('message', (message: ToWorker) => {
  if (message.type === 'credit') {
    credits++;
    wake?.();
  } else if (message.type === 'canonicalize') {
    answer(message.id, () => canonicalResources(message.resources));
  } else if (message.type === 'verify') {
    answer(message.id, () => verifySegmentRun(message.run));
  } else {
    run(message.job).catch((err: Error) => port.postMessage({ type: 'failed', message: err.message } satisfies FromWorker));
  }
});
port.postMessage({ type: 'ready' } satisfies FromWorker);

/** Answers the question `id` with what `work` gives, or with why it failed. */
function answer(id: number, work: () => unknown): void {
  Promise.resolve().then(work).then(
    (value) => port.postMessage({ type: 'answer', id, value } satisfies FromWorker),
    (err: Error) => port.postMessage({ type: 'answerFailed', id, message: err.message } satisfies FromWorker),
  );
}

async function run(job: IndexJob): Promise<void> {
  const skip = new Set(job.superseded);
  const C = PROJECTION_COLUMNS;
  let block = emptyBlock();
  let finals = 0;
  let lastHash = job.prevHash;
  const auditSeqs: number[] = [];
  for await (const { entry, body } of readEntriesForRestore(job.vaultDir, job.hospital, job)) {
    for (const [i, v] of body.versions.entries()) {
      block.versions.add(copyLine(versionRowOf(body, v), C.resource_version));
      if (skip.has(positionOf(entry.seq, i))) continue;
      finals++;
      block.current.add(copyLine(currentRowOf(body.hospital, v), C.resource_current));
      for (const row of indexRowsOf(body.hospital, v)) block.index.add(copyLine(row as Record<string, unknown>, C.search_index));
    }
    const key = requestKeyRowOf(body);
    if (key) block.keys.add(copyLine(key, C.request_key));
    if (body.audit?.length) auditSeqs.push(body.seq);
    block.entries++;
    block.versionCount += body.versions.length;
    lastHash = entry.hash;
    if (block.index.length + block.versions.length + block.current.length >= BLOCK) {
      await send(block);
      block = emptyBlock();
    }
  }
  await send(block);
  port.postMessage({ type: 'done', lastHash, finals, auditSeqs } satisfies FromWorker);
}

async function send(block: RowBlock): Promise<void> {
  while (credits === 0) await new Promise<void>((resolve) => (wake = resolve));
  credits--;
  const [index, versions, current, keys] = [block.index, block.versions, block.current, block.keys].map((bytes) => bytes.take());
  port.postMessage(
    { type: 'rows', index, versions, current, keys, entries: block.entries, versionCount: block.versionCount } satisfies FromWorker,
    [index.buffer, versions.buffer, current.buffer, keys.buffer],
  );
}
