import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { toAuditEvent } from '../../src/audit/audit-event.js';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { AuditTrail, AUDIT_ACTOR } from '../../src/audit/audit-trail.js';
import type { AccessRecord } from '../../src/audit/access-record.js';
import { loadDefinitions } from '../../src/fhir/definitions.js';
import { validateResource } from '../../src/fhir/validation/validate-resource.js';
import { verifyLedger } from '../../src/store/ledger-verify.js';
import { rebuildProjections } from '../../src/store/rebuild.js';
import { accessRecord, auditEntries, auditSnapshot, ledgerAuditRecords, openAuditStore, searchRecord, type AuditStore } from './audit-fixtures.js';

const run = promisify(execFile);

describe('the audit trail: access records chained into the ledger in batches', () => {
  let store: AuditStore;
  let trail: AuditTrail;
  const logs: string[] = [];

  before(async () => {
    loadDefinitions();
    store = await openAuditStore();
    trail = new AuditTrail({ writer: store.repo.writer, log: (line) => logs.push(line) });
  });
  after(async () => {
    await trail?.close();
    await store?.close();
  });

  test('1200 records of one moment by two principals: 3 writes (500 + 500 + 200), one entry per principal in each, exactly 1200 AuditEvents', async () => {
    const records: AccessRecord[] = [];
    for (let i = 0; i < 1200; i++) {
      records.push(i % 3 === 0
        ? searchRecord([`Patient/s${i}`, `Patient/s${i + 1}`], { requestId: `batch-${i}` })
        : accessRecord({ resourceId: `b${i}`, patients: [`Patient/b${i}`], sourceIp: `10.1.${i % 250}.${i % 7}`, requestId: `batch-${i}` }));
    }
    for (const r of records) trail.record(r);
    await trail.flush();
    const entries = await auditEntries(store.admin);
    // A search record every third one, by another principal than the reads: 333 + 167 of each 500.
    // The two entries of one write may take either order in the chain.
    const writes = [0, 2, 4].map((i) => [entries[i]?.events, entries[i + 1]?.events].sort((a, b) => a - b));
    assert.deepEqual({ entries: entries.length, writes }, { entries: 6, writes: [[167, 333], [167, 333], [66, 134]] });
    const principals = await store.admin.query<{ principals: string[] }>("SELECT principals FROM audit_entry WHERE hospital_id = 'demo' ORDER BY seq");
    assert.deepEqual(principals.map((r) => r.principals.length), [1, 1, 1, 1, 1, 1]);
    // The ledger keeps each record as given, with its AuditEvent id.
    const stored = new Map((await ledgerAuditRecords(store.admin, 'demo')).filter((r) => r.requestId.startsWith('batch-')).map((r) => [r.requestId, r]));
    assert.equal(stored.size, 1200);
    for (const r of records) {
      const { id, seq, ...record } = stored.get(r.requestId)!;
      assert.ok(seq > 0, r.requestId);
      assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.deepEqual(record, JSON.parse(JSON.stringify(r)));
    }
    // audit_entry says what each entry holds: every event id, patient and address of the 1200.
    const [summary] = await store.admin.query<{ events: number; ids: number; patients: number; addresses: number }>(
      `SELECT sum(events)::int AS events, sum(cardinality(ids))::int AS ids,
              (SELECT count(DISTINCT p)::int FROM audit_entry, unnest(patients) AS p WHERE hospital_id = 'demo') AS patients,
              (SELECT count(DISTINCT a)::int FROM audit_entry, unnest(source_ips) AS a WHERE hospital_id = 'demo') AS addresses
         FROM audit_entry WHERE hospital_id = 'demo'`);
    assert.deepEqual(summary, { events: 1200, ids: 1200, patients: 400 * 2 + 800, addresses: new Set(records.map((r) => r.sourceIp)).size });
    assert.deepEqual(logs, []);
  });

  test('records that arrive while a batch is being written go into the next one (group commit)', async () => {
    const before_ = (await auditEntries(store.admin)).length;
    for (let i = 0; i < 100; i++) {
      trail.record(accessRecord({ requestId: `trickle-${i}` }));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await trail.flush();
    const entries = (await auditEntries(store.admin)).slice(before_);
    assert.equal(entries.reduce((n, e) => n + e.events, 0), 100);
    assert.ok(entries.length <= 50, `${entries.length} entries for 100 records`);
  });

  test('an audit entry is an ordinary chained ledger entry: actor, no versions, time, every event valid FHIR', async () => {
    const [entry] = await store.admin.query<{ body: string; recorded_at: Date }>(
      "SELECT body, recorded_at FROM ledger_entry WHERE hospital_id = 'demo' AND body::jsonb->>'interaction' = 'audit' ORDER BY seq LIMIT 1");
    const body = JSON.parse(entry.body);
    assert.equal(body.actor, AUDIT_ACTOR);
    assert.deepEqual(body.versions, []);
    assert.equal(body.sourceIp, null);
    assert.ok(Math.abs(Date.parse(body.time) - Date.now()) < 120_000, 'the entry is timed when it is written');
    // The ledger keeps the records; each is the AuditEvent the API renders from it.
    for (const record of body.audit) validateResource(toAuditEvent(record, record.id));
    assert.equal(new Set(body.audit.map((e: { id: string }) => e.id)).size, body.audit.length);
    assert.ok(body.audit.length > 100);
    assert.ok((await verifyLedger(store.admin, 'demo')).ok);
  });

  test('each hospital gets its own entries on its own chain', async () => {
    trail.record(accessRecord({ hospitalId: 'north', principal: 'user:north-doc', requestId: 'north-1' }));
    trail.record(accessRecord({ hospitalId: 'north', principal: 'user:north-doc', requestId: 'north-2' }));
    trail.record(accessRecord({ requestId: 'demo-with-north' }));
    await trail.flush();
    assert.deepEqual((await auditEntries(store.admin, 'north')).map((e) => e.events), [2]);
    const north = await ledgerAuditRecords(store.admin, 'north');
    assert.deepEqual(north.map((r) => r.principal), ['user:north-doc', 'user:north-doc']);
    const [row] = await store.admin.query<{ principals: string[] }>("SELECT principals FROM audit_entry WHERE hospital_id = 'north'");
    assert.deepEqual(row.principals, ['user:north-doc']);
    assert.ok((await verifyLedger(store.admin, 'north')).ok);
  });

  test('the writer still writes nothing for a plan without versions or events (an unchanged PUT)', async () => {
    const head = async () => (await store.admin.query<{ n: number }>("SELECT count(*)::int AS n FROM ledger_entry WHERE hospital_id = 'demo'"))[0].n;
    const before_ = await head();
    for (const audit of [undefined, []]) {
      const result = await store.repo.writer.append({
        hospitalId: 'demo', actor: 'user:asha', sourceIp: null, requestId: null, requestHash: null,
        plan: async () => ({ interaction: 'update', versions: [], ...(audit ? { audit } : {}), result: 'unchanged' }),
        replay: async () => 'replayed',
      });
      assert.equal(result, 'unchanged');
    }
    const created = await store.repo.create({ hospitalId: 'demo', actor: 'user:asha', sourceIp: null, requestId: null, requestHash: null, baseUrl: 'http://x/fhir/R4' },
      { resourceType: 'Patient', name: [{ family: 'Unchanged' }] });
    const ctx = { hospitalId: 'demo', actor: 'user:asha', sourceIp: null, requestId: null, requestHash: null, baseUrl: 'http://x/fhir/R4' };
    await store.repo.update(ctx, 'Patient', created.id, created.resource);
    assert.equal(await head(), before_ + 1, 'the create wrote one entry; the identical PUT none');
  });

  test("the application's role can add audit rows but not change or remove them", async () => {
    await assert.rejects(store.app.query("UPDATE audit_entry SET principals = '{user:nobody}'"), /permission denied/);
    await assert.rejects(store.app.query('DELETE FROM audit_entry'), /permission denied/);
    await assert.rejects(store.app.query("UPDATE ledger_entry SET body = '{}'"), /permission denied/);
  });

  test('rebuild reproduces the audit rows exactly', async () => {
    const before_ = await auditSnapshot(store.admin);
    assert.equal(before_.reduce((n, row) => n + (row.events as number), 0), 1303);
    await store.admin.query('DELETE FROM audit_entry WHERE seq % 2 = 0');
    await rebuildProjections(store.admin);
    assert.deepEqual(await auditSnapshot(store.admin), before_);
  });

  test('a superuser edit of an audit entry is found by verify at its sequence number', async () => {
    // An entry of asha's (each entry holds one principal's events).
    const [target] = await store.admin.query<{ seq: number }>(
      `SELECT seq FROM ledger_entry WHERE hospital_id = 'demo' AND body::jsonb->>'interaction' = 'audit' AND body LIKE '%"user:asha"%' ORDER BY seq LIMIT 1`);
    const su = store.admin;
    const tamper = async (from: string, to: string) => {
      await su.transaction(async (tx) => {
        await tx.query('ALTER TABLE ledger_entry DISABLE TRIGGER ledger_entry_append_only');
        await tx.query(`UPDATE ledger_entry SET body = replace(body, $1, $2) WHERE hospital_id = 'demo' AND seq = $3`, [from, to, target.seq]);
        await tx.query('ALTER TABLE ledger_entry ENABLE TRIGGER ledger_entry_append_only');
      });
    };
    // Someone hides who read the record: the principal of the audit events becomes another.
    await tamper('"user:asha"', '"user:ghost"');
    try {
      const result = await verifyLedger(su, 'demo');
      assert.equal(result.ok, false);
      assert.equal(!result.ok && result.brokenAt, target.seq);
      const cli = await run(process.execPath, ['bin/nirantar.js', 'verify', '--database-url', store.url, '--hospital', 'demo']).catch((e) => e);
      assert.equal(cli.code, 3);
      assert.match(cli.stdout, new RegExp(`BROKEN at sequence ${target.seq}: hash does not match`));
    } finally {
      await tamper('"user:ghost"', '"user:asha"');
    }
    assert.ok((await verifyLedger(su, 'demo')).ok);
  });
});
