import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { startTestServer, type TestServer } from '../../support/server.js';
import { verifyLedger } from '../../../src/store/ledger-verify.js';

/** Bad input gets a clear OperationOutcome naming what is wrong, and writes nothing. */
describe('bad input', () => {
  let t: TestServer;
  let db: pg.Client;
  // Entries that write resources: every request also leaves an AuditEvent, in audit entries of the
  // same ledger, and those are expected here (bad input is audited too).
  const ledgerCount = async () => Number((await db.query("SELECT count(*) FROM ledger_entry WHERE body::jsonb->>'interaction' <> 'audit'")).rows[0].count);

  before(async () => {
    t = await startTestServer({ bodyLimit: 64 * 1024 });
    db = new pg.Client({ connectionString: t.databaseUrl });
    await db.connect();
  });
  after(async () => {
    await db?.end();
    await t?.close();
  });

  async function expectOutcome(res: { status: number; body: any }, status: number, text: RegExp, expression?: string) {
    assert.equal(res.status, status, JSON.stringify(res.body));
    assert.equal(res.body.resourceType, 'OperationOutcome');
    const issue = res.body.issue[0];
    assert.match(issue.diagnostics ?? issue.details?.text, text);
    if (expression) assert.ok(res.body.issue.some((i: any) => i.expression?.includes(expression)), JSON.stringify(res.body.issue));
  }

  test('each bad request is refused with an OperationOutcome and leaves the ledger untouched', async () => {
    const start = await ledgerCount();
    await expectOutcome(await t.request('POST', '/Patient', '{"resourceType": "Patient", '), 400, /not valid JSON/);
    await expectOutcome(await t.request('POST', '/Patient', { resourceType: 'Observation', status: 'final', code: { text: 'x' } }), 400, /Observation.*Patient/, 'resourceType');
    await expectOutcome(await t.request('PUT', '/Patient/abc', { resourceType: 'Patient', id: 'xyz' }), 400, /does not match/, 'Patient.id');
    await expectOutcome(await t.request('POST', '/Patient', { resourceType: 'Patient', favouriteColour: 'blue' }), 400, /favouriteColour/, 'Patient.favouriteColour');
    await expectOutcome(await t.request('POST', '/Patient', { resourceType: 'Patient', birthDate: '2020-02-30x' }), 400, /date/i, 'Patient.birthDate');
    await expectOutcome(await t.request('POST', '/Patient', { resourceType: 'Patient', gender: 'bogus' }), 400, /gender|bogus/, 'Patient.gender');
    await expectOutcome(await t.request('GET', '/Patient/bad$id'), 400, /not a valid id/);
    await expectOutcome(await t.request('PUT', `/Patient/${'x'.repeat(65)}`, { resourceType: 'Patient', id: 'x'.repeat(65) }), 400, /valid id/);
    await expectOutcome(await t.request('GET', '/Spaceship/1'), 404, /unknown resource type/);
    const big = { resourceType: 'Patient', name: [{ text: 'x'.repeat(70 * 1024) }] };
    await expectOutcome(await t.request('POST', '/Patient', big), 413, /larger than the limit/);
    await expectOutcome(await t.request('POST', '/Patient', 'not json', { 'content-type': 'text/plain' }), 415, /content type/);
    await expectOutcome(await t.request('POST', '/Patient', { resourceType: 'Patient' }, { 'x-request-id': 'has spaces in it' }), 400, /X-Request-Id/);
    await expectOutcome(await t.request('PUT', '/Patient/abc', { resourceType: 'Patient', id: 'abc' }, { 'if-match': 'banana' }), 400, /If-Match/);
    assert.equal(await ledgerCount(), start);
  });

  test('unknown search parameters: strict is 400, lenient ignores them and says so', async () => {
    const strict = await t.request('GET', '/Patient?shoe-size=9', undefined, { prefer: 'handling=strict' });
    await expectOutcome(strict, 400, /shoe-size/);
    const lenient = await t.request('GET', '/Patient?shoe-size=9');
    assert.equal(lenient.status, 200);
    assert.equal(lenient.body.resourceType, 'Bundle');
    const outcome = lenient.body.entry?.find((e: any) => e.search?.mode === 'outcome')?.resource;
    assert.ok(outcome, 'lenient search reports the ignored parameter');
    assert.match(JSON.stringify(outcome), /shoe-size/);
    await expectOutcome(await t.request('GET', '/Patient?birthdate=notadate', undefined, { prefer: 'handling=strict' }), 400, /birthdate/);
  });

  test('a transaction with one failing entry writes nothing and the chain stays valid', async () => {
    const start = await ledgerCount();
    const bundle = {
      resourceType: 'Bundle', type: 'transaction',
      entry: [
        { fullUrl: 'urn:uuid:11111111-1111-4111-8111-111111111111', resource: { resourceType: 'Patient', name: [{ family: 'Gupta' }] }, request: { method: 'POST', url: 'Patient' } },
        { resource: { resourceType: 'Observation', status: 'not-a-status', code: { text: 'Hb' } }, request: { method: 'POST', url: 'Observation' } },
      ],
    };
    const res = await t.request('POST', '/', bundle);
    await expectOutcome(res, 400, /Bundle\.entry\[1\]/, 'Bundle.entry[1].resource.status');
    const stale = { ...bundle, entry: [bundle.entry[0], { resource: { resourceType: 'Patient', id: 'nobody' }, request: { method: 'PUT', url: 'Patient/nobody', ifMatch: 'W/"4"' } }] };
    const res2 = await t.request('POST', '/', stale);
    assert.equal(res2.status, 412);
    assert.equal(await ledgerCount(), start);
    assert.equal((await t.request('GET', '/Patient?family=Gupta')).body.entry?.filter((e: any) => e.search.mode === 'match').length ?? 0, 0);
    const verified = await verifyLedger({ query: async (sql, params) => (await db.query(sql, params as unknown[])).rows }, 'demo');
    assert.ok(verified.ok, JSON.stringify(verified));
  });

  test('a reused X-Request-Id with a different body is refused', async () => {
    const first = await t.request('POST', '/Patient', { resourceType: 'Patient', gender: 'male' }, { 'x-request-id': 'reuse-1' });
    assert.equal(first.status, 201);
    const other = await t.request('POST', '/Patient', { resourceType: 'Patient', gender: 'female' }, { 'x-request-id': 'reuse-1' });
    await expectOutcome(other, 422, /already used/);
  });
});
