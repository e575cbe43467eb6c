/**
 * The device gateway end to end, against a real Nirantar server (startTestServer: real HTTP, real
 * PostgreSQL) with a token of role device: every HL7 v2 message and ASTM transcript in
 * ../shared/data replayed byte for byte over real sockets to the gateway, ACKs checked, and every
 * result followed to the server's lab (matched to a specimen or queued for review). Then the server
 * goes down while instruments send (ACKs still given, everything delivered once it is back, nothing
 * twice), and a real `nirantar devices` process is killed with SIGKILL after its ACKs (after the
 * restart everything arrives, nothing twice).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startServer, type RunningServer } from '../../src/server.js';
import { issueApiToken } from '../../src/security/api-tokens.js';
import { startDeviceGateway, type DeviceGateway } from '../../src/devices/gateway/device-gateway.js';
import { staticToken } from '../../src/devices/gateway/device-credential.js';
import { MllpClient } from '../../src/devices/mllp-client.js';
import { AstmInstrumentClient } from '../../src/devices/astm-instrument-client.js';
import { encodeAstmFrames } from '../../src/devices/astm-frame-encoder.js';
import type { ReviewItem } from '../../src/departments/lab/lab-api.js';
import type { DeviceLogEvent } from '../../src/devices/device-log.js';
import { seedDemoHospital } from '../../src/hospital/seed/seed-hospital.js';
import { FIRST_SERIAL, UHID_SYSTEM, uhidOf } from '../../src/departments/registration/uhid.js';
import { startTestServer, TEST_TOKEN } from '../support/server.js';
import { testAdminUrl } from '../support/database.js';
import { startNirantar, stopProcess } from '../support/processes.js';
import { sharedDataFiles } from './support/shared-data.js';
import { splitTranscriptFrames } from './support/transcript.js';

/**
 * What the gateway answers each shared HL7 v2 file, and how many observations it carries (as in replay-hl7.test.ts).
 * Orders are placed with the lab live: the shared ones name patients and tests this hospital does not
 * have, so the lab refuses each and the sender hears AE with the lab's reason (and keeps the order).
 */
const HL7: Record<string, { ack: 'AA' | 'AE' | 'AR'; observations?: number; orders?: boolean }> = {
  'ADT-A01-01.hl7': { ack: 'AR' }, 'ADT-A04-01.hl7': { ack: 'AR' }, 'ADT-A08-01.hl7': { ack: 'AR' }, 'ADT-A40-01.hl7': { ack: 'AR' },
  'LAB-ORM-1.hl7': { ack: 'AE', orders: true }, 'LAB-ORU-1.hl7': { ack: 'AA', observations: 10 }, 'LAB-ORU-2.hl7': { ack: 'AA', observations: 10 },
  'LRI_2.0-NG_CBC_Typ_Message.hl7': { ack: 'AA', observations: 28 }, 'MDHHS-OML-O21-1.hl7': { ack: 'AE' }, 'MDHHS-OML-O21-2.hl7': { ack: 'AE', orders: true },
  'OML-O21-01.hl7': { ack: 'AE', orders: true }, 'OML-O21-02.hl7': { ack: 'AE', orders: true }, 'OML-O21-03.hl7': { ack: 'AE', orders: true },
  'ORM-O01-01.hl7': { ack: 'AE', orders: true }, 'ORM-O01-02.hl7': { ack: 'AE', orders: true }, 'ORM-O01-03.hl7': { ack: 'AE', orders: true },
  'ORM-O01-04.hl7': { ack: 'AR' }, 'ORM-O01-05.hl7': { ack: 'AR' }, 'ORM-O01-06.hl7': { ack: 'AR' },
  'ORU-R01-01.hl7': { ack: 'AA', observations: 5 }, 'ORU-R01-RMGEAD.hl7': { ack: 'AA', observations: 1 },
  'OUL-R22-01.hl7': { ack: 'AA', observations: 7 }, 'OUL-R22-02.hl7': { ack: 'AA', observations: 7 }, 'OUL-R23-01.hl7': { ack: 'AA', observations: 7 },
  'OUL-R23-02.hl7': { ack: 'AA', observations: 7 }, 'OUL-R24-01.hl7': { ack: 'AA', observations: 7 }, 'OUL-R24-02.hl7': { ack: 'AA', observations: 7 },
};

