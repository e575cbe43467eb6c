/**
 * One ledger entry as it travels from the server to the vault and sits in a segment file:
 * `{"seq":..,"prev_hash":..,"hash":..,"body":"<canonical JSON text>"}`. The checks here are the
 * same ones `nirantar verify` makes on the server (src/store/ledger-verify.ts), so the vault accepts
 * exactly the chain the server should have. Error texts never quote the line: it holds patient data.
 */
import { chainHash, GENESIS_HASH } from '../store/ledger-entry.js';

export interface ReplicatedEntry {
  seq: number;
  prev_hash: string;
  hash: string;
  body: string;
}

/** An entry with, when it came over the wire, the exact line it was parsed from (stored verbatim). */
export type ReceivedEntry = ReplicatedEntry & { readonly line?: string };

const HASH = /^[0-9a-f]{64}$/;

/** Parses one NDJSON line; throws an Error whose message says what is wrong without quoting it. */
export function parseEntryLine(line: string): ReplicatedEntry {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new Error('the line is not valid JSON');
  }
  const e = value as Partial<ReplicatedEntry> | null;
  if (typeof e !== 'object' || e === null || Array.isArray(e)) throw new Error('the line is not a JSON object');
  if (!Number.isSafeInteger(e.seq) || (e.seq as number) < 1) throw new Error('"seq" is missing or not a positive integer');
  if (typeof e.prev_hash !== 'string' || !HASH.test(e.prev_hash)) throw new Error(`entry ${e.seq}: "prev_hash" is not a SHA-256 hex digest`);
  if (typeof e.hash !== 'string' || !HASH.test(e.hash)) throw new Error(`entry ${e.seq}: "hash" is not a SHA-256 hex digest`);
  if (typeof e.body !== 'string') throw new Error(`entry ${e.seq}: "body" is not a string`);
  return { seq: e.seq as number, prev_hash: e.prev_hash, hash: e.hash, body: e.body };
}

/** The text stored for an entry: the line as received, or the four fields in the wire order. */
export function entryLine(entry: ReceivedEntry): string {
  return entry.line ?? JSON.stringify({ seq: entry.seq, prev_hash: entry.prev_hash, hash: entry.hash, body: entry.body });
}

export type EntryFaultKind = 'seq' | 'prev_hash' | 'hash' | 'body';
export interface EntryFault {
  kind: EntryFaultKind;
  reason: string;
}

/**
 * Does `entry` continue a chain whose last entry is (expectedSeq - 1, prevHash)? `onBody` gets the
 * parsed body of an entry that passes, for a caller that wants more from it than the check.
 */
export function checkEntry(
  hospital: string, expectedSeq: number, prevHash: string, entry: ReplicatedEntry, onBody?: (body: Record<string, unknown>) => void,
): EntryFault | undefined {
  if (entry.seq !== expectedSeq) {
    return {
      kind: 'seq',
      reason: entry.seq > expectedSeq
        ? `entries ${expectedSeq}..${entry.seq - 1} are missing (the next entry is ${entry.seq})`
        : `entry ${entry.seq} appears where entry ${expectedSeq} was expected (repeated or out of order)`,
    };
  }
  if (entry.prev_hash !== prevHash) return { kind: 'prev_hash', reason: prevHashFault(expectedSeq) };
  if (chainHash(entry.prev_hash, entry.body) !== entry.hash) {
    return { kind: 'hash', reason: 'hash is not sha256(prev_hash + body): the entry was changed' };
  }
  let body: { seq?: unknown; hospital?: unknown } | null;
  try {
    body = JSON.parse(entry.body) as typeof body;
  } catch {
    return { kind: 'body', reason: 'body is not JSON' };
  }
  if (typeof body !== 'object' || body === null) return { kind: 'body', reason: 'body is not a JSON object' };
  if (body.seq !== entry.seq) return { kind: 'body', reason: `body names sequence number ${shortText(body.seq)}, not ${entry.seq}` };
  if (body.hospital !== hospital) return { kind: 'body', reason: `body names hospital ${shortText(body.hospital)}, not "${hospital}"` };
  onBody?.(body as Record<string, unknown>);
  return undefined;
}

/** What is wrong when entry `seq` does not chain to the entry before it. */
export function prevHashFault(seq: number): string {
  return `prev_hash does not match ${seq === 1 ? `the genesis hash (${GENESIS_HASH.slice(0, 8)}…)` : `the hash of entry ${seq - 1}`}`;
}

/** A value from a body, quoted and cut short, for an error message (ids and numbers, never resources). */
function shortText(value: unknown): string {
  const text = JSON.stringify(value) ?? 'nothing';
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
