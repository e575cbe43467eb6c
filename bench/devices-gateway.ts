/**
 * npx tsx bench/devices-gateway.ts — analyzer results through the device gateway process
 * (`startDeviceGateway`, the code `nirantar devices` runs), HL7 v2 over MLLP and ASTM over TCP:
 *
 *  1. into the spool: results/s acknowledged to the analyzers and the ACK latency per message, each
 *     message fsync'd (group commit) before its ACK, with no server reachable (the forwarder retrying
 *     in the background), which is what the analyzers see during an outage;
 *  2. end to end: the same load with a real server (`nirantar start` on a throwaway database of the
 *     external PostgreSQL) and a token of role device; results/s from the first message sent to the
 *     last one confirmed by the server, and how long the backlog took to drain after the analyzers
 *     stopped. Target: >= 500 results/s.
 *
 * The gateway and the server run in their own processes, so the load generator does not share their
 * event loops. Figures are printed; nothing passes or fails.
 *
 * Then the same through the gateway for tubes the lab knows (ordered, collected and received first):
 * results matched to their specimens and stored as Observations, the everyday path.
 *
 * A last figure is the server's intake alone (the same reports posted straight to
 * /api/lab/device/results, one at a time, as the forwarder does), so the gateway's share of the
 * end-to-end time is visible.
 *
 * Options (env): BENCH_SECONDS (10 into the spool), BENCH_E2E_SECONDS (3 end to end), BENCH_ANALYZERS (4 connections), BENCH_RESULTS_PER_MESSAGE (20),
 * BENCH_MLLP_WINDOW (8 messages in flight per connection), BENCH_DATABASE_URL (the external
 * PostgreSQL; default postgres://postgres@127.0.0.1:5432/postgres), BENCH_PHASES (spool,server),
 * BENCH_MATCHED_TUBES (150), BENCH_SERVER_NODE_ARGS (node options of the server process, e.g. --cpu-prof).
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startDeviceGateway } from '../src/devices/gateway/device-gateway.js';
import { staticToken } from '../src/devices/gateway/device-credential.js';
import { MllpClient } from '../src/devices/mllp-client.js';
import { AstmInstrumentClient } from '../src/devices/astm-instrument-client.js';
import { encodeAstmFrames } from '../src/devices/astm-frame-encoder.js';
import { issueApiToken } from '../src/security/api-tokens.js';
import type { Queryable } from '../src/store/database.js';
import { analyteByKey, LAB_TESTS } from '../src/hospital/seed/lab-catalogue.js';
import { instrumentCodeOf } from '../src/departments/lab/instrument-codes.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ANALYZERS = Number(process.env.BENCH_ANALYZERS ?? 4);
const PER_MESSAGE = Number(process.env.BENCH_RESULTS_PER_MESSAGE ?? 20);
const WINDOW = Number(process.env.BENCH_MLLP_WINDOW ?? 8);
const DATABASE = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PHASES = (process.env.BENCH_PHASES ?? 'spool,server').split(',');
/** The end-to-end load is shorter: the server confirms far fewer results/s than the spool takes, so the backlog takes a while to drain. */
const E2E_SECONDS = Number(process.env.BENCH_E2E_SECONDS ?? 3);
const RUN = randomBytes(3).toString('hex');
/** Tubes for the matched phase (14 CBC results each). */
const MATCHED_TUBES = Number(process.env.BENCH_MATCHED_TUBES ?? 150);

interface GatewayStats { waiting: number; lastSeq: number; delivered: number; deadLettered: number; matched: number; review: number; duplicates: number }

function oru(n: number): string {
  const obx = Array.from({ length: PER_MESSAGE }, (_, i) => `OBX|${i + 1}|NM|T${i}^Test ${i}^L||${(4 + (i % 7) * 0.7).toFixed(1)}|mmol/L|3.5-7.5|N|||F|||20240627135407||OP1||XN-550-01`);
  return [`MSH|^~\\&|XN-550^SYSMEX|LAB|NIRANTAR|AIIMS|20240627135407||ORU^R01^ORU_R01|G${RUN}-${n}|P|2.5.1`, `PID|1||UHID${n}`, `ORC|RE|P${n}|ACC${RUN}${n}`,
    `OBR|1|P${n}|ACC${RUN}${n}|CBC^CBC^L`, ...obx, `SPM|1|ACC${RUN}${n}`].join('\r') + '\r';
}

function astmFrames(n: number): Buffer[] {
  const r = Array.from({ length: PER_MESSAGE }, (_, i) => `R|${i + 1}|^^^T${i}|${(4 + (i % 7) * 0.7).toFixed(1)}|mmol/L|3.5-7.5|N||F||OP1||20240627135407`);
  return encodeAstmFrames([`H|\\^&|A${RUN}-${n}||XN-550^00-24^22723^^^^BD634545||||||||E1394-97`, `P|1||UHID${n}`, `O|1|ACC${RUN}A${n}||^^^T0|R`, ...r, 'L|1|N']);
}

