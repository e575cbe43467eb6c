/**
 * npm run bench:audit — what auditing every access costs: read-by-id and search throughput with
 * the audit trail on and off, in the same run, on the same database, as a registration clerk (so
 * the permission check, the patient extraction and the access watch run in both).
 *
 * Modes alternate off, on, off, on… (BENCH_ROUNDS pairs) so drift on a shared machine falls on both;
 * the figure per mode is the median of its rounds, and each round's own on/off ratio is printed too (their
 * spread shows how much a shared machine moved). Target: auditing costs at most 15% (ratio >= 0.85).
 *
 * Each load also prints the CPU it cost per request, in the server process and in PostgreSQL (all
 * its processes, from /proc: Linux only), to tell the server's work from the database's on a small machine.
 *
 * Then it times forensic questions on the trail those rounds wrote (a patient, a user, an address,
 * the newest page, the whole trail page by page).
 *
 * Env: BENCH_PATIENTS (20000), BENCH_SECONDS (8), BENCH_CONNECTIONS (20), BENCH_ROUNDS (2),
 * BENCH_PG_URL (postgres://postgres@127.0.0.1:5432/postgres), BENCH_NODE_ARGS (more node options for the
 * server, e.g. '--cpu-prof --cpu-prof-dir=/tmp/prof' to profile it). Figures only; nothing passes or fails.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { cpuDelta, cpuSeconds, postgresCpu } from './process-cpu.js';
import { issueApiToken } from '../src/security/api-tokens.js';
import { findAuditEvents, type AuditCursor, type AuditTerm } from '../src/audit/audit-query.js';
import { connectDatabase, type Queryable } from '../src/store/database.js';
import { FAMILY_NAMES, syntheticPatient } from './synthetic-patients.js';

const PATIENTS = Number(process.env.BENCH_PATIENTS ?? 20_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const NODE_ARGS = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
const ROOT = path.resolve(import.meta.dirname, '..');
const BOOTSTRAP = `bench-${randomBytes(12).toString('hex')}`;
const PORT = 17000 + Math.floor(Math.random() * 1000);
const BASE = `http://127.0.0.1:${PORT}/fhir/R4`;

async function startServer(databaseUrl: string, audit: 'on' | 'off'): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...NODE_ARGS, '--import', 'tsx', 'bench/audit-server.ts', String(PORT), databaseUrl, audit], {
    cwd: ROOT, env: { ...process.env, NIRANTAR_BOOTSTRAP_TOKEN: BOOTSTRAP }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => (String(d).includes('is running at') ? resolve() : undefined));
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return child;
}
async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

async function measure(server: ChildProcess, token: string, setup: (req: any) => any): Promise<{ rps: number; p99: number; errors: number; nodeUs: number; pgUs: number }> {
  const node0 = cpuSeconds(server.pid!);
  const pg0 = await postgresCpu(monitor, name);
  const result = await autocannon({
    url: BASE, connections: CONNECTIONS, duration: SECONDS, headers: { authorization: `Bearer ${token}` }, requests: [{ setupRequest: setup }],
  });
  const requests = Math.max(1, result.requests.total);
  return {
    rps: result.requests.average, p99: result.latency.p99, errors: result.errors + result.non2xx,
    nodeUs: ((cpuSeconds(server.pid!) - node0) * 1e6) / requests, pgUs: (cpuDelta(pg0, await postgresCpu(monitor, name)) * 1e6) / requests,
  };
}
const cpu = (m: { nodeUs: number; pgUs: number }) => `cpu/req node ${m.nodeUs.toFixed(0)} µs pg ${m.pgUs.toFixed(0)} µs`;

/**
 * What the trail written above answers, and how fast: the questions an investigator asks, through
 * the same query as the API and `nirantar audit` (findAuditEvents), each the median of 5 runs.
 */
async function forensicQuestions(db: Queryable, patientIds: string[]): Promise<void> {
  const [{ patient }] = await db.query<{ patient: string }>(
    "SELECT p AS patient FROM audit_entry, unnest(patients) AS p WHERE hospital_id = 'demo' GROUP BY p ORDER BY count(*) DESC, p LIMIT 1");
  const questions: Array<[string, AuditTerm[][], 'asc' | 'desc', number]> = [
    ['the newest 50 events', [], 'desc', 50],
    [`everything about the patient read most (${patient.slice(0, 16)}…)`, [[{ on: 'patient', value: patient }]], 'desc', 1000],
    ['a patient nobody opened', [[{ on: 'patient', value: `Patient/${patientIds[0]}-never` }]], 'desc', 50],
    ["the bench clerk's newest 50", [[{ on: 'principal', value: 'token:bench-clerk' }]], 'desc', 50],
    ['the oldest 1000 from 127.0.0.1', [[{ on: 'address', value: '127.0.0.1' }]], 'asc', 1000],
  ];
  for (const [label, where, order, count] of questions) {
    const times: number[] = [];
    let found = 0;
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      found = (await findAuditEvents(db, { hospitalId: 'demo', where, order, count })).events.length;
      times.push(performance.now() - t0);
    }
    console.log(`  ${label.padEnd(52)} ${String(found).padStart(5)} events in ${median(times).toFixed(1).padStart(7)} ms`);
  }
  // The whole trail, oldest first, a page of 1000 at a time (what `nirantar audit --format csv` reads).
  const t0 = performance.now();
  let total = 0;
  let after: AuditCursor | undefined;
  do {
    const page = await findAuditEvents(db, { hospitalId: 'demo', where: [], order: 'asc', count: 1000, ...(after ? { after } : {}) });
    total += page.events.length;
    after = page.next;
  } while (after);
  const seconds = (performance.now() - t0) / 1000;
  console.log(`  the whole trail, oldest first, pages of 1000: ${total} events in ${seconds.toFixed(1)} s (${(total / seconds).toFixed(0)} events/s)`);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const name = `nirantar_bench_audit_${randomBytes(3).toString('hex')}`;
