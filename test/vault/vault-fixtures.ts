/** Helpers for the vault tests: real sealed ledger entries, temporary vault directories, a captured log. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { GENESIS_HASH, sealEntry, type LedgerEntryBody } from '../../src/store/ledger-entry.js';
import type { ReplicatedEntry } from '../../src/vault/vault-entry.js';
import { formatLogLine, type LogFields, type LogLevel, type VaultLog } from '../../src/vault/vault-log.js';

/** Patient data in every body, so tests can check that it never reaches a log line. */
export const PATIENT_MARKER = 'Ramaswamy-Secret-Patient';

export function entryBody(hospital: string, seq: number, padding = 0): LedgerEntryBody {
  return {
    hospital, seq, time: new Date(Date.UTC(2025, 0, 1, 0, 0, seq % 60)).toISOString(), actor: 'Practitioner/test', sourceIp: '10.0.0.1',
    requestId: `req-${seq}`, requestHash: null, interaction: 'create',
    versions: [{
      resourceType: 'Patient', id: `p-${seq}`, versionId: 1, lastUpdated: '2025-01-01T00:00:00Z', method: 'POST', deleted: false,
      resource: { resourceType: 'Patient', id: `p-${seq}`, name: [{ family: PATIENT_MARKER, given: ['x'.repeat(padding)] }] },
    }],
  };
}

/** `count` entries continuing after `from` (default: the start of a chain), sealed with the real chain hash. */
export function makeChain(hospital: string, count: number, from = { seq: 0, hash: GENESIS_HASH }, padding = 0): ReplicatedEntry[] {
  const entries: ReplicatedEntry[] = [];
  let { seq, hash } = from;
  for (let i = 0; i < count; i++) {
    const sealed = sealEntry(hash, entryBody(hospital, ++seq, padding));
    entries.push({ seq: sealed.seq, prev_hash: sealed.prevHash, hash: sealed.hash, body: sealed.body });
    hash = sealed.hash;
  }
  return entries;
}

export function headOf(entries: ReplicatedEntry[]): { seq: number; hash: string } {
  const last = entries.at(-1)!;
  return { seq: last.seq, hash: last.hash };
}

/** A new temporary directory, removed when the test ends (pass or fail). */
export async function tempDir(t: TestContext, prefix = 'nirantar-vault-test-'): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export interface CapturedLog {
  log: VaultLog;
  lines: string[];
  events: Array<{ level: LogLevel; event: string; fields: LogFields }>;
  count(event: string): number;
}

export function captureLog(echo = process.env.NIRANTAR_TEST_LOG === '1'): CapturedLog {
  const captured: CapturedLog = {
    lines: [], events: [],
    log: (level, event, fields = {}) => {
      const line = formatLogLine(level, event, fields);
      captured.lines.push(line);
      captured.events.push({ level, event, fields });
      if (echo) process.stderr.write(`${line}\n`);
    },
    count: (event) => captured.events.filter((e) => e.event === event).length,
  };
  return captured;
}

/** Polls `condition` until true or `ms` pass (then fails the test with `what`). */
export async function waitFor(what: string, condition: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
