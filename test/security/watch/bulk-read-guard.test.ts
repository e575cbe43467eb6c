/**
 * The bulk-read guard: counting patient records read per principal in a sliding minute, the warning
 * alert at 80%, the 429 above the limit (message and Retry-After exact), with the clock injected;
 * and once over real HTTP, wired as the request pipeline wires it (check before, record after).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { loadDefinitions } from '../../../src/fhir/definitions.js';
import { FhirRepository } from '../../../src/fhir/repository/repository.js';
import type { FhirResource } from '../../../src/fhir/repository/context.js';
import { fhirErrorHandler } from '../../../src/fhir/rest/error-handler.js';
import { AlertDelivery } from '../../../src/security/watch/alerts.js';
import { BULK_READ_LIMITS } from '../../../src/security/watch/bulk-read-limits.js';
import { BulkReadGuard, BulkReadThrottled, patientRecordsRead } from '../../../src/security/watch/bulk-read-guard.js';
import { openAppDatabase, type AppDatabase } from '../../support/app-database.js';
import { access } from './watch-support.js';

const T0 = Date.parse('2025-03-01T09:00:00Z');
const SECOND = 1000;
const clerk = { hospitalId: 'h1', principal: 'user:meena', role: 'registration-clerk' as const };
const patients = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `Patient/p${from + i}`);
const read = (n: number, overrides: Parameters<typeof access>[0] = {}) =>
  access({ principal: clerk.principal, role: clerk.role, interaction: 'search', patients: patients(n), ...overrides });

function thrown(fn: () => void): BulkReadThrottled {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof BulkReadThrottled, `expected BulkReadThrottled, got ${err}`);
    return err;
  }
  assert.fail('check did not throw');
}

describe('bulk-read guard', () => {
  let db: AppDatabase;
  let repo: FhirRepository;
  let alerts: AlertDelivery;
  const log: string[] = [];
  let now = T0;

  before(async () => {
    loadDefinitions();
    db = await openAppDatabase({ hospitalId: 'h1' });
    repo = new FhirRepository(db.app);
    alerts = new AlertDelivery({ repo, log: (line) => log.push(line), now: () => now });
  });
  after(async () => {
    await alerts?.settled();
    await db?.close();
  });

  test('the limits are one table, per role, with bootstrap unlimited', () => {
    assert.deepEqual(
      [BULK_READ_LIMITS['registration-clerk'], BULK_READ_LIMITS.doctor, BULK_READ_LIMITS.nurse, BULK_READ_LIMITS['lab-technician'], BULK_READ_LIMITS.auditor, BULK_READ_LIMITS.device, BULK_READ_LIMITS.bootstrap],
      [300, 600, 600, 2000, 5000, 20000, null]);
  });

  test('what counts: every patient a read or search named, at least 1 for patient data, nothing for writes, other data or 429s', () => {
    assert.equal(patientRecordsRead(read(50)), 50);
    assert.equal(patientRecordsRead(read(0)), 1, 'a search of Patient that found nobody still probed');
    assert.equal(patientRecordsRead(read(3, { action: 'E' })), 3, 'a search recorded as execute is a read');
    assert.equal(patientRecordsRead(read(0, { resourceType: 'Observation', interaction: 'read' })), 1);
    assert.equal(patientRecordsRead(read(0, { resourceType: 'Practitioner' })), 0);
    assert.equal(patientRecordsRead(read(1, { action: 'C', interaction: 'create' })), 0);
    assert.equal(patientRecordsRead(read(20, { status: 429, outcome: '4' })), 0);
  });

  test('an alert at 80%, 429 above the limit with the exact wait, and the window slides', async () => {
    const guard = new BulkReadGuard({ alerts, now: () => now });
    guard.record(read(200, { time: '2025-03-01T09:00:00.000Z' }));
    now = T0 + 10 * SECOND;
    guard.record(read(40));
    assert.equal(guard.readCount('h1', clerk.principal), 240);
    assert.deepEqual(log, [], '240 is exactly 80%: not yet above it');
    guard.record(read(1, { requestId: 'req-warn', time: '2025-03-01T09:00:10.000Z' }));
    const warning = 'user:meena read 241 patient records in the last minute (limit 300 for role registration-clerk); it will be refused above the limit; ' +
      'last access by user:meena (role registration-clerk) from 10.0.0.7 at 2025-03-01T09:00:10.000Z, search Patient (request req-warn)';
    assert.deepEqual(log, [`ALERT bulk-read-warning: ${warning} [hospital h1]`]);
    guard.check(clerk);

    now = T0 + 20 * SECOND;
    guard.record(read(59));
    guard.check(clerk); // 300: at the limit, not above it
    assert.equal(log.length, 1, 'one warning per window');

    now = T0 + 30 * SECOND;
    guard.record(read(1, { requestId: 'req-over', time: '2025-03-01T09:00:30.000Z' }));
    assert.equal(log.length, 2);
    assert.match(log[1], /^ALERT bulk-read-throttled: user:meena read 301 patient records in the last minute \(limit 300 for role registration-clerk\); further requests are refused with 429 until the count falls; last access by .*\(request req-over\) \[hospital h1\]$/);
    const refused = thrown(() => guard.check(clerk));
    assert.equal(refused.status, 429);
    assert.equal(refused.retryAfterSeconds, 30, 'the 200 read at 09:00:00 leave the window at 09:01:00');
    assert.deepEqual(refused.outcome, {
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: 'throttled', diagnostics: 'too many patient records read in the last minute (301, limit 300 for role registration-clerk); try again in 30 seconds' }],
    });
    // Refused requests do not count, or retrying early would push the wait further out.
    guard.record(read(5, { status: 429, outcome: '4' }));
    assert.equal(guard.readCount('h1', clerk.principal), 301);
    // Other principals, even of the same role, are counted apart.
    guard.check({ ...clerk, principal: 'user:rekha' });

    now = T0 + 59 * SECOND + 999;
    assert.equal(thrown(() => guard.check(clerk)).retryAfterSeconds, 1);
    now = T0 + 60 * SECOND;
    guard.check(clerk);
    assert.equal(guard.readCount('h1', clerk.principal), 101);
    assert.equal(log.length, 2);

    await alerts.settled();
    const bundle = await repo.search({ hospitalId: 'h1', actor: 't', sourceIp: null, requestId: null, requestHash: null, baseUrl: '' },
      'Communication', [['category', 'security'], ['_sort', '_lastUpdated']]);
    const found = (bundle.entry as unknown as Array<{ resource: FhirResource }>).map((e) => e.resource);
    const summary: any[][] = found.map((c) => [(c.reasonCode as any)[0].coding[0].code, c.priority, c.subject, (c.payload as any)[0].contentString]);
    assert.deepEqual(summary.sort((a, b) => a[0].localeCompare(b[0])), [
      ['bulk-read-throttled', 'stat', undefined, (log as string[])[1].slice('ALERT bulk-read-throttled: '.length, -' [hospital h1]'.length)],
      ['bulk-read-warning', 'stat', undefined, warning],
    ]);
  });

  test('the wait is until enough reads have left the window, not the first of them', () => {
    const guard = new BulkReadGuard({ now: () => now });
    now = T0;
    for (let s = 0; s < 6; s++) {
      now = T0 + s * 10 * SECOND;
      guard.record(read(60)); // 60 at 0, 10, 20, 30, 40, 50 s: 360
    }
    now = T0 + 55 * SECOND;
    // Above 300 until the reads at 0 s leave (300 remain): at 60 s, in 5 s.
    assert.equal(thrown(() => guard.check(clerk)).retryAfterSeconds, 5);
    guard.record(read(30));
    // 390 now: the reads at 0 and 10 s must both leave (270): at 70 s, in 15 s.
    assert.equal(thrown(() => guard.check(clerk)).retryAfterSeconds, 15);
  });

  test('each role its own limit; bootstrap, replication credentials and the watch itself are not counted', () => {
    const guard = new BulkReadGuard({ now: () => now, limits: { doctor: 10 } });
    guard.record(read(11, { principal: 'user:dr', role: 'doctor' }));
    assert.equal(thrown(() => guard.check({ hospitalId: 'h1', principal: 'user:dr', role: 'doctor' })).message,
      `too many patient records read in the last minute (11, limit 10 for role doctor); try again in 60 seconds`);
    guard.record(read(19_000, { principal: 'client:gw', role: 'device' }));
    guard.check({ hospitalId: 'h1', principal: 'client:gw', role: 'device' });
    guard.record(read(1001, { principal: 'client:gw', role: 'device' }));
    assert.throws(() => guard.check({ hospitalId: 'h1', principal: 'client:gw', role: 'device' }), /\(20001, limit 20000 for role device\)/);
    guard.record(read(100_000, { principal: 'bootstrap-admin', role: 'bootstrap' }));
    guard.check({ hospitalId: 'h1', principal: 'bootstrap-admin', role: 'bootstrap' });
    assert.equal(guard.readCount('h1', 'bootstrap-admin'), 0);
    guard.record(read(1000, { principal: 'system:access-watch', role: 'admin' }));
    assert.equal(guard.readCount('h1', 'system:access-watch'), 0);
    guard.check({ hospitalId: 'h1', principal: 'vault:dr', role: null });
  });
});

describe('bulk-read guard over HTTP, wired as the request pipeline does', () => {
  let app: FastifyInstance;
  let base: string;
  const now = T0;

  before(async () => {
    const guard = new BulkReadGuard({ now: () => now });
    app = Fastify({ logger: false });
    app.setErrorHandler((error, request, reply) => {
      if (error instanceof BulkReadThrottled) reply.header('retry-after', String(error.retryAfterSeconds));
      return fhirErrorHandler(error as Error, request, reply);
    });
    // The lead's hooks: check before serving, report the access once answered.
    app.addHook('onRequest', async () => guard.check(clerk));
    app.addHook('onResponse', async (request, reply) => {
      guard.record(read(reply.statusCode === 200 ? 50 : 0, { status: reply.statusCode, requestId: String(request.id) }));
    });
    app.get('/fhir/R4/Patient', async () => ({ resourceType: 'Bundle', type: 'searchset', total: 50 }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  });
  after(async () => {
    await app?.close();
  });

  test('seven pages of 50 are served, the eighth gets 429 with Retry-After and an OperationOutcome', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await fetch(`${base}/fhir/R4/Patient?name=kumar&_count=50`);
      await res.text();
      statuses.push(res.status);
      await new Promise((r) => setImmediate(r)); // onResponse runs once the answer is sent
    }
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200, 200]);
    const refused = await fetch(`${base}/fhir/R4/Patient?name=kumar&_count=50`);
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('retry-after'), '60');
    assert.equal(refused.headers.get('content-type'), 'application/fhir+json; charset=utf-8');
    assert.deepEqual(await refused.json(), {
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: 'throttled', diagnostics: 'too many patient records read in the last minute (350, limit 300 for role registration-clerk); try again in 60 seconds' }],
    });
  });
});