interface Gateway { child: ChildProcess; mllpPort: number; astmPort: number; stats(): Promise<GatewayStats>; stop(): Promise<void> }

async function startGateway(server: string, token: string, spool: string): Promise<Gateway> {
  const child = fork(fileURLToPath(import.meta.url), [], { env: { ...process.env, BENCH_ROLE: 'gateway', BENCH_SERVER: server, BENCH_TOKEN: token, BENCH_SPOOL: spool }, execArgv: ['--import', 'tsx'] });
  const ports = await new Promise<{ mllpPort: number; astmPort: number }>((resolve) => child.once('message', (m) => resolve(m as never)));
  return {
    child, ...ports,
    stats: () => new Promise((resolve) => { child.once('message', (m) => resolve(m as GatewayStats)); child.send('stats'); }),
    stop: () => new Promise((resolve) => { child.once('exit', () => resolve()); child.send('stop'); }),
  };
}

/** Drives every analyzer for SECONDS; returns results ACKed, elapsed seconds and per-message ACK latencies (ms). */
async function drive(gateway: Gateway, protocol: 'mllp' | 'astm', seq: { n: number }, seconds = SECONDS) {
  const latencies: number[] = [];
  const started = performance.now();
  const stop = () => performance.now() - started > seconds * 1000;
  const counts = await Promise.all(Array.from({ length: ANALYZERS }, async () => {
    let done = 0;
    if (protocol === 'mllp') {
      const client = await MllpClient.connect(gateway.mllpPort);
      const inflight = new Set<Promise<void>>();
      while (!stop()) {
        const sent = performance.now();
        const p: Promise<void> = client.send(oru(seq.n++)).then((ack) => {
          if (ack.code === 'AA') { done += PER_MESSAGE; latencies.push(performance.now() - sent); }
          inflight.delete(p);
        });
        inflight.add(p);
        if (inflight.size >= WINDOW) await Promise.race(inflight);
      }
      await Promise.all(inflight);
      await client.close();
    } else {
      const client = await AstmInstrumentClient.connect(gateway.astmPort);
      while (!stop()) {
        const sent = performance.now();
        const r = await client.transmit(astmFrames(seq.n++));
        if (!r.aborted) { done += PER_MESSAGE; latencies.push(performance.now() - sent); }
      }
      await client.close();
    }
    return done;
  }));
  return { results: counts.reduce((a, b) => a + b, 0), seconds: (performance.now() - started) / 1000, latencies };
}

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};

function describe(name: string, r: { results: number; seconds: number; latencies: number[] }, note: string): string {
  return `  ${name}: ${Math.round(r.results / r.seconds)} results/s acknowledged (${r.results} in ${r.seconds.toFixed(1)} s), ` +
    `ACK latency per message p50 ${percentile(r.latencies, 50).toFixed(1)} ms, p99 ${percentile(r.latencies, 99).toFixed(1)} ms (${note})`;
}

const NOTES = { mllp: `window ${WINDOW} messages per connection`, astm: `stop-and-wait, ${PER_MESSAGE + 4} frames per message; latency = whole transmission` };

async function spoolPhase(seq: { n: number }) {
  console.log(`\n## into the spool (no server reachable; every message fsync'd before its ACK)`);
  const spool = mkdtempSync(join(tmpdir(), 'nirantar-bench-spool-'));
  const gateway = await startGateway('http://127.0.0.1:9', 'nrt_unused', spool);
  try {
    for (const protocol of ['mllp', 'astm'] as const) {
      const r = await drive(gateway, protocol, seq);
      console.log(describe(protocol === 'mllp' ? 'HL7 v2 / MLLP' : 'ASTM / TCP', r, NOTES[protocol]));
    }
    const s = await gateway.stats();
    console.log(`  spooled: ${s.lastSeq} messages, ${s.waiting} waiting for the server`);
  } finally {
    await gateway.stop();
    rmSync(spool, { recursive: true, force: true });
  }
}

