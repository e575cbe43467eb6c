/**
 * The gateway's spool on a real disk: entries survive reopening, a line torn by a crash is set aside
 * and never counted, the forwarder's cursor resumes where it was saved, segments rotate and fully
 * forwarded ones are removed, and a real `nirantar devices` process killed with SIGKILL while
 * instruments are sending has every message it ACKed in its spool.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Spool } from '../../src/devices/gateway/spool.js';
import { SpoolReader } from '../../src/devices/gateway/spool-reader.js';
import { SpoolCursor } from '../../src/devices/gateway/spool-cursor.js';
import { listSegments } from '../../src/devices/gateway/spool-segments.js';
import type { DeviceResultReport } from '../../src/devices/lab-device-types.js';
import { MllpClient } from '../../src/devices/mllp-client.js';
import { startNirantar, stopProcess } from '../support/processes.js';

function report(n: number, observations = 1): DeviceResultReport {
  return {
    protocol: 'hl7v2', messageId: `MSG${n}`, instrument: 'XN-550', patientIds: [], complete: true,
    observations: Array.from({ length: observations }, (_, i) => ({
      setId: String(i + 1), test: { code: `T${i}` }, value: String(n), values: [String(n)], abnormalFlags: [], issues: [], context: 'order' as const,
      specimen: { accessionNumber: `ACC${n}`, candidates: [`ACC${n}`] },
    })),
  };
}

async function readAll(spool: Spool, after = 0): Promise<number[]> {
  const reader = new SpoolReader(spool, after);
  const seqs: number[] = [];
  for (let batch = await reader.next(7); batch.length > 0; batch = await reader.next(7)) seqs.push(...batch.map((e) => e.seq));
  return seqs;
}

const tempDir = () => mkdtempSync(join(tmpdir(), 'nirantar-spool-'));
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

test('appends are numbered in order, read back whole, and survive reopening', async () => {
  const dir = tempDir();
  try {
    let spool = await Spool.open(dir);
    const entries = await Promise.all(range(1, 25).map((n) => spool.append('results', report(n))));
    assert.deepEqual(entries.map((e) => e.seq), range(1, 25), 'concurrent appends (one group commit) keep arrival order');
    assert.equal(new Set(entries.map((e) => e.id)).size, 25, 'every entry has its own id');
    await spool.close();
    spool = await Spool.open(dir);
    assert.equal(spool.lastSeq, 25);
    const reader = new SpoolReader(spool, 0);
    const back = await reader.next(100);
    assert.deepEqual(back.map((e) => [e.seq, e.id, e.body.messageId]), entries.map((e) => [e.seq, e.id, `MSG${e.seq}`]));
    const next = await spool.append('orders', { protocol: 'hl7v2', messageId: 'ORD1', sender: 'HIS', orders: [] });
    assert.equal(next.seq, 26);
    assert.deepEqual((await reader.next()).map((e) => e.kind), ['orders'], 'the reader picks up what was appended after it caught up');
    await spool.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a line torn by a crash is set aside at reopen, never read, and numbering continues after the last whole entry', async () => {
  const dir = tempDir();
  try {
    let spool = await Spool.open(dir);
    for (const n of range(1, 3)) await spool.append('results', report(n, 3));
    await spool.close();
    const [segment] = await listSegments(dir);
    const whole = readFileSync(segment.path);
    // What a crash in the middle of the next write leaves: the first part of a line, no LF.
    const line = JSON.stringify({ seq: 4, id: 'x', at: 'now', kind: 'results', body: report(4, 3) });
    appendFileSync(segment.path, line.slice(0, line.length - 17));
    spool = await Spool.open(dir);
    assert.equal(spool.lastSeq, 3, 'the torn entry does not count');
    assert.deepEqual(readFileSync(segment.path), whole, 'the segment is cut back to its whole lines');
    const torn = readdirSync(dir).filter((n) => n.endsWith('.torn'));
    assert.equal(torn.length, 1, 'the torn bytes are kept aside, not silently dropped');
    assert.equal(readFileSync(join(dir, torn[0]), 'utf8'), line.slice(0, line.length - 17));
    assert.equal((await spool.append('results', report(5))).seq, 4);
    assert.deepEqual(await readAll(spool), [1, 2, 3, 4]);
    await spool.close();

    // A crash can also leave zeros (blocks allocated, data never written) after the last whole line.
    appendFileSync(segment.path, Buffer.alloc(300));
    spool = await Spool.open(dir);
    assert.equal(spool.lastSeq, 4);
    assert.deepEqual(await readAll(spool), [1, 2, 3, 4]);
    await spool.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the cursor resumes reading after the last confirmed entry; segments rotate and forwarded ones are removed', async () => {
  const dir = tempDir();
  try {
    let spool = await Spool.open(dir, { maxSegmentBytes: 2000 });
    for (const n of range(1, 40)) await spool.append('results', report(n, 2));
    const segments = await listSegments(dir);
    assert.ok(segments.length >= 5, `rotated into ${segments.length} segments`);
    assert.deepEqual(await readAll(spool), range(1, 40), 'read across every segment in order');

    let cursor = await SpoolCursor.open(dir);
    assert.equal(cursor.savedSeq, 0);
    await Promise.all([cursor.confirm(10), cursor.confirm(17), cursor.confirm(23)]);
    assert.equal(cursor.savedSeq, 23);
    const removed = await spool.removeForwarded(cursor.savedSeq);
    assert.ok(removed >= 2, `${removed} fully forwarded segments removed`);
    const left = await listSegments(dir);
    assert.ok(left[0].firstSeq <= 24, 'the segment holding the first unconfirmed entry stays');
    await spool.close();

    // Restart: cursor and spool reopened, reading resumes at 24, even though early segments are gone.
    spool = await Spool.open(dir, { maxSegmentBytes: 2000 });
    cursor = await SpoolCursor.open(dir);
    assert.equal(cursor.savedSeq, 23);
    assert.deepEqual(await readAll(spool, cursor.savedSeq), range(24, 40));
    assert.equal((await spool.append('results', report(41))).seq, 41);
    await spool.close();

    // Everything forwarded and removed but the newest segment: numbering still continues.
    await (await SpoolCursor.open(dir)).confirm(41);
    spool = await Spool.open(dir, { maxSegmentBytes: 2000 });
    await spool.removeForwarded(41);
    assert.equal((await listSegments(dir)).length, 1);
    await spool.close();
    spool = await Spool.open(dir, { maxSegmentBytes: 2000 });
    assert.equal(spool.lastSeq, 41);
    assert.equal((await spool.append('results', report(42))).seq, 42);
    await spool.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a cursor file that is not a cursor stops the gateway instead of resending or skipping', async () => {
  const dir = tempDir();
  try {
    writeFileSync(join(dir, 'cursor.json'), '{"nothing": 1}');
    await assert.rejects(SpoolCursor.open(dir), /confirmedSeq/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('one gateway per spool: a second open is refused while the first holds it; a lock left by a killed process is taken over', async () => {
  const dir = tempDir();
  try {
    const first = await Spool.open(dir);
    await assert.rejects(Spool.open(dir), new RegExp(`in use by process ${process.pid}`));
    await first.close();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(join(dir, 'LOCK'), `${dead.stdout}\n`);
    const second = await Spool.open(dir);
    assert.equal(readFileSync(join(dir, 'LOCK'), 'utf8').trim(), String(process.pid));
    await second.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function oru(n: number): string {
  return [`MSH|^~\\&|XN-550^SYSMEX|LAB|NIRANTAR|AIIMS|20240627135407||ORU^R01^ORU_R01|K${n}|P|2.5.1`, `PID|1||UHID${n}`, `ORC|RE|P${n}|ACC${n}`,
    `OBR|1|P${n}|ACC${n}|CBC^CBC^L`, `OBX|1|NM|718-7^Hemoglobin^LN||13.${n % 10}|g/dL|13.0-17.0|N|||F`, `SPM|1|ACC${n}`].join('\r') + '\r';
}

test('kill -9 of a real gateway process while analyzers send: every message it ACKed is in its spool', async () => {
  const dir = tempDir();
  try {
    // No server at all: the gateway spools and ACKs regardless, and its forwarder keeps retrying.
    const port = await freePort();
    const child = await startNirantar(['devices', '--server', 'http://127.0.0.1:9', '--mllp-port', String(port), '--spool', dir, '--log-level', 'error'],
      { NIRANTAR_DEVICE_TOKEN: 'nrt_not-a-real-token' }, 'Device gateway ready');
    const acked = new Set<string>();
    let sent = 0;
    let killed = false;
    const analyzers = Array.from({ length: 4 }, async (_, a) => {
      const client = await MllpClient.connect(port);
      const inflight: Promise<void>[] = [];
      for (let i = 0; !killed; i++) {
        const n = a * 1_000_000 + i;
        sent++;
        inflight.push(client.send(oru(n)).then((ack) => { if (ack.code === 'AA') acked.add(`K${n}`); }, () => {}));
        if (inflight.length >= 4) await inflight.shift();
      }
      await Promise.allSettled(inflight);
    });
    await new Promise((r) => setTimeout(r, 700 + Math.random() * 300));
    killed = true;
    await stopProcess(child, 'SIGKILL');
    await Promise.all(analyzers);
    assert.ok(acked.size > 20, `the gateway ACKed ${acked.size} messages before it was killed`);

    const spool = await Spool.open(dir);
    const reader = new SpoolReader(spool, 0);
    const spooled = new Set<string>();
    for (let batch = await reader.next(500); batch.length > 0; batch = await reader.next(500)) for (const e of batch) spooled.add(e.body.messageId);
    const lost = [...acked].filter((id) => !spooled.has(id));
    console.log(`kill -9 during ingest: ${sent} sent, ${acked.size} ACKed, ${spooled.size} in the spool after restart, ${lost.length} ACKed but lost`);
    assert.deepEqual(lost, [], 'nothing acknowledged is lost');
    assert.equal(spool.lastSeq, spooled.size, 'numbering has no gaps');
    await spool.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A port nobody listens on right now (the gateway is told it on its command line). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
