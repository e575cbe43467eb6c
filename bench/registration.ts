/**
 * Registration with duplicate detection, over >= 200k existing patients (npx tsx bench/registration.ts):
 *
 *   - the duplicate search while the clerk types (GET /api/registration/duplicates): half-typed names,
 *     full names with a birth date or an age, phone numbers; spellings varied the Indian way; p50/p99;
 *   - registrations/s through the API with duplicate detection on: each desk checks for duplicates
 *     with the whole form, then registers (POST /api/registration/patients with an X-Request-Id).
 *
 * Until src/server.ts registers the registration plugin, the server is this file run as a child
 * process (`serve`): the FHIR routes and the registration plugin over a FhirRepository on a fresh
 * database of the PostgreSQL in BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres),
 * with a fixed registration-clerk principal (so no token check and no audit trail in these figures).
 * Patients are loaded through the ledger in transaction Bundles of 500. Numbers, never pass/fail.
 *
 * Options (env): BENCH_PATIENTS (default 200000), BENCH_SECONDS (10), BENCH_CONNECTIONS (10).
 */
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import pg from 'pg';
import { registrationPlugin } from '../src/departments/registration/registration-plugin.js';
import { currentVersion } from '../src/fhir/repository/current-version.js';
import { FhirRepository } from '../src/fhir/repository/repository.js';
import { fhirPlugin } from '../src/fhir/rest/fhir-plugin.js';
import { AccessControl } from '../src/security/access-control.js';
import { PatientScope } from '../src/security/permissions/patient-scope.js';
import { appRoleName, ensureAppRole } from '../src/store/app-role.js';
import { connectDatabase } from '../src/store/database.js';
import { migrate } from '../src/store/migrate.js';
import { ensureHospital } from '../src/store/open-store.js';
import { syntheticPatient } from './synthetic-patients.js';