/** Results per ASTM transcript; undefined: refused by the link layer (two native non-ASTM formats, one out-of-sequence capture). */
const ASTM: Record<string, number | undefined> = {
  'abbott_afinion2.txt': 1, 'cobas_c111.txt': 1, 'cobas_c311.txt': 7, 'dca_vantage.txt': 3, 'genexpert.txt': 84, 'mini_vidas.txt': undefined,
  'mini_vidas_mock.txt': 1, 'pentra_xlr.txt': 21, 'spotchem_el.txt': undefined, 'spotchem_el_mock.txt': 3, 'sysmex_xn550.txt': 41,
  'sysmex_xp100.txt': 20, 'yumizen_h500.txt': undefined,
};

const ts = await startTestServer();
let server: RunningServer = ts.server;
const serverPort = Number(new URL(server.url).port);
const deviceToken = await issueApiToken(server.store.app, server.hospitalId, { name: 'lab-gateway', role: 'device' });
const labToken = await issueApiToken(server.store.app, server.hospitalId, { name: 'lab-bench', role: 'lab-technician' });
const spools: string[] = [];
let gateway: DeviceGateway | undefined;
/** Every gateway a test started, closed at the end even when a test failed before closing its own. */
const started: DeviceGateway[] = [];
const track = (g: DeviceGateway) => { started.push(g); return g; };

