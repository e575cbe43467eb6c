/**
 * Helpers for the restore tests: a hospital's worth of writes through the real API, a vault that
 * pulls it to the head, fresh target databases (dropped afterwards with their application roles),
 * snapshots of every projection table, and the vault's commands run as child processes.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { TestContext } from 'node:test';
import pg from 'pg';
import { ensureBootstrapToken, issueVaultCredential } from '../../src/security/api-tokens.js';
import type { RunningServer } from '../../src/server.js';
import { appRoleName } from '../../src/store/app-role.js';
import { GENESIS_HASH, sealEntry, type LedgerEntryBody, type VersionWrite } from '../../src/store/ledger-entry.js';
import { ensureHospital, openStore } from '../../src/store/open-store.js';
import { restoreVault } from '../../src/vault/restore.js';
import type { ReplicatedEntry } from '../../src/vault/vault-entry.js';
import { runVault } from '../../src/vault/vault-puller.js';
import { VaultStore } from '../../src/vault/vault-store.js';
import { createTestDatabase } from '../support/database.js';
import type { TestServer } from '../support/server.js';
import { waitFor } from './vault-fixtures.js';

export const NORTH_TOKEN = 'north-hospital-token-0123456789';
const SCRIPT = path.join(import.meta.dirname, 'fixtures', 'run-command.ts');
const ROOT = path.resolve(import.meta.dirname, '..', '..');

/** An empty database for a restore, dropped (with any application role made for it) when the test ends. */
export async function freshDatabase(t: TestContext | { after(fn: () => unknown): void }): Promise<{ url: string; name: string }> {
  const db = await createTestDatabase('nirantar_restore');
  t.after(async () => {
    await db.drop();
    await onDatabase(db.url, 'postgres', (c) => c.query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(appRoleName(db.name))}`));
  });
  return db;
}

/** A fresh database and one connection to it, both gone after the test. */
export async function freshClient(t: TestContext): Promise<pg.Client> {
  const db = await freshDatabase(t);
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  client.on('error', () => {}); // the database is dropped under it at the end
  t.after(() => client.end());
  return client;
}

export async function onDatabase<T>(url: string, database: string | undefined, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const u = new URL(url);
  if (database) u.pathname = `/${database}`;
  const client = new pg.Client({ connectionString: u.toString() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Writes of every kind, with text that is hard to COPY (backslashes, tabs, newlines, Devanagari, emoji). */
export async function populate(t: TestServer, patients = 12): Promise<{ ids: string[]; deleted: string }> {
  const ids: string[] = [];
  for (let i = 0; i < patients; i++) {
    const res = await t.request('POST', '/Patient', {
      resourceType: 'Patient', gender: i % 2 ? 'male' : 'female', birthDate: `19${50 + i}-02-0${1 + (i % 9)}`,
      name: [{ family: i === 0 ? 'O\\Brien "quoted"' : `Restorable${i}`, given: [i === 1 ? 'राम\tप्रसाद' : `Given${i}`] }],
      address: [{ text: i === 2 ? 'line one\nline two\r\nback\\slash 🏥' : `House ${i}`, city: 'New Delhi' }],
    }, { 'x-request-id': `populate-${i}` });
    if (res.status !== 201) throw new Error(`create failed: ${res.status} ${JSON.stringify(res.body)}`);
    ids.push(res.body.id);
  }
  for (const id of ids.slice(0, 4)) {
    const { body } = await t.request('GET', `/Patient/${id}`);
    const res = await t.request('PUT', `/Patient/${id}`, { ...body, telecom: [{ system: 'phone', value: '+91 98100 00000' }] });
    if (res.status !== 200) throw new Error(`update failed: ${res.status}`);
  }
  const deleted = ids[5];
  await t.request('DELETE', `/Patient/${deleted}`);
  const bundle = await t.request('POST', '', {
    resourceType: 'Bundle', type: 'transaction',
    entry: [
      { fullUrl: 'urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a', resource: { resourceType: 'Patient', name: [{ family: 'Transacted' }] }, request: { method: 'POST', url: 'Patient' } },
      {
        resource: {
          resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '718-7', display: 'Hemoglobin' }] },
          subject: { reference: 'urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a' }, effectiveDateTime: '2025-03-01T10:00:00+05:30',
          valueQuantity: { value: 13.25, unit: 'g/dL', system: 'http://unitsofmeasure.org', code: 'g/dL' },
        },
        request: { method: 'POST', url: 'Observation' },
      },
      { resource: { resourceType: 'Patient', id: ids[6], name: [{ family: 'Replaced' }] }, request: { method: 'PUT', url: `Patient/${ids[6]}` } },
    ],
  });
  if (bundle.status !== 200) throw new Error(`transaction failed: ${bundle.status} ${JSON.stringify(bundle.body)}`);
  return { ids, deleted };
}

/** A second hospital on the same server, with a few writes of its own (its own chain). */
export async function populateNorth(t: TestServer): Promise<void> {
  await ensureHospital(t.server.store.app, 'north', 'North District Hospital');
  await ensureBootstrapToken(t.server.store.app, 'north', NORTH_TOKEN);
  for (let i = 0; i < 3; i++) {
    const res = await t.request('POST', '/Patient', { resourceType: 'Patient', name: [{ family: `Northern${i}` }] }, { authorization: `Bearer ${NORTH_TOKEN}` });
    if (res.status !== 201) throw new Error(`north create failed: ${res.status}`);
  }
}

export async function ledgerHead(url: string, hospital: string): Promise<number> {
  return onDatabase(url, undefined, async (c) => Number((await c.query('SELECT coalesce(max(seq), 0) AS s FROM ledger_entry WHERE hospital_id = $1', [hospital])).rows[0].s));
}

/** Runs a vault against the server until it holds the hospital's whole ledger, then stops it. */
export async function pullToHead(t: TestServer, vaultDir: string, hospital = 'demo'): Promise<void> {
  const credential = await issueVaultCredential(t.server.store.app, hospital, `test-${hospital}`);
  // The audit trail writes its entries a little after the requests they record: flushed first, so
  // that the head read here is the last entry, and read again after the pull in case the pull's own
  // requests were recorded.
  for (let pass = 0; pass < 5; pass++) {
    await t.server.auditTrail?.flush();
    const head = await ledgerHead(t.databaseUrl, hospital);
    const controller = new AbortController();
    const done = runVault({ dir: vaultDir, server: t.server.url, credential, hospitals: [hospital], signal: controller.signal, log: () => {}, waitMs: 200, retryMinMs: 20, retryMaxMs: 200 });
    try {
      await waitFor(`the vault to hold entry ${head} of ${hospital}`, () => t.server.acks.durableSeq(hospital) >= head, 20_000);
    } finally {
      controller.abort();
      await done;
    }
    await t.server.auditTrail?.flush();
    if ((await ledgerHead(t.databaseUrl, hospital)) === head) return;
  }
  throw new Error(`the ledger of ${hospital} kept growing while the vault pulled it`);
}

/** Every projection row of a database (all hospitals), in a fixed order, to compare two databases. */
export async function projectionSnapshot(url: string) {
  return onDatabase(url, undefined, async (c) => {
    const q = async (sql: string) => (await c.query(sql)).rows;
    return {
      ledger: await q('SELECT hospital_id, seq, recorded_at, body, prev_hash, hash FROM ledger_entry ORDER BY 1, 2'),
      versions: await q('SELECT hospital_id, resource_type, id, version_id, seq, last_updated, deleted, method, resource FROM resource_version ORDER BY 1,2,3,4'),
      current: await q('SELECT * FROM resource_current ORDER BY 1,2,3'),
      index: await q('SELECT * FROM search_index ORDER BY hospital_id, resource_type, resource_id, code, system, value, raw, low_time, high_time, low_num, high_num'),
      keys: await q('SELECT * FROM request_key ORDER BY 1,2'),
    };
  });
}

export interface CommandRun {
  child: ReturnType<typeof spawn>;
  out: { stdout: string; stderr: string };
  exited: Promise<number | null>;
}

/** `nirantar <command> …args` in a child process (see fixtures/run-command.ts). */
export function runCommand(command: string, args: string[], env: Record<string, string | undefined> = {}): CommandRun {
  return spawnRun(['--import', 'tsx', SCRIPT, command, ...args], env);
}

/** `nirantar …args` through the real entry point (bin/nirantar.js): every command, its error handling included. */
export function runNirantar(args: string[], env: Record<string, string | undefined> = {}): CommandRun {
  return spawnRun([path.join(ROOT, 'bin', 'nirantar.js'), ...args], env);
}

function spawnRun(args: string[], env: Record<string, string | undefined>): CommandRun {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, DATABASE_URL: '', NIRANTAR_HOSPITAL: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  child.stdout!.on('data', (d) => (out.stdout += d));
  child.stderr!.on('data', (d) => (out.stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out, exited };
}

/**
 * A chain of real sealed entries without a server, fast enough to make thousands: creates, updates
 * of recent and of long-ago patients, deletions, entries writing several versions (like a Bundle),
 * some with idempotency keys. `padding` makes entries bigger.
 */
export function syntheticChain(hospital: string, count: number, padding = 0): ReplicatedEntry[] {
  const versions = new Map<string, number>();
  const entries: ReplicatedEntry[] = [];
  let hash = GENESIS_HASH;
  for (let seq = 1; seq <= count; seq++) {
    const lastUpdated = new Date(Date.UTC(2025, 0, 1, 0, 0, 0, seq)).toISOString();
    const write = (id: string, method: 'POST' | 'PUT' | 'DELETE'): VersionWrite => {
      const versionId = (versions.get(id) ?? 0) + 1;
      versions.set(id, versionId);
      const deleted = method === 'DELETE';
      return {
        resourceType: 'Patient', id, versionId, lastUpdated, method, deleted,
        ...(deleted ? {} : { resource: {
          resourceType: 'Patient', id, meta: { versionId: String(versionId), lastUpdated },
          name: [{ family: `Synthetic${seq}`, given: [`Given\\${seq}\t${'x'.repeat(padding)}`] }], gender: seq % 2 ? 'male' : 'female', birthDate: `19${40 + (seq % 60)}-01-01`,
        } }),
      };
    };
    let written: VersionWrite[];
    if (seq % 97 === 0) written = [write(`p-${(seq % 50) + 1}`, 'PUT')]; // a patient from long ago
    else if (seq > 11 && seq % 11 === 0) written = [write(`p-${seq - 9}`, 'DELETE')];
    else if (seq > 5 && seq % 5 === 0) written = [write(`p-${seq - 4}`, 'PUT'), ...(seq % 50 === 0 ? [write(`p-${seq}-a`, 'POST'), write(`p-${seq}-b`, 'POST')] : [])];
    else written = [write(`p-${seq}`, 'POST')];
    const body: LedgerEntryBody = {
      hospital, seq, time: lastUpdated, actor: 'Practitioner/synthetic', sourceIp: '10.0.0.9', requestId: seq % 3 ? `synthetic-${seq}` : null,
      requestHash: seq % 3 ? `h${seq}` : null, interaction: written.length > 1 ? 'transaction' : written[0].method === 'POST' ? 'create' : written[0].method === 'PUT' ? 'update' : 'delete',
      versions: written,
    };
    const sealed = sealEntry(hash, body);
    entries.push({ seq, prev_hash: sealed.prevHash, hash: sealed.hash, body: sealed.body });
    hash = sealed.hash;
  }
  return entries;
}

/** Stores `entries` in a new vault in `dir`, in several segments, with signed checkpoints. */
export async function writeVault(dir: string, hospital: string, entries: ReplicatedEntry[], options: { segmentMaxEntries?: number; checkpointEvery?: number } = {}): Promise<void> {
  const store = await VaultStore.open(dir, { create: true, segmentMaxEntries: options.segmentMaxEntries ?? 400 });
  try {
    await store.bind(hospital, entries[0].hash, 'http://synthetic.test');
    const every = options.checkpointEvery ?? 1000;
    for (let i = 0; i < entries.length; i += every) {
      await store.append(hospital, entries.slice(i, i + every));
      await store.checkpoint(hospital);
    }
  } finally {
    await store.close();
  }
}

/** Restores in-process (as the CLI does, but without a child) into the database at `url`. */
export async function restoreInto(url: string, vaultDir: string, options: { force?: boolean; hospitals?: string[]; publicKey?: string } = {}) {
  const store = await openStore({ databaseUrl: url, dataDir: '', appRole: false });
  try {
    return await restoreVault(store, { vaultDir, ...options });
  } finally {
    await store.close();
  }
}

/** The RESTORED line(s) of the restore command's output, parsed. */
export function restoredLines(stdout: string): Array<{ entries: number; resources: number; seq: number; head: string; state: string }> {
  return [...stdout.matchAll(/^RESTORED (\d+) entries, (\d+) resources, head (\d+) ([0-9a-f]{64}), state ([0-9a-f]{64})/gm)]
    .map((m) => ({ entries: Number(m[1]), resources: Number(m[2]), seq: Number(m[3]), head: m[4], state: m[5] }));
}

/** The test helpers' view (request, close) of a server started directly with startServer. */
export function serverClient(server: RunningServer, token: string): TestServer {
  const base = `${server.url}/fhir/R4`;
  return {
    server, base, databaseUrl: server.store.adminUrl,
    async request(method, path, body, headers = {}) {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/fhir+json' } : {}), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
    },
    close: () => server.close(),
  };
}

/**
 * Closes a server without waiting for sockets that never sent a request: an in-process vault stopped
 * mid-connect can leave one, which Node's HTTP server otherwise keeps until its headers timeout
 * (about 70 s). Requests have all been answered by the time the tests call this.
 */
export async function closeNow(server: RunningServer | TestServer): Promise<void> {
  const running = 'app' in server ? server : server.server;
  running.app.server.closeAllConnections();
  await server.close();
}

/** Stops a command's child: SIGTERM (it stops its embedded PostgreSQL), SIGKILL only if it hangs. */
export async function stopChild(run: CommandRun): Promise<void> {
  if (run.child.exitCode !== null || run.child.signalCode !== null) return;
  run.child.kill('SIGTERM');
  const timer = setTimeout(() => run.child.kill('SIGKILL'), 15_000);
  await run.exited;
  clearTimeout(timer);
}
