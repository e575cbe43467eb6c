/**
 * The forwarder's side of the contract, over real HTTP: in order, one X-Request-Id per spool entry
 * and the same one on every retry, backoff through 503s and refused connections, a 401 renews the
 * credential instead of dropping anything, a 4xx about the report goes to the dead-letter file with
 * its reason (and the log says nothing clinical), and a restart resumes after the saved cursor. The
 * peer is a plain node:http server answering as the device API's contract says (lab-api.ts), so each
 * failure can be produced on cue; gateway-server.test.ts runs the path against the real server.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDeviceGateway } from '../../src/devices/gateway/device-gateway.js';
import type { DeviceCredential } from '../../src/devices/gateway/device-credential.js';
import type { DeadLetter } from '../../src/devices/gateway/dead-letter.js';
import type { DeviceLogEvent } from '../../src/devices/device-log.js';
import type { DeviceResultReport } from '../../src/devices/lab-device-types.js';
import { MllpClient } from '../../src/devices/mllp-client.js';

interface Post { requestId: string; messageId: string; authorization: string; status: number }

const posts: Post[] = [];
let unavailable = 0;
const peer = http.createServer((req, res) => {
  let body = '';
  req.on('data', (d) => { body += d; });
  req.on('end', () => {
    const report = JSON.parse(body) as DeviceResultReport;
    const answer = (status: number, reply: unknown) => {
      posts.push({ requestId: String(req.headers['x-request-id']), messageId: report.messageId, authorization: String(req.headers.authorization), status });
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(reply));
    };
    if (req.url !== '/api/lab/device/results') return answer(404, {});
    if (unavailable > 0) { unavailable--; return answer(503, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'transient' }] }); }
    if (req.headers.authorization !== 'Bearer fresh') return answer(401, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'login' }] });
    if (report.messageId.startsWith('BAD')) {
      return answer(422, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', diagnostics: `patient ${report.patientIds[0]} has no such test` }] });
    }
    answer(200, { accepted: true, matched: 0, review: report.observations.length, duplicates: 0 });
  });
});
const peerPort = await new Promise<number>((resolve) => peer.listen(0, '127.0.0.1', () => resolve((peer.address() as AddressInfo).port)));
const dir = mkdtempSync(join(tmpdir(), 'nirantar-forwarder-'));
after(() => { peer.close(); rmSync(dir, { recursive: true, force: true }); });

/** A credential whose first token has expired: the server's 401 must make it fetch a fresh one. */
function expiringCredential(): DeviceCredential & { renewals: number } {
  let current = 'Bearer expired';
  return {
    renewals: 0,
    async authorization() { return current; },
    refused() { current = 'Bearer fresh'; this.renewals++; },
  };
}

function oru(id: string): string {
  return [`MSH|^~\\&|XN-550|LAB|NIRANTAR|AIIMS|20240627135407||ORU^R01^ORU_R01|${id}|P|2.5.1`, 'PID|1||UHID-SECRET-77', `ORC|RE|P1|ACC-${id}`,
    `OBR|1|P1|ACC-${id}|CBC^CBC^L`, 'OBX|1|NM|718-7^Hemoglobin^LN||13.4|g/dL|13.0-17.0|N|||F'].join('\r') + '\r';
}

async function until(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('in order, one idempotency key per entry through retries, 401 renews, a refused report is dead-lettered, a restart resumes', async () => {
  const events: DeviceLogEvent[] = [];
  const credential = expiringCredential();
  const start = () => startDeviceGateway({
    server: `http://127.0.0.1:${peerPort}`, credential, spoolDir: dir, mllpPort: 0, lagIntervalMs: 0, retryMinMs: 20, retryMaxMs: 100,
    log: (e) => events.push(e),
  });
  let gateway = await start();
  unavailable = 3;
  const ids = ['M1', 'M2', 'BAD3', 'M4', 'M5', 'M6'];
  const mllp = await MllpClient.connect(gateway.mllp!.port);
  const acks = await Promise.all(ids.map((id) => mllp.send(oru(id))));
  await mllp.close();
  assert.deepEqual(acks.map((a) => a.code), Array(ids.length).fill('AA'));
  await until('the spool to drain', () => gateway.waiting === 0);

  const delivered = posts.filter((p) => p.status === 200);
  assert.deepEqual(delivered.map((p) => p.messageId), ['M1', 'M2', 'M4', 'M5', 'M6'], 'delivered in arrival order');
  const keyOf = new Map<string, Set<string>>();
  for (const p of posts.filter((p) => p.status !== 404)) keyOf.set(p.messageId, (keyOf.get(p.messageId) ?? new Set()).add(p.requestId));
  for (const [messageId, keys] of keyOf) assert.equal(keys.size, 1, `${messageId}: the same X-Request-Id on every attempt`);
  assert.equal(new Set([...keyOf.values()].map((k) => [...k][0])).size, ids.length, 'a different key per entry');
  assert.equal(posts.filter((p) => p.status === 503).length, 3, 'three 503s, each retried');
  assert.equal(credential.renewals, 1, 'the 401 renewed the credential once');

  const letters = readFileSync(join(dir, 'dead-letter.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as DeadLetter);
  assert.equal(letters.length, 1);
  assert.equal(letters[0].entry.body.messageId, 'BAD3');
  assert.equal(letters[0].status, 422);
  assert.match(letters[0].reason, /has no such test/, 'the server\'s reason is kept with the report');
  const logged = JSON.stringify(events);
  assert.ok(events.some((e) => e.event === 'gateway.forward.dead_letter' && e.controlId === 'BAD3' && e.status === 422));
  assert.ok(!/UHID-SECRET|13\.4|no such test/.test(logged), 'no patient data or server reasons in the log');
  assert.deepEqual(gateway.forwarder.stats, { delivered: 5, deadLettered: 1, retries: 4, matched: 0, review: 5, duplicates: 0 });
  await gateway.close();

  // Restart on the same spool: nothing already confirmed is posted again; new messages flow.
  const before = posts.length;
  gateway = await start();
  const again = await MllpClient.connect(gateway.mllp!.port);
  assert.equal((await again.send(oru('M7'))).code, 'AA');
  await until('M7 to arrive', () => posts.some((p) => p.messageId === 'M7' && p.status === 200));
  assert.deepEqual(posts.slice(before).map((p) => p.messageId), ['M7'], 'the restart resumed after the cursor');

  // The server's host is gone (connection refused): the entry waits, then goes through once it is back.
  peer.close();
  peer.closeAllConnections();
  assert.equal((await again.send(oru('M8'))).code, 'AA', 'ACKed with the server unreachable');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(gateway.waiting, 1);
  await new Promise<void>((resolve) => peer.listen(peerPort, '127.0.0.1', () => resolve()));
  await until('M8 to arrive after the server is back', () => gateway.waiting === 0);
  assert.equal(posts.filter((p) => p.messageId === 'M8' && p.status === 200).length, 1);
  assert.ok(events.some((e) => e.event === 'gateway.forward.retry' && /ECONNREFUSED/.test(String(e.problem))), 'the refused connection is logged');
  await again.close();
  await gateway.close();
});