after(async () => {
  for (const g of started) await g.close().catch(() => {});
  await server.close().catch(() => {});
  // The server may have been restarted by these tests, so the throwaway database is dropped here, not by ts.close().
  const admin = new pg.Client({ connectionString: testAdminUrl() });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${new URL(ts.databaseUrl).pathname.slice(1)} WITH (FORCE)`);
  await admin.end();
  for (const dir of spools) rmSync(dir, { recursive: true, force: true });
});

function spoolDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'nirantar-gateway-'));
  spools.push(dir);
  return dir;
}

async function reviewItems(): Promise<ReviewItem[]> {
  const res = await fetch(`${server.url}/api/lab/review`, { headers: { authorization: `Bearer ${labToken}` } });
  assert.equal(res.status, 200, `GET /api/lab/review: ${res.status}`);
  return await res.json() as ReviewItem[];
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function oru(tag: string, n: number, observations = 3): string {
  const obx = Array.from({ length: observations }, (_, i) => `OBX|${i + 1}|NM|T${i}^Test ${i}^L||${4 + i}.${n % 10}|mmol/L|3.5-7.5|N|||F|||20240627135407||OP1|XN-550-01`);
  return [`MSH|^~\\&|XN-550^SYSMEX|LAB|NIRANTAR|AIIMS|20240627135407||ORU^R01^ORU_R01|${tag}${n}|P|2.5.1`, `PID|1||UHID${n}`, `ORC|RE|P${n}|${tag}ACC${n}`,
    `OBR|1|P${n}|${tag}ACC${n}|CBC^CBC^L`, ...obx, `SPM|1|${tag}ACC${n}`].join('\r') + '\r';
}

function astmMessage(tag: string, n: number, results = 3): Buffer[] {
  const r = Array.from({ length: results }, (_, i) => `R|${i + 1}|^^^T${i}|${4 + i}.${n % 10}|mmol/L|3.5-7.5|N||F||OP1||20240627135407`);
  return encodeAstmFrames([`H|\\^&|||XN-550^00-24^22723^^^^BD634545||||||||E1394-97`, `P|1||UHID${n}`, `O|1|${tag}ACC${n}||^^^T0|R`, ...r, 'L|1|N']);
}

async function sendAstm(port: number, frames: Buffer[]) {
  const client = await AstmInstrumentClient.connect(port, '127.0.0.1', 5000);
  const result = await client.transmit(frames);
  await new Promise((r) => setTimeout(r, 20)); // EOT is not answered; let the session finish
  await client.close();
  return result;
}

test('every shared HL7 v2 message and ASTM transcript, through the gateway, reaches the server', async () => {
  const dir = spoolDir();
  gateway = track(await startDeviceGateway({
    server: server.url, credential: staticToken(deviceToken), spoolDir: dir, mllpPort: 0, astmPort: 0, lagIntervalMs: 0, retryMinMs: 50, retryMaxMs: 500,
  }));
  const reviewBefore = (await reviewItems()).length;

  const hl7Files = sharedDataFiles('hl7v2', '.hl7');
  assert.deepEqual(hl7Files.map((f) => f.name).sort(), Object.keys(HL7).sort(), 'every HL7 file has an expectation');
  const mllp = await MllpClient.connect(gateway.mllp!.port);
  let hl7Passed = 0;
  const ordersRefused: string[] = [];
  for (const { name, bytes } of hl7Files) {
    const ack = await mllp.send(bytes);
    assert.equal(ack.code, HL7[name].ack, `${name}: ${ack.reason}`);
    if (HL7[name].orders) ordersRefused.push(ack.reason ?? '');
    hl7Passed++;
  }
  await mllp.close();

  const astmFiles = sharedDataFiles('astm', '.txt');
  assert.deepEqual(astmFiles.map((f) => f.name).sort(), Object.keys(ASTM).sort(), 'every ASTM transcript has an expectation');
  let instrumentsPassing = 0;
  for (const { name, bytes } of astmFiles) {
    const frames = splitTranscriptFrames(bytes);
    const result = await sendAstm(gateway.astm!.port, frames);
    if (ASTM[name] === undefined) {
      assert.equal(result.aborted, true, `${name} is refused by the link layer`);
      continue;
    }
    assert.deepEqual(result.frameReplies, frames.map(() => ['ACK']), `${name}: every frame ACKed once`);
    instrumentsPassing++;
  }

  const resultMessages = Object.values(HL7).filter((e) => e.observations).length + Object.values(ASTM).filter((n) => n !== undefined).length;
  const orderMessages = Object.values(HL7).filter((e) => e.orders).length;
  const observations = Object.values(HL7).reduce((n, e) => n + (e.observations ?? 0), 0) + Object.values(ASTM).reduce((n: number, r) => n + (r ?? 0), 0);
  assert.equal(gateway.spool.lastSeq, resultMessages, 'every result message was spooled once; orders are not spooled');
  await until('the gateway to forward its spool', () => gateway!.waiting === 0);
  const stats = { ...gateway.forwarder.stats };
  const review = (await reviewItems()).length - reviewBefore;
  console.log(`gateway → server: HL7 v2 ${hl7Passed}/${hl7Files.length} messages ACKed as expected, ASTM ${instrumentsPassing}/${astmFiles.length} instruments delivered ` +
    `(3 refused by the link layer as specified); ${resultMessages} result messages with ${observations} results forwarded, ${orderMessages} order messages refused by the lab (AE): ` +
    `${stats.delivered} confirmed, ${stats.deadLettered} dead-lettered; server filed ${stats.matched} matched, ${stats.review} for review (${review} review items), ` +
    `${stats.duplicates} recognised as repeats within the data set`);
  assert.equal(stats.delivered, resultMessages, 'every result message confirmed by the server');
  assert.equal(stats.matched + stats.review + stats.duplicates, observations, 'every result reached the lab: matched, for review, or a repeat of one that did');
  assert.equal(review, stats.review, 'the review queue holds what the server said it queued');
  assert.equal(stats.deadLettered, 0, 'nothing set aside: every result message was taken by the lab');
  assert.equal(ordersRefused.length, orderMessages, 'every shared order message answered AE');
  assert.ok(ordersRefused.every((reason) => /patient|test|catalogue|UHID|order control/i.test(reason)), `each with the lab's reason: ${[...new Set(ordersRefused)].join(' / ')}`);
  await gateway.close();
  gateway = undefined;
});

