import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { parseUhid, uhidOf } from '../../../src/departments/registration/uhid.js';
import { loadDefinitions } from '../../../src/fhir/definitions.js';
import { rebuildProjections } from '../../../src/store/rebuild.js';
import { HOSPITAL, startRegistrationApp, type RegistrationApp } from './registration-app.js';

let t: RegistrationApp;
before(async () => { t = await startRegistrationApp(); });
after(async () => { await t.close(); });

test('a desk gets a block of UHIDs: 201 with the range as serials and as printed UHIDs', async () => {
  const res = await t.request('POST', '/api/registration/uhid-blocks', { desk: 'counter-1' });
  assert.equal(res.status, 201);
  const b = res.body;
  assert.equal(b.desk, 'counter-1');
  assert.equal(b.lastSerial - b.firstSerial + 1, 200, 'the default size');
  assert.equal(b.first, uhidOf(b.firstSerial));
  assert.equal(b.last, uhidOf(b.lastSerial));
  assert.deepEqual(parseUhid(b.first), { serial: b.firstSerial });
  assert.equal(b.blockId, `uhid-block-${b.firstSerial}`);
});

test('blocks are in the ledger: after the projections are rebuilt from it (as after a restore), no range is issued twice', async () => {
  const before = await t.request('POST', '/api/registration/uhid-blocks', { desk: 'counter-9', size: 5 });
  assert.equal(before.status, 201);
  const [entry] = await t.database.admin.query<{ body: string }>(
    "SELECT body FROM ledger_entry WHERE hospital_id = $1 AND body LIKE $2", [HOSPITAL, `%"id":"${before.body.blockId}"%`]);
  assert.ok(entry, 'the block is a ledger entry');
  loadDefinitions();
  await rebuildProjections(t.database.admin);
  const after = await t.request('POST', '/api/registration/uhid-blocks', { desk: 'counter-9', size: 5 });
  assert.equal(after.status, 201);
  assert.ok(after.body.firstSerial > before.body.lastSerial, `${after.body.firstSerial} after ${before.body.lastSerial}`);
  const listed = await t.request('GET', '/api/registration/uhid-blocks?desk=counter-9');
  assert.deepEqual(listed.body.blocks.map((b: { blockId: string }) => b.blockId), [before.body.blockId, after.body.blockId]);
});

test('the same X-Request-Id gives the same block, not a second one', async () => {
  const headers = { 'x-request-id': 'block-retry-1' };
  const first = await t.request('POST', '/api/registration/uhid-blocks', { desk: 'counter-7', size: 3 }, headers);
  const again = await t.request('POST', '/api/registration/uhid-blocks', { desk: 'counter-7', size: 3 }, headers);
  assert.equal(first.status, 201);
  assert.deepEqual(again.body, first.body);
  const listed = await t.request('GET', '/api/registration/uhid-blocks?desk=counter-7');
  assert.equal(listed.body.blocks.length, 1);
});

test('20 desks asking at once get 20 ranges that never overlap', async () => {
  const sizes = Array.from({ length: 20 }, (_, i) => 1 + ((i * 37) % 300));
  const results = await Promise.all(sizes.map((size, i) => t.request('POST', '/api/registration/uhid-blocks', { desk: `desk-${i}`, size })));
  for (const r of results) assert.equal(r.status, 201, JSON.stringify(r.body));
  const ranges = results.map((r) => [r.body.firstSerial, r.body.lastSerial] as [number, number]).sort((a, b) => a[0] - b[0]);
  for (const [i, r] of results.entries()) assert.equal(r.body.lastSerial - r.body.firstSerial + 1, sizes[i]);
  for (let i = 1; i < ranges.length; i++) assert.ok(ranges[i][0] > ranges[i - 1][1], `ranges ${ranges[i - 1]} and ${ranges[i]} overlap`);
  const listed = await t.request('GET', '/api/registration/uhid-blocks?desk=desk-3');
  assert.equal(listed.status, 200);
  assert.equal(listed.body.blocks.length, 1);
  assert.equal(listed.body.blocks[0].desk, 'desk-3');
  const all = await t.request('GET', '/api/registration/uhid-blocks');
  assert.ok(all.body.blocks.length >= 21);
});

test('a bad block request is a 400 naming the field', async () => {
  for (const [body, field] of [[{}, 'desk'], [{ desk: 'a b' }, 'desk'], [{ desk: 'c', size: 0 }, 'size'], [{ desk: 'c', size: 2001 }, 'size'], [{ desk: 'c', size: 1.5 }, 'size']] as const) {
    const res = await t.request('POST', '/api/registration/uhid-blocks', body);
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.equal(res.body.resourceType, 'OperationOutcome');
    assert.deepEqual(res.body.issue[0].expression, [field]);
  }
});

test('a role that may not register patients gets no block', async () => {
  t.role = 'lab-technician';
  try {
    const res = await t.request('POST', '/api/registration/uhid-blocks', { desk: 'lab' });
    assert.equal(res.status, 403);
  } finally {
    t.role = 'registration-clerk';
  }
});
