/**
 * npm run bench: FHIR API throughput and latency with the ledger on, against the embedded and an
 * external PostgreSQL (this machine's service at 127.0.0.1:5432, or BENCH_EXTERNAL_URL).
 *
 *   create Patient · read Patient by id · search Patient by name prefix, over >= 100k patients,
 *   20 connections, 10 s each; then the rebuild rate in resources/s.
 *
 * The server runs as its own process (node bin/nirantar.js start) so that the load generator does
 * not share its event loop. Figures are printed; nothing here passes or fails on time.
 *
 * Options (env): BENCH_PATIENTS (default 100000), BENCH_SECONDS (10), BENCH_CONNECTIONS (20),
 * BENCH_TARGETS (embedded,external).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import pg from 'pg';
import { loadDefinitions } from '../src/fhir/definitions.js';
import { connectDatabase } from '../src/store/database.js';
import { rebuildProjections } from '../src/store/rebuild.js';
import { syntheticPatient, FAMILY_NAMES } from './synthetic-patients.js';

const PATIENTS = Number(process.env.BENCH_PATIENTS ?? 100_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const TARGETS = (process.env.BENCH_TARGETS ?? 'embedded,external').split(',');
const EXTERNAL = process.env.BENCH_EXTERNAL_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const TOKEN = `bench-${randomBytes(12).toString('hex')}`;
const PORT = 18000 + Math.floor(Math.random() * 1000);
const base = `http://127.0.0.1:${PORT}/fhir/R4`;
const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/fhir+json' };

async function startServer(args: string[], env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['bin/nirantar.js', 'start', '--port', String(PORT), '--no-seed', ...args], {
    env: { ...process.env, ...env, NIRANTAR_BOOTSTRAP_TOKEN: TOKEN }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => (String(d).includes('is running at') ? resolve() : undefined));
    child.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return child;
}

async function stopServer(child: ChildProcess) {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/** Loads patients through the API in transaction Bundles of 500 (so through the ledger). */
async function loadPatients(count: number): Promise<string[]> {
  const ids: string[] = [];
  const started = Date.now();
  for (let offset = 0; offset < count; offset += 500) {
    const n = Math.min(500, count - offset);
    const entry = Array.from({ length: n }, (_, i) => ({ resource: syntheticPatient(offset + i), request: { method: 'POST', url: 'Patient' } }));
    const res = await fetch(base, { method: 'POST', headers: auth, body: JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry }) });
    if (res.status !== 200) throw new Error(`load failed: ${res.status} ${(await res.text()).slice(0, 300)}`);
    const body = await res.json();
    for (const e of body.entry) ids.push(e.resource.id);
    if (offset % 20000 === 0) process.stderr.write(`\r  loaded ${offset + n} patients`);
  }
  const s = (Date.now() - started) / 1000;
  process.stderr.write(`\r  loaded ${count} patients in ${s.toFixed(1)} s (${Math.round(count / s)}/s, transaction Bundles of 500)\n`);
  return ids;
}

interface Figure { name: string; rps: number; p50: number; p99: number; errors: number }

async function load(name: string, setup: (req: any) => any, method = 'GET', body?: string): Promise<Figure> {
  const result = await autocannon({
    url: base, connections: CONNECTIONS, duration: SECONDS, method: method as 'GET', headers: auth, body,
    requests: [{ setupRequest: setup }],
  });
  return { name, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.non2xx };
}

async function benchTarget(target: string) {
  let dataDir: string | undefined;
  let dbUrl: string | undefined;
  let args: string[];
  const env: Record<string, string> = {};
  if (target === 'embedded') {
    dataDir = mkdtempSync(join(tmpdir(), 'nirantar-bench-'));
    args = ['--data', dataDir];
    env.DATABASE_URL = '';
  } else {
    const name = `nirantar_bench_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: EXTERNAL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const u = new URL(EXTERNAL);
    u.pathname = `/${name}`;
    dbUrl = u.toString();
    args = ['--database-url', dbUrl];
  }
  console.log(`\n## ${target} PostgreSQL`);
  let server = await startServer(args, env);
  const ids = await loadPatients(PATIENTS);
  const figures: Figure[] = [];
  let n = 0;
  figures.push(await load('create Patient', (req) => ({ ...req, path: '/fhir/R4/Patient', method: 'POST', body: JSON.stringify(syntheticPatient(PATIENTS + n++)) })));
  figures.push(await load('read Patient by id', (req) => ({ ...req, path: `/fhir/R4/Patient/${ids[Math.floor(Math.random() * ids.length)]}` })));
  figures.push(await load('search Patient?name=', (req) => {
    const family = FAMILY_NAMES[Math.floor(Math.random() * FAMILY_NAMES.length)];
    return { ...req, path: `/fhir/R4/Patient?name=${family.slice(0, 4).toLowerCase()}` };
  }));
  for (const f of figures) {
    console.log(`${f.name.padEnd(24)} ${f.rps.toFixed(0).padStart(7)} req/s   p50 ${String(f.p50).padStart(4)} ms   p99 ${String(f.p99).padStart(4)} ms   errors ${f.errors}`);
  }
  await stopServer(server);

  // Rebuild: every projection from the ledger, with the server stopped.
  server = await startServer(args, env);
  await stopServer(server);
  const { openStore } = await import('../src/store/open-store.js');
  const store = await openStore({ dataDir: dataDir ?? '', databaseUrl: dbUrl, poolSize: 2 });
  loadDefinitions();
  const started = Date.now();
  const rebuilt = await rebuildProjections(store.admin);
  const s = (Date.now() - started) / 1000;
  console.log(`rebuild                  ${Math.round(rebuilt.versions / s)} resources/s   (${rebuilt.versions} versions from ${rebuilt.entries} entries in ${s.toFixed(1)} s)`);
  await store.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  if (dbUrl) {
    const admin = connectDatabase(EXTERNAL, { max: 1 });
    await admin.query(`DROP DATABASE IF EXISTS ${new URL(dbUrl).pathname.slice(1)} WITH (FORCE)`);
    await admin.close();
  }
  return figures;
}

console.log(`# Nirantar FHIR API benchmark: ${PATIENTS} patients, ${CONNECTIONS} connections, ${SECONDS} s per load`);
for (const target of TARGETS) await benchTarget(target);