test('a host query through the gateway gets the lab\'s orders for the tube, and its results come back matched', async () => {
  await seedDemoHospital(server.repo, server.hospitalId);
  const patient = await ts.request('POST', '/Patient', { resourceType: 'Patient', gender: 'male', name: [{ given: ['Arun'], family: 'Kumar' }], identifier: [{ system: UHID_SYSTEM, value: uhidOf(FIRST_SERIAL + 1) }] });
  assert.equal(patient.status, 201);
  const labPost = async (token: string, path: string, body: unknown) => {
    const res = await fetch(`${server.url}/api/lab${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'x-request-id': randomUUID() }, body: JSON.stringify(body) });
    assert.ok(res.status < 300, `${path}: ${res.status}`);
    return await res.json() as any;
  };
  const { orders } = await labPost(TEST_TOKEN, '/orders', { patient: patient.body.id, tests: ['lab-cbc'] }); // as the doctor would
  const { specimens } = await labPost(labToken, '/collections', { patient: patient.body.id, orders: orders.map((o: { id: string }) => o.id) });
  await labPost(labToken, `/specimens/${specimens[0].id}/receive`, {});
  const accession = specimens[0].accession as string;

  gateway = track(await startDeviceGateway({ server: server.url, credential: staticToken(deviceToken), spoolDir: spoolDir(), astmPort: 0, lagIntervalMs: 0, retryMinMs: 50, retryMaxMs: 500 }));
  const analyzer = await AstmInstrumentClient.connect(gateway.astm!.port, '127.0.0.1', 5000);
  const query = await analyzer.transmit(encodeAstmFrames(['H|\\^&|||XN-550^00-24^22723|||||host|TSREQ^REAL|P|1', `Q|1|^${accession}||ALL||||||||O`, 'L|1|N']));
  assert.equal(query.aborted, false);
  const answer = await analyzer.nextHostMessage();
  const order = answer.find((r) => r.startsWith('O|'))!;
  assert.match(order, new RegExp(`^O\\|1\\|${accession}\\|\\|\\^\\^\\^HGB\\\\.*\\^\\^\\^WBC`), 'the CBC\'s analyzer codes for the tube');
  const sent = await analyzer.transmit(encodeAstmFrames(['H|\\^&|||XN-550^00-24^22723^^^^BD634545||||||||E1394-97', 'P|1||UHID', `O|1|${accession}||^^^HGB|R`,
    'R|1|^^^HGB|13.2|g/dL|13.0-17.0|N||F||OP1||20261127093000', 'R|2|^^^WBC|8.13|10*3/uL|4.0-11.0|N||F||OP1||20261127093000', 'L|1|N']));
  assert.equal(sent.aborted, false);
  await analyzer.close();
  await until('the results to be forwarded', () => gateway!.waiting === 0 && gateway!.forwarder.stats.delivered === 1);
  console.log(`host query: ${accession} answered with ${order.split('\\').length} tests; its 2 results through the gateway: ${gateway.forwarder.stats.matched} matched to the tube`);
  assert.equal(gateway.forwarder.stats.matched, 2, 'both results matched to the received tube');
  await gateway.close();
  gateway = undefined;
});

test('server down while instruments send: ACKs still given, everything delivered once it is back, nothing twice', async () => {
  const dir = spoolDir();
  const events: DeviceLogEvent[] = [];
  gateway = track(await startDeviceGateway({
    server: server.url, credential: staticToken(deviceToken), spoolDir: dir, mllpPort: 0, astmPort: 0, lagIntervalMs: 0, retryMinMs: 50, retryMaxMs: 400,
    log: (e) => events.push(e),
  }));
  const reviewBefore = (await reviewItems()).length;
  await server.close();

  const analyzer = await AstmInstrumentClient.connect(gateway.astm!.port, '127.0.0.1', 5000);
  assert.equal((await analyzer.transmit(encodeAstmFrames(['H|\\^&|||XN-550^1|||||host|TSREQ^REAL|P|1', 'Q|1|^TUBE-1||ALL||||||||O', 'L|1|N']))).aborted, false);
  const noOrders = await analyzer.nextHostMessage();
  assert.deepEqual(noOrders.slice(1), ['P|1|', 'O|1|TUBE-1|||||||||||||||||||||||Y', 'L|1|N'], 'server unreachable: "no order on record", the session goes on');
  assert.ok(events.some((e) => e.event === 'gateway.query.unanswered'), 'and the unanswered query is logged');
  await analyzer.close();

  const mllp = await MllpClient.connect(gateway.mllp!.port);
  const acks = await Promise.all(Array.from({ length: 20 }, (_, n) => mllp.send(oru('DOWN', n))));
  await mllp.close();
  assert.deepEqual(acks.map((a) => a.code), Array(20).fill('AA'), 'HL7 ACKs with the server down');
  for (let n = 0; n < 5; n++) {
    const r = await sendAstm(gateway.astm!.port, astmMessage('DOWN', n));
    assert.equal(r.aborted, false, 'ASTM frames ACKed with the server down');
  }
  await new Promise((r) => setTimeout(r, 800));
  assert.equal(gateway.waiting, 25, 'all 25 messages wait in the spool');
  assert.ok(gateway.forwarder.stats.retries > 0, 'the forwarder kept trying');

  server = await startServer({ port: serverPort, dataDir: '', databaseUrl: ts.databaseUrl, bootstrapToken: TEST_TOKEN, accountKey: Buffer.alloc(32, 7) });
  await until('the backlog to drain once the server is back', () => gateway!.waiting === 0);
  await new Promise((r) => setTimeout(r, 300));
  const arrived = (await reviewItems()).length - reviewBefore;
  const stats = gateway.forwarder.stats;
  console.log(`server down: 25 messages (75 results) ACKed while it was down, ${stats.retries} retries, ${stats.delivered} delivered after it came back; ` +
    `${stats.matched + stats.review} results filed, ${arrived} new review items, ${stats.duplicates} duplicates`);
  assert.equal(stats.delivered, 25);
  assert.equal(stats.matched + stats.review, 75);
  assert.equal(arrived, stats.review, 'each result once');
  const cursor = JSON.parse(readFileSync(join(dir, 'cursor.json'), 'utf8')) as { confirmedSeq: number };
  assert.equal(cursor.confirmedSeq, 25, 'the cursor is saved at the last confirmed entry');
  await gateway.close();
  gateway = undefined;
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

test('kill -9 of the gateway process after its ACKs: after the restart everything arrives, nothing twice', async () => {
  const dir = spoolDir();
  const [mllpPort, astmPort] = [await freePort(), await freePort()];
  const args = ['devices', '--server', server.url, '--mllp-port', String(mllpPort), '--astm-port', String(astmPort), '--spool', dir, '--log-level', 'warn'];
  const env = { NIRANTAR_DEVICE_TOKEN: deviceToken };
  const reviewBefore = (await reviewItems()).length;
  let child = await startNirantar(args, env, 'Device gateway ready');

  const mllp = await MllpClient.connect(mllpPort);
  const acks = await Promise.all(Array.from({ length: 40 }, (_, n) => mllp.send(oru('KILL', n, 5))));
  assert.deepEqual(acks.map((a) => a.code), Array(40).fill('AA'));
  const astm = await sendAstm(astmPort, astmMessage('KILL', 1, 5));
  assert.equal(astm.aborted, false);
  await stopProcess(child, 'SIGKILL');
  await mllp.close().catch(() => {});
  let confirmedAtKill = 0;
  try { confirmedAtKill = (JSON.parse(readFileSync(join(dir, 'cursor.json'), 'utf8')) as { confirmedSeq: number }).confirmedSeq; } catch { /* none saved yet */ }

  child = await startNirantar(args, env, 'Device gateway ready');
  try {
    const expected = 41 * 5;
    let seen = 0;
    await until('every result to arrive after the restart', async () => (seen = (await reviewItems()).length - reviewBefore) >= expected);
    await until('the restarted gateway to save its cursor', () => {
      try { return (JSON.parse(readFileSync(join(dir, 'cursor.json'), 'utf8')) as { confirmedSeq: number }).confirmedSeq === 41; } catch { return false; }
    });
    await new Promise((r) => setTimeout(r, 500));
    seen = (await reviewItems()).length - reviewBefore;
    console.log(`kill -9 after ACKs: 41 messages (${expected} results) ACKed, ${confirmedAtKill} confirmed on disk at the kill; after restart ${seen} results at the server`);
    assert.equal(seen, expected, 'every result once, none twice');
  } finally {
    await stopProcess(child, 'SIGTERM');
  }
});
