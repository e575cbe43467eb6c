/**
 * A ledger entry: one write (a single resource or a whole Bundle), as it is chained and vaulted.
 * The chain hash is SHA-256(previous hash ‖ canonical JSON of the entry), canonical per RFC 8785,
 * so that any other implementation (the vault, an auditor's script) can recompute it byte for byte.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';

export const GENESIS_HASH = '0'.repeat(64);

export type WriteMethod = 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One resource version written by an entry. `resource` is absent for a deletion (tombstone). */
export interface VersionWrite {
  resourceType: string;
  id: string;
  versionId: number;
  lastUpdated: string;
  method: WriteMethod;
  deleted: boolean;
  resource?: Record<string, unknown>;
}

export interface LedgerEntryBody {
  hospital: string;
  seq: number;
  time: string;
  actor: string;
  sourceIp: string | null;
  requestId: string | null;
  /** SHA-256 of the request as received, so that a replayed id with a different body is detected. */
  requestHash: string | null;
  interaction: string;
  versions: VersionWrite[];
  /** For batch/transaction: the Bundle.entry.response elements, in request order. */
  responses?: unknown[];
  /**
   * For interaction 'audit' (no versions): records of accesses (each rendered as a FHIR AuditEvent
   * when read), written in batches by the audit trail (src/audit/audit-trail.ts) so that they are
   * chained and vaulted like every write.
   */
  audit?: object[];
}

export interface LedgerEntry {
  seq: number;
  body: string;
  prevHash: string;
  hash: string;
}

// The canonicaliser is byte for byte the `canonicalize` package, in about half its time (the ledger
// seals hundreds of audit records per entry); test/store/canonical-json.test.ts holds it to that.
export { canonicalJson };

export function chainHash(prevHash: string, body: string): string {
  return createHash('sha256').update(prevHash).update(body).digest('hex');
}

export function sealEntry(prevHash: string, body: LedgerEntryBody): LedgerEntry {
  const text = canonicalJson(body);
  return { seq: body.seq, body: text, prevHash, hash: chainHash(prevHash, text) };
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
