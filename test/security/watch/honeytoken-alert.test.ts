/**
 * Honeytoken patients: decoys planted through the ledger, and the alert an access to one raises (log
 * line, Communication an admin finds by search, webhook to a real HTTP receiver), over a throwaway
 * database reached through the application's restricted role, with the clock injected.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadDefinitions } from '../../../src/fhir/definitions.js';
import { FhirRepository } from '../../../src/fhir/repository/repository.js';
import type { FhirResource } from '../../../src/fhir/repository/context.js';
import { AccessWatch } from '../../../src/security/watch/access-watch.js';
import { AlertDelivery } from '../../../src/security/watch/alerts.js';
import { listHoneytokens, unmarkHoneytoken } from '../../../src/security/watch/honeytokens.js';
import { plantDecoyPatient } from '../../../src/security/watch/plant-decoy.js';
import { luhnCheckDigit } from '../../../src/security/watch/decoy-patient.js';
import { openAppDatabase, type AppDatabase } from '../../support/app-database.js';
import { access, webhookReceiver, type Receiver } from './watch-support.js';

const ctx = { hospitalId: 'h1', actor: 'user:admin', sourceIp: null, requestId: null, requestHash: null, baseUrl: 'http://test/fhir/R4' };
const SENT = Date.parse('2025-03-01T09:00:02Z');

describe('honeytoken patients', () => {
  let db: AppDatabase;
  let repo: FhirRepository;
  let receiver: Receiver;
  let alerts: AlertDelivery;
  let watch: AccessWatch;
  let decoy: FhirResource;
  let realPatient: string;
  let now = Date.parse('2025-03-01T09:00:00Z');
  const log: string[] = [];

  const securityAlerts = async () => {
    const bundle = await repo.search(ctx, 'Communication', [['category', 'https://nirantar.health/alert-category|security'], ['_sort', '_lastUpdated']]);
    return ((bundle.entry ?? []) as unknown as Array<{ resource: FhirResource }>).map((e) => e.resource);
  };

  before(async () => {
    loadDefinitions();
    db = await openAppDatabase({ hospitalId: 'h1' });
    repo = new FhirRepository(db.app);
    // Planted as `nirantar honeytoken add` does: the owner's connection, through the ledger.
    decoy = await plantDecoyPatient(new FhirRepository(db.admin), db.admin, { hospitalId: 'h1', label: 'ward 4 decoy' });
    realPatient = (await repo.create(ctx, { resourceType: 'Patient', name: [{ family: 'Real' }] })).id;
    receiver = await webhookReceiver();
    alerts = new AlertDelivery({ repo, webhookUrl: receiver.url, log: (line) => log.push(line), now: () => SENT });
    watch = new AccessWatch({ db: db.app, alerts, refreshMs: 0, now: () => now });
    await watch.ready;
  });
  after(async () => {
    watch?.close();
    await alerts?.settled();
    await receiver?.close();
    await db?.close();
  });

  test('a decoy is an ordinary-looking ledgered Patient, listed in honeytoken and nowhere in the ledger as a decoy', async () => {
    assert.equal(decoy.resourceType, 'Patient');
    assert.deepEqual(Object.keys(decoy).sort(), ['active', 'address', 'birthDate', 'gender', 'id', 'identifier', 'meta', 'name', 'resourceType']);
    const uhid = (decoy.identifier as Array<{ system: string; value: string }>)[0];
    assert.equal(uhid.system, 'https://nirantar.health/uhid');
    assert.match(uhid.value, /^[1-9]\d{9}$/);
    assert.equal(luhnCheckDigit(uhid.value.slice(0, 9)), Number(uhid.value[9]));
    assert.deepEqual((await repo.read(ctx, 'Patient', decoy.id!)).id, decoy.id);
    const [entry] = await db.admin.query(`SELECT body FROM ledger_entry WHERE hospital_id = 'h1' AND body LIKE $1`, [`%${decoy.id}%`]);
    assert.equal(JSON.parse(entry.body).actor, 'bootstrap-admin');
    assert.doesNotMatch(entry.body, /decoy|honeytoken/i);
    assert.deepEqual((await listHoneytokens(db.app, 'h1')).map((h) => [h.resourceType, h.resourceId, h.label]), [['Patient', decoy.id, 'ward 4 decoy']]);
    // The application may read the list but not change it: a compromised server cannot unmark its tripwires.
    await assert.rejects(unmarkHoneytoken(db.app, 'h1', 'Patient', decoy.id!), /permission denied for table honeytoken/);
    await assert.rejects(db.app.query(`INSERT INTO honeytoken (hospital_id, resource_type, resource_id) VALUES ('h1', 'Patient', 'x')`), /permission denied/);
  });

  test('reading a decoy raises one alert: log line, Communication and webhook, each saying who, what, when and from where', async () => {
    const started = Date.now();
    watch.record(access({ resourceId: decoy.id, path: `/fhir/R4/Patient/${decoy.id}`, patients: [`Patient/${decoy.id}`], requestId: 'req-decoy-1' }));
    const message = `decoy record Patient/${decoy.id} was touched by user:asha (role doctor) from 10.0.0.7 at 2025-03-01T09:00:00.000Z, read Patient (request req-decoy-1); answered 200`;
    assert.deepEqual(log, [`ALERT honeytoken: ${message} [hospital h1]`], 'logged at once, in the same tick');
    assert.deepEqual(await receiver.next(), {
      method: 'POST', contentType: 'application/json',
      json: {
        alert: 'honeytoken', hospital: 'h1', time: '2025-03-01T09:00:00.000Z', principal: 'user:asha', role: 'doctor', sourceIp: '10.0.0.7',
        interaction: 'read', resourceType: 'Patient', subject: `Patient/${decoy.id}`, requestId: 'req-decoy-1', message,
      },
    });
    await alerts.settled();
    assert.ok(Date.now() - started < 3000, 'within seconds');
    const [communication, ...more] = await securityAlerts();
    assert.equal(more.length, 0);
    const { id: _id, meta: _meta, ...content } = communication;
    assert.deepEqual(content, {
      resourceType: 'Communication', status: 'completed',
      category: [{ coding: [{ system: 'https://nirantar.health/alert-category', code: 'security', display: 'Security alert' }] }],
      priority: 'stat',
      reasonCode: [{ coding: [{ system: 'https://nirantar.health/alert-kind', code: 'honeytoken', display: 'Decoy record accessed' }] }],
      subject: { reference: `Patient/${decoy.id}` },
      sent: '2025-03-01T09:00:02.000Z',
      payload: [{ contentString: message }],
    });
    // The plain `category=security` an admin types finds it too.
    assert.equal((await repo.search(ctx, 'Communication', [['category', 'security']])).entry?.length, 1);
    const [entry] = await db.admin.query(`SELECT body FROM ledger_entry WHERE hospital_id = 'h1' ORDER BY seq DESC LIMIT 1`);
    assert.equal(JSON.parse(entry.body).actor, 'system:access-watch');
  });

  test('at most one alert per principal and decoy a minute; another principal or the next minute alerts again', async () => {
    log.length = 0;
    for (let i = 0; i < 50; i++) watch.record(access({ interaction: 'search', patients: [`Patient/${realPatient}`, `Patient/${decoy.id}`] }));
    assert.equal(log.length, 0, 'the scrape is still within the minute of the first alert');
    now += 30_000;
    watch.record(access({ principal: 'user:ravi', role: 'nurse', sourceIp: '10.0.0.9', interaction: 'search', patients: [`Patient/${decoy.id}`], requestId: 'req-ravi' }));
    assert.equal(log.length, 1);
    assert.match(log[0], /^ALERT honeytoken: decoy record Patient\/\S+ was touched by user:ravi \(role nurse\) from 10\.0\.0\.9 at .*, search Patient \(request req-ravi\); answered 200 \[hospital h1\]$/);
    now += 30_000;
    watch.record(access({ interaction: 'search', patients: [`Patient/${decoy.id}`] }));
    assert.equal(log.length, 2, 'a minute after the first alert, asha alerts again');
    await alerts.settled();
    assert.equal((await securityAlerts()).length, 3);
    assert.equal(receiver.bodies.length, 3);
  });

  test('a refused read of a decoy by id is an alert too; real patients, other hospitals and the watch itself are not', async () => {
    log.length = 0;
    now += 60_000;
    watch.record(access({ resourceId: realPatient, patients: [`Patient/${realPatient}`] }));
    watch.record(access({ hospitalId: 'h2', resourceId: decoy.id, patients: [`Patient/${decoy.id}`] }));
    watch.record(access({ principal: 'system:access-watch', role: null, action: 'C', interaction: 'create', resourceType: 'Communication', patients: [`Patient/${decoy.id}`] }));
    assert.deepEqual(log, []);
    watch.record(access({ principal: 'user:kiran', role: 'ward-clerk', resourceId: decoy.id, status: 403, outcome: '4', patients: [], requestId: 'req-403' }));
    assert.equal(log.length, 1);
    assert.match(log[0], /by user:kiran \(role ward-clerk\) .* read Patient \(request req-403\); refused with 403 \[hospital h1\]$/);
  });

  test('an admin reviewing the alerts does not raise more, unless the search pulls the decoy itself in', async () => {
    log.length = 0;
    const review = { principal: 'user:boss', role: 'admin' as const, interaction: 'search' as const, resourceType: 'Communication', patients: [`Patient/${decoy.id}`] };
    watch.record(access({ ...review, query: 'category=security' }));
    watch.record(access({ ...review, resourceType: 'AuditEvent', role: 'auditor', principal: 'user:audit', query: `patient=${decoy.id}` }));
    assert.deepEqual(log, []);
    watch.record(access({ ...review, query: 'category=security&_incl%75de=Communication:subject' }));
    assert.equal(log.length, 1, '_include returns the decoy Patient itself');
    watch.record(access({ ...review, principal: 'user:clerk', role: 'registration-clerk', query: 'category=security' }));
    assert.equal(log.length, 2, 'a clerk has no alerts to review');
  });

  test('a decoy marked while the server runs is watched after the next refresh', async () => {
    log.length = 0;
    now += 120_000;
    watch.record(access({ resourceId: realPatient, patients: [`Patient/${realPatient}`] }));
    assert.equal(log.length, 0);
    await db.admin.query(`INSERT INTO honeytoken (hospital_id, resource_type, resource_id, label) VALUES ('h1', 'Patient', $1, 'late')`, [realPatient]);
    await watch.refresh();
    watch.record(access({ resourceId: realPatient, patients: [`Patient/${realPatient}`] }));
    assert.equal(log.length, 1);
    assert.match(log[0], new RegExp(`decoy record Patient/${realPatient} was touched`));
  });

  test('accesses reported before the decoy list is first read are checked once it is', async () => {
    const early: string[] = [];
    const fresh = new AccessWatch({ db: db.app, alerts: new AlertDelivery({ repo, log: (l) => early.push(l) }), refreshMs: 0 });
    fresh.record(access({ resourceId: decoy.id, patients: [`Patient/${decoy.id}`] }));
    await fresh.ready;
    await new Promise((r) => setImmediate(r));
    fresh.close();
    assert.equal(early.length, 1);
  });
});

describe('alert delivery failures', () => {
  let db: AppDatabase;

  before(async () => {
    loadDefinitions();
    db = await openAppDatabase({ hospitalId: 'h1' });
  });
  after(async () => {
    await db?.close();
  });

  const alert = (requestId: string) => ({
    kind: 'honeytoken' as const, hospitalId: 'h1', time: '2025-03-01T09:00:00.000Z', principal: 'user:asha', role: 'doctor' as const,
    sourceIp: '10.0.0.7', interaction: 'read' as const, resourceType: 'Patient', subject: 'Patient/decoy-1', requestId, message: 'm',
  });

  test('a webhook that does not answer is given up after the timeout and logged without its secret; the Communication is still written', async () => {
    const receiver = await webhookReceiver(() => 'hang');
    const log: string[] = [];
    const delivery = new AlertDelivery({ repo: new FhirRepository(db.app), webhookUrl: receiver.url, webhookTimeoutMs: 300, log: (l) => log.push(l) });
    const started = Date.now();
    delivery.raise(alert('req-hang'));
    assert.ok(Date.now() - started < 50, 'raise returns at once');
    await delivery.settled();
    const took = Date.now() - started;
    assert.ok(took >= 290 && took < 2500, `gave up after ${took} ms`);
    const origin = new URL(receiver.url).origin;
    assert.deepEqual(log, ['ALERT honeytoken: m [hospital h1]', `ALERT honeytoken: webhook ${origin} failed (request req-hang): no answer within 300 ms`]);
    assert.equal((await db.app.query(`SELECT count(*)::int AS n FROM resource_current WHERE resource_type = 'Communication'`))[0].n, 1);
    await receiver.close();
  });

  test('a webhook answering 500 and a Communication that cannot be written are logged, never thrown', async () => {
    const receiver = await webhookReceiver(() => 500);
    const log: string[] = [];
    const broken = { create: async () => { throw new Error('database is down'); } };
    const delivery = new AlertDelivery({ repo: broken, webhookUrl: receiver.url, log: (l) => log.push(l) });
    delivery.raise(alert('req-500'));
    await delivery.settled();
    assert.deepEqual(log.sort(), [
      'ALERT honeytoken: could not write its Communication (request req-500): database is down',
      'ALERT honeytoken: m [hospital h1]',
      `ALERT honeytoken: webhook ${new URL(receiver.url).origin} failed (request req-500): answered 500`,
    ]);
    await receiver.close();
  });
});