const PATIENTS = Number(process.env.BENCH_PATIENTS ?? 200_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const HOSPITAL = 'bench';

/** The child: a server with the FHIR routes and the registration plugin; prints its URL. */
async function serve(databaseUrl: string) {
  const admin = connectDatabase(databaseUrl, { max: 2 });
  await migrate(admin);
  await ensureHospital(admin, HOSPITAL, 'Bench Hospital');
  const app = connectDatabase(await ensureAppRole(admin, databaseUrl), { max: 20 });
  await admin.close();
  const repo = new FhirRepository(app);
  const access = new AccessControl(new PatientScope(repo), async (hospital, type, id) => {
    const found = await currentVersion(app, hospital, type, id);
    return found && !found.deleted ? found.resource : null;
  });
  const server = Fastify({ bodyLimit: 16 * 1024 * 1024 });
  server.addHook('onRequest', async (request) => {
    request.principal = { hospitalId: HOSPITAL, principal: 'user:bench-clerk', scope: 'fhir', role: 'registration-clerk', kind: 'token', department: null, ward: null };
  });
  await server.register(fhirPlugin, { prefix: '/fhir/R4', repo, access });
  await server.register(registrationPlugin, { prefix: '/api/registration', repo, db: app, access });
  console.log(`listening ${await server.listen({ port: 0, host: '127.0.0.1' })}`);
}

async function main() {
  const name = `nirantar_bench_${randomBytes(4).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const u = new URL(ADMIN_URL);
  u.pathname = `/${name}`;
  const child = spawn(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, 'serve', u.toString()], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const base = await new Promise<string>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => { const m = /listening (\S+)/.exec(String(d)); if (m) resolve(m[1]); });
      child.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
    });
    console.log(`# Registration benchmark: ${PATIENTS} patients, ${CONNECTIONS} connections, ${SECONDS} s per load`);
    await loadPatients(base, PATIENTS);
    // A freshly loaded table has no planner statistics until autovacuum gets to it; a hospital's has.
    await adminQuery('ANALYZE', u.toString());
    for (let i = 0; i < 50; i++) await (await fetch(`${base}${typedQuery(i)}`)).arrayBuffer(); // warm up
    await duplicateSearch(base);
    await registrations(base);
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await adminQuery(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(appRoleName(name))}`);
  }
}

async function adminQuery(sql: string, url = ADMIN_URL) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try { await c.query(sql); } finally { await c.end(); }
}

async function loadPatients(base: string, count: number) {
  const started = Date.now();
  for (let offset = 0; offset < count; offset += 500) {
    const entry = Array.from({ length: Math.min(500, count - offset) }, (_, i) => ({ resource: syntheticPatient(offset + i), request: { method: 'POST', url: 'Patient' } }));
    const res = await fetch(`${base}/fhir/R4`, { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry }) });
    if (res.status !== 200) throw new Error(`load failed: ${res.status} ${(await res.text()).slice(0, 300)}`);
    await res.arrayBuffer();
    if (offset % 20_000 === 0) process.stderr.write(`\r  loaded ${offset} patients`);
  }
  const s = (Date.now() - started) / 1000;
  process.stderr.write(`\r  loaded ${count} patients in ${s.toFixed(1)} s (${Math.round(count / s)}/s)\n`);
}

// How desks misspell the synthetic names (each pair: as stored, as typed).
const RESPELL: Array<[RegExp, string]> = [[/ee/g, 'i'], [/sh/g, 's'], [/v/g, 'w'], [/aa/g, 'a'], [/y$/, 'i'], [/ksh/g, 'x'], [/u/g, 'oo']];
const respell = (text: string, n: number) => text.toLowerCase().replace(RESPELL[n % RESPELL.length][0], RESPELL[n % RESPELL.length][1]);

/** What a clerk has typed so far, for the n-th query: a mix of half-typed and full forms. */
function typedQuery(n: number): string {
  const p = syntheticPatient((n * 7_919) % PATIENTS);
  const [given] = p.name[0].given;
  const family = p.name[0].family;
  const full = `${respell(given, n)} ${respell(family, n + 1)}`;
  const q = new URLSearchParams();
  switch (n % 5) {
    case 0: q.set('name', full.slice(0, Math.max(3, Math.floor(full.length * 0.6)))); break; // still typing the name
    case 1: q.set('name', full); q.set('sex', p.gender); break;
    case 2: q.set('name', full); q.set('birthDate', p.birthDate); q.set('sex', p.gender); break;
    case 3: q.set('name', full); q.set('ageYears', String(2026 - Number(p.birthDate.slice(0, 4)))); q.set('sex', p.gender); break;
    default: q.set('name', full); q.set('birthDate', p.birthDate); q.set('phone', p.telecom[0].value.slice(3)); q.set('sex', p.gender);
  }
  return `/api/registration/duplicates?${q}`;
}

/** One clerk typing (requests one after another), then CONNECTIONS clerks at once. */
async function duplicateSearch(base: string) {
  let n = 0;
  for (const connections of [1, CONNECTIONS]) {
    const result = await autocannon({
      url: base, connections, duration: SECONDS,
      requests: [{ setupRequest: (req: any) => ({ ...req, path: typedQuery(n++) }) }],
    });
    report(`duplicate search, ${connections} desk${connections > 1 ? 's' : ''}`, result);
  }
}

async function registrations(base: string) {
  let n = 0;
  const form = () => {
    const p = syntheticPatient(PATIENTS + 1_000_000 + n++);
    return { name: { given: p.name[0].given, family: p.name[0].family }, sex: p.gender, birthDate: p.birthDate, phone: p.telecom[0].value };
  };
  let current = form();
  const result = await autocannon({
    url: base, connections: CONNECTIONS, duration: SECONDS,
    requests: [
      // The desk checks the whole form for duplicates, then registers it.
      { setupRequest: (req: any) => {
        current = form();
        const q = new URLSearchParams({ name: `${current.name.given[0]} ${current.name.family}`, birthDate: current.birthDate, phone: current.phone, sex: current.sex });
        return { ...req, method: 'GET', path: `/api/registration/duplicates?${q}` };
      } },
      { setupRequest: (req: any) => ({
        ...req, method: 'POST', path: '/api/registration/patients', body: JSON.stringify(current),
        headers: { 'content-type': 'application/json', 'x-request-id': randomUUID() },
      }) },
    ],
  });
  const perSecond = result.requests.total / 2 / SECONDS;
  report('check + register (pairs)', result);
  console.log(`registrations with duplicate detection: ${perSecond.toFixed(0)}/s`);
}

function report(name: string, r: autocannon.Result) {
  console.log(`${name.padEnd(28)} ${r.requests.average.toFixed(0).padStart(6)} req/s   p50 ${String(r.latency.p50).padStart(4)} ms   p99 ${String(r.latency.p99).padStart(4)} ms   errors ${r.errors + r.non2xx}`);
}

if (process.argv[2] === 'serve') await serve(process.argv[3]);
else await main();