async function serverPhase(seq: { n: number }) {
  const name = `nirantar_bench_gw_${RUN}`;
  const admin = new pg.Client({ connectionString: DATABASE });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(DATABASE);
  url.pathname = `/${name}`;
  const port = 18000 + Math.floor(Math.random() * 1000);
  // Seeded (the demo hospital's lab catalogue), so the matched phase has tests to order.
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean); // e.g. --cpu-prof, to see where the server's time goes
  const server = spawn(process.execPath, [...nodeArgs, 'bin/nirantar.js', 'start', '--port', String(port), '--database-url', url.toString()], {
    env: { ...process.env, NIRANTAR_BOOTSTRAP_TOKEN: `bench-${RUN}-bootstrap-token` }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  const spool = mkdtempSync(join(tmpdir(), 'nirantar-bench-spool-'));
  let gateway: Gateway | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      server.stdout!.on('data', (d: Buffer) => (String(d).includes('is running at') ? resolve() : undefined));
      server.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
    });
    const db = new pg.Client({ connectionString: url.toString() });
    await db.connect();
    const queryable = { query: async (sql: string, params?: unknown[]) => (await db.query(sql, params as unknown[])).rows } as Queryable;
    const token = await issueApiToken(queryable, 'demo', { name: `bench-gateway-${RUN}`, role: 'device' });
    const labToken = await issueApiToken(queryable, 'demo', { name: `bench-lab-${RUN}`, role: 'lab-technician' });
    await db.end();
    console.log(`\n## end to end into the server (nirantar start, external PostgreSQL, token of role device)`);
    gateway = await startGateway(`http://127.0.0.1:${port}`, token, spool);
    for (const protocol of ['mllp', 'astm'] as const) {
      const before = await gateway.stats();
      const started = performance.now();
      const r = await drive(gateway, protocol, seq, E2E_SECONDS);
      const sentFor = (performance.now() - started) / 1000;
      let s = await gateway.stats();
      while (s.waiting > 0) {
        await new Promise((res) => setTimeout(res, 100));
        s = await gateway.stats();
      }
      const total = (performance.now() - started) / 1000;
      const filed = s.matched + s.review - before.matched - before.review;
      console.log(describe(protocol === 'mllp' ? 'HL7 v2 / MLLP' : 'ASTM / TCP', r, NOTES[protocol]));
      console.log(`    end to end: ${Math.round(filed / total)} results/s confirmed by the server (${filed} results, ${s.delivered - before.delivered} messages, ` +
        `in ${total.toFixed(1)} s; backlog drained ${(total - sentFor).toFixed(1)} s after the analyzers stopped; ` +
        `${s.deadLettered - before.deadLettered} dead-lettered, ${s.duplicates - before.duplicates} duplicates)`);
    }
    await matchedPhase(`http://127.0.0.1:${port}`, labToken, gateway);
    await gateway.stop();
    gateway = undefined;
    await intakeAlone(`http://127.0.0.1:${port}`, token, seq);
  } finally {
    await gateway?.stop();
    const exited = new Promise((r) => server.once('exit', r));
    server.kill('SIGTERM');
    await exited;
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
    rmSync(spool, { recursive: true, force: true });
  }
}

/**
 * Results for tubes the lab knows: MATCHED_TUBES patients with a CBC ordered, collected and received
 * (through the lab API, as the desks do), then each tube's 14 CBC results from the analyzer over MLLP
 * through the gateway, coded as the analyzer codes them (instrument-codes.ts), each value the middle
 * of its reference interval. Every result becomes the analyte's preliminary Observation with its flag,
 * and its report is written: the path a hospital's analyzers take all day.
 */
