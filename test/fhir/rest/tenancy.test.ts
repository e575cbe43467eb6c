import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../../support/server.js';
import { ensureBootstrapToken } from '../../../src/security/api-tokens.js';
import { ensureHospital } from '../../../src/store/open-store.js';
import { verifyLedger } from '../../../src/store/ledger-verify.js';

/** One deployment, several hospitals: each sees only its own data and has its own chain. */
describe('hospitals are isolated', () => {
  let t: TestServer;
  const otherToken = 'other-hospital-token-0123456789';
  before(async () => {
    t = await startTestServer();
    await ensureHospital(t.server.store.app, 'north', 'North District Hospital');
    await ensureBootstrapToken(t.server.store.app, 'north', otherToken);
  });
  after(async () => t?.close());

  test("a hospital cannot read, search, update or see the history of another hospital's patient", async () => {
    const { body: p } = await t.request('POST', '/Patient', { resourceType: 'Patient', name: [{ family: 'Tenantone' }] });
    const asNorth = { authorization: `Bearer ${otherToken}` };
    assert.equal((await t.request('GET', `/Patient/${p.id}`, undefined, asNorth)).status, 404);
    const search = await t.request('GET', '/Patient?family=Tenantone', undefined, asNorth);
    assert.equal((search.body.entry ?? []).filter((e: any) => e.search.mode === 'match').length, 0);
    assert.equal((await t.request('GET', `/Patient/${p.id}/_history`, undefined, asNorth)).status, 404);
    const history = await t.request('GET', '/_history', undefined, asNorth);
    assert.equal(history.body.entry.length, 0);
    // The same id in the other hospital is a different resource with its own versions.
    const put = await t.request('PUT', `/Patient/${p.id}`, { resourceType: 'Patient', id: p.id, name: [{ family: 'Northern' }] }, asNorth);
    assert.equal(put.status, 201);
    assert.equal((await t.request('GET', `/Patient/${p.id}`)).body.name[0].family, 'Tenantone');
    const demoChain = await verifyLedger(t.server.store.app, 'demo');
    const northChain = await verifyLedger(t.server.store.app, 'north');
    assert.ok(demoChain.ok && northChain.ok);
    // One write, and the audit entries of north's requests (each a batch of AuditEvents).
    const [{ n }] = await t.server.store.admin.query<{ n: string }>(
      "SELECT count(*) AS n FROM ledger_entry WHERE hospital_id = 'north' AND body::jsonb->>'interaction' <> 'audit'");
    assert.equal(Number(n), 1);
    assert.notEqual(demoChain.ok && demoChain.headHash, northChain.ok && northChain.headHash);
  });
});