const admin = new pg.Client({ connectionString: PG_URL });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
await admin.end();
const dbUrl = Object.assign(new URL(PG_URL), { pathname: `/${name}` }).toString();
const monitor = new pg.Client({ connectionString: PG_URL });
await monitor.connect();
try {
  console.log(`# Nirantar audit overhead: ${PATIENTS} patients, ${CONNECTIONS} connections, ${SECONDS} s per load, ${ROUNDS} rounds per mode`);
  let server = await startServer(dbUrl, 'off');
  const ids: string[] = [];
  for (let offset = 0; offset < PATIENTS; offset += 500) {
    const entry = Array.from({ length: Math.min(500, PATIENTS - offset) }, (_, i) => ({ resource: syntheticPatient(offset + i), request: { method: 'POST', url: 'Patient' } }));
    const res = await fetch(BASE, {
      method: 'POST', headers: { authorization: `Bearer ${BOOTSTRAP}`, 'content-type': 'application/fhir+json' },
      body: JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry }),
    });
    if (res.status !== 200) throw new Error(`load failed: ${res.status}`);
    for (const e of (await res.json()).entry) ids.push(e.resource.id);
  }
  const db = connectDatabase(dbUrl, { max: 1 });
  const token = await issueApiToken(db, 'demo', { name: 'bench-clerk', role: 'registration-clerk' });
  await db.close();
  await stop(server);

  const read = (req: any) => ({ ...req, path: `/fhir/R4/Patient/${ids[Math.floor(Math.random() * ids.length)]}` });
  const search = (req: any) => ({ ...req, path: `/fhir/R4/Patient?name=${FAMILY_NAMES[Math.floor(Math.random() * FAMILY_NAMES.length)].slice(0, 4).toLowerCase()}&_count=10` });
  const figures: Record<'on' | 'off', { read: number[]; search: number[]; readP99: number[]; searchP99: number[]; errors: number }> = {
    on: { read: [], search: [], readP99: [], searchP99: [], errors: 0 }, off: { read: [], search: [], readP99: [], searchP99: [], errors: 0 },
  };
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of ['off', 'on'] as const) {
      server = await startServer(dbUrl, mode);
      const r = await measure(server, token, read);
      const s = await measure(server, token, search);
      await stop(server);
      const f = figures[mode];
      f.read.push(r.rps); f.search.push(s.rps); f.readP99.push(r.p99); f.searchP99.push(s.p99); f.errors += r.errors + s.errors;
      console.log(`  round ${round + 1} audit ${mode.padEnd(3)}  read ${r.rps.toFixed(0).padStart(6)}/s p99 ${r.p99} ms (${cpu(r)})   search ${s.rps.toFixed(0).padStart(6)}/s p99 ${s.p99} ms (${cpu(s)})   errors ${r.errors + s.errors}`);
    }
  }
  const verify = connectDatabase(dbUrl, { max: 1 });
  const [{ n, entries }] = await verify.query<{ n: string; entries: string }>('SELECT coalesce(sum(events), 0) AS n, count(*) AS entries FROM audit_entry');
  console.log('');
  await forensicQuestions(verify, ids);
  await verify.close();
  console.log('');
  for (const kind of ['read', 'search'] as const) {
    const on = median(figures.on[kind]);
    const off = median(figures.off[kind]);
    console.log(`${kind === 'read' ? 'read Patient by id' : 'search Patient?name='}`.padEnd(22) +
      `audit off ${off.toFixed(0).padStart(6)}/s   audit on ${on.toFixed(0).padStart(6)}/s   on/off ${(on / off).toFixed(2)} (target >= 0.85)` +
      // Each round's on against the off just before it: their spread says how much the machine moved.
      `   per round ${figures.on[kind].map((x, i) => (x / figures.off[kind][i]).toFixed(2)).join(' ')}`);
  }
  console.log(`AuditEvents written during the audited rounds: ${n} in ${entries} ledger entries; non-2xx or errors: off ${figures.off.errors}, on ${figures.on.errors}`);
} finally {
  await monitor.end();
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await c.end();
}