async function matchedPhase(server: string, labToken: string, gateway: Gateway) {
  const cbc = LAB_TESTS.find((t) => t.key === 'cbc')!;
  const post = async (path: string, body: unknown, token: string) => {
    const res = await fetch(`${server}${path}`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'x-request-id': randomBytes(16).toString('hex') },
      body: JSON.stringify(body),
    });
    const answer = await res.json() as Record<string, unknown>;
    if (!res.ok) throw new Error(`${path} answered ${res.status}: ${JSON.stringify(answer).slice(0, 300)}`);
    return answer;
  };
  const bootstrap = `bench-${RUN}-bootstrap-token`;
  const preparing = performance.now();
  const accessions: string[] = [];
  for (let i = 0; i < MATCHED_TUBES; i++) {
    const patient = await post('/fhir/R4/Patient', { resourceType: 'Patient', name: [{ family: 'Bench', given: [`Tube${i}`] }], gender: i % 2 ? 'male' : 'female', birthDate: '1980-01-01' }, bootstrap);
    const { orders } = await post('/api/lab/orders', { patient: patient.id, tests: [`lab-${cbc.key}`] }, labToken) as { orders: Array<{ id: string }> };
    const { specimens } = await post('/api/lab/collections', { patient: patient.id, orders: orders.map((o) => o.id) }, labToken) as { specimens: Array<{ id: string; accession: string }> };
    await post(`/api/lab/specimens/${specimens[0].id}/receive`, {}, labToken);
    accessions.push(specimens[0].accession);
  }
  const obx = cbc.analytes.map((key, i) => {
    const analyte = analyteByKey(key);
    const range = analyte.reference?.[0];
    const value = range?.low !== undefined && range.high !== undefined ? (range.low + range.high) / 2 : (range?.low ?? range?.high ?? 1);
    return `OBX|${i + 1}|NM|${instrumentCodeOf(analyte)}^${analyte.name}^L||${value.toFixed(analyte.decimals ?? 1)}||||||F|||20240627135407||OP1||XN-550-01`;
  });
  console.log(`  matched: ${MATCHED_TUBES} CBC tubes ordered, collected and received through the lab API in ${((performance.now() - preparing) / 1000).toFixed(1)} s`);
  const before = await gateway.stats();
  const started = performance.now();
  const client = await MllpClient.connect(gateway.mllpPort);
  const inflight = new Set<Promise<void>>();
  for (const [n, accession] of accessions.entries()) {
    const message = [`MSH|^~\\&|XN-550^SYSMEX|LAB|NIRANTAR|AIIMS|20240627135407||ORU^R01^ORU_R01|M${RUN}-${n}|P|2.5.1`, `PID|1||UHID${n}`,
      `ORC|RE|P${n}|${accession}`, `OBR|1|P${n}|${accession}|CBC^CBC^L`, ...obx, `SPM|1|${accession}`].join('\r') + '\r';
    const p: Promise<void> = client.send(message).then((ack) => {
      if (ack.code !== 'AA') throw new Error(`matched ORU answered ${ack.code}: ${ack.reason}`);
      inflight.delete(p);
    });
    inflight.add(p);
    if (inflight.size >= WINDOW) await Promise.race(inflight);
  }
  await Promise.all(inflight);
  await client.close();
  const acked = (performance.now() - started) / 1000;
  let s = await gateway.stats();
  while (s.waiting > 0) {
    await new Promise((res) => setTimeout(res, 100));
    s = await gateway.stats();
  }
  const total = (performance.now() - started) / 1000;
  const matched = s.matched - before.matched;
  console.log(`  HL7 v2 / MLLP, tubes the lab knows: ${accessions.length * cbc.analytes.length} results ACKed in ${acked.toFixed(1)} s; ` +
    `end to end: ${Math.round(matched / total)} results/s matched to their tubes and stored as Observations (${matched} matched, ` +
    `${s.review - before.review} for review, in ${total.toFixed(1)} s)`);
}

/** The server's device intake without the gateway: reports posted one at a time for E2E_SECONDS. */
async function intakeAlone(server: string, token: string, seq: { n: number }) {
  const { parseHl7Message } = await import('../src/devices/hl7-parser.js');
  const { extractLabResults } = await import('../src/devices/hl7-lab-results.js');
  const started = performance.now();
  let results = 0;
  while (performance.now() - started < E2E_SECONDS * 1000) {
    const parsed = parseHl7Message(Buffer.from(oru(seq.n++)));
    if (!parsed.ok) throw new Error(parsed.reason);
    const extracted = extractLabResults(parsed.message);
    if (!extracted.ok) throw new Error(extracted.reason);
    const res = await fetch(`${server}/api/lab/device/results`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'x-request-id': randomBytes(16).toString('hex') },
      body: JSON.stringify(extracted.report),
    });
    if (!res.ok) throw new Error(`intake answered ${res.status}`);
    await res.arrayBuffer();
    results += PER_MESSAGE;
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(`  the server's intake alone (no gateway; one report at a time, as the forwarder posts): ${Math.round(results / seconds)} results/s (${results} in ${seconds.toFixed(1)} s)`);
}

async function main(): Promise<void> {
  console.log(`device gateway: ${ANALYZERS} analyzers, ${PER_MESSAGE} results/message, ${SECONDS} s per protocol, loopback`);
  const seq = { n: 0 };
  if (PHASES.includes('spool')) await spoolPhase(seq);
  if (PHASES.includes('server')) await serverPhase(seq);
}

// Last, so every constant above is initialised before either role runs.
if (process.env.BENCH_ROLE === 'gateway') {
  const gateway = await startDeviceGateway({
    server: process.env.BENCH_SERVER!, credential: staticToken(process.env.BENCH_TOKEN!), spoolDir: process.env.BENCH_SPOOL!,
    mllpPort: 0, astmPort: 0, lagIntervalMs: 0,
  });
  process.send?.({ mllpPort: gateway.mllp!.port, astmPort: gateway.astm!.port });
  process.on('message', async (msg) => {
    if (msg === 'stats') process.send?.({ waiting: gateway.waiting, lastSeq: gateway.spool.lastSeq, ...gateway.forwarder.stats });
    if (msg === 'stop') { await gateway.close(); process.exit(0); }
  });
} else {
  await main();
}
