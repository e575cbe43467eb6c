/**
 * npx tsx bench/audit-pipeline.ts — the audit trail alone, without HTTP: what one access record costs
 * in CPU from record() to its ledger entry and audit_entry row, in this process (record, batch, seal, send) and in
 * PostgreSQL (ledger insert, audit_entry row, indexes, WAL). CPU time, not throughput, so that it holds on
 * a machine shared with others. Records arrive at a steady rate, as under the HTTP benchmark, so the
 * batches have the size they have there.
 *
 * Env: BENCH_RECORDS (40000), BENCH_RATE (records per second, 4000), BENCH_GATHER_MS (the trail's
 * default), BENCH_PG_URL, BENCH_VERBOSE (user and system time apart), BENCH_DRY (the same loop without
 * recording anything: what the loop itself costs, to subtract).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { cpuDelta, postgresCpu } from './process-cpu.js';
import type { AccessRecord } from '../src/audit/access-record.js';
import { AuditTrail } from '../src/audit/audit-trail.js';
import { FhirRepository } from '../src/fhir/repository/repository.js';
import { connectDatabase } from '../src/store/database.js';
import { migrate } from '../src/store/migrate.js';
import { ensureHospital } from '../src/store/open-store.js';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 40_000);
const RATE = Number(process.env.BENCH_RATE ?? 4000);
const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** What accessRecordOf makes of the HTTP benchmark's read by a registration clerk. */
function readRecord(): AccessRecord {
  const id = randomUUID();
  return {
    hospitalId: 'demo', time: new Date().toISOString(), principal: 'token:bench-clerk', role: 'registration-clerk',
    action: 'R', interaction: 'read', resourceType: 'Patient', resourceId: id, status: 200, outcome: '0',
    patients: [`Patient/${id}`], purpose: 'TREAT', sourceIp: '127.0.0.1', userAgent: null,
    requestId: `req-${Math.floor(Math.random() * 1e6).toString(36)}`, method: 'GET', path: `/fhir/R4/Patient/${id}`,
  };
}

const name = `nirantar_bench_pipeline_${randomBytes(3).toString('hex')}`;
const admin = new pg.Client({ connectionString: PG_URL });
await admin.connect();
await admin.query(`CREATE DATABASE ${name}`);
const dbUrl = Object.assign(new URL(PG_URL), { pathname: `/${name}` }).toString();
try {
  const db = connectDatabase(dbUrl, { max: 10 });
  await migrate(db);
  await ensureHospital(db, 'demo', 'Demo');
  const trail = new AuditTrail({ writer: new FhirRepository(db).writer, ...(process.env.BENCH_GATHER_MS ? { gatherMs: Number(process.env.BENCH_GATHER_MS) } : {}) });
  // Warm up (JIT, prepared statements), then measure.
  for (let i = 0; i < 2000; i++) trail.record(readRecord());
  await trail.flush();
  const records = Array.from({ length: RECORDS }, readRecord);
  const pg0 = await postgresCpu(admin, name);
  const node0 = process.cpuUsage();
  const started = performance.now();
  const tick = 5;
  const perTick = Math.max(1, Math.round((RATE * tick) / 1000));
  for (let i = 0; i < RECORDS; i += perTick) {
    if (!process.env.BENCH_DRY) for (const r of records.slice(i, i + perTick)) trail.record(r);
    await new Promise((resolve) => setTimeout(resolve, tick));
  }
  await trail.flush();
  const seconds = (performance.now() - started) / 1000;
  const node = process.cpuUsage(node0);
  const pgSeconds = cpuDelta(pg0, await postgresCpu(admin, name));
  const [{ entries }] = await db.query<{ entries: number }>("SELECT count(*)::int AS entries FROM ledger_entry WHERE body::jsonb->>'interaction' = 'audit'");
  const nodeUs = (node.user + node.system) / RECORDS;
  if (process.env.BENCH_VERBOSE) console.log(`node user ${(node.user / RECORDS).toFixed(1)} µs system ${(node.system / RECORDS).toFixed(1)} µs per record`);
  console.log(`${RECORDS} records at ${RATE}/s in ${seconds.toFixed(1)} s, ${entries} audit entries: ` +
    `cpu/record node ${nodeUs.toFixed(1)} µs pg ${((pgSeconds * 1e6) / RECORDS).toFixed(1)} µs`);
  await trail.close();
  await db.close();
} finally {
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}
