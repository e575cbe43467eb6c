import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type RunningServer } from '../../src/server.js';
import { connectDatabase } from '../../src/store/database.js';
import { verifyLedger } from '../../src/store/ledger-verify.js';
import { openStore } from '../../src/store/open-store.js';
import { stateHash } from '../../src/store/state-hash.js';
import { restoreVault, type RestoredHospital } from '../../src/vault/restore.js';
import { startTestServer, TEST_TOKEN, type TestServer } from '../support/server.js';
import { closeNow, freshDatabase, NORTH_TOKEN, populate, populateNorth, projectionSnapshot, pullToHead } from './restore-fixtures.js';
import { tempDir } from './vault-fixtures.js';

/**
 * The round trip: a server's data (creates, updates, a delete, a transaction, two hospitals) pulled
 * by a vault; the server stopped; the vault restored into a fresh database, which then holds exactly
 * the same ledger and projections and serves the same resources.
 */
describe('restore from the vault: the round trip', () => {
  const cleanups: Array<() => unknown> = [];
  const ctx = { after: (fn: () => unknown) => cleanups.push(fn) };
  let original: TestServer;
  let vaultDir: string;
  let ids: string[];
  let deleted: string;
  let before_: { demo: Awaited<ReturnType<typeof stateHash>>; north: Awaited<ReturnType<typeof stateHash>>; snapshot: Awaited<ReturnType<typeof projectionSnapshot>> };
  let target: { url: string; name: string };
  let restored: RestoredHospital[];
  let served: RunningServer | undefined;

  before(async () => {
    original = await startTestServer();
    ({ ids, deleted } = await populate(original));
    await populateNorth(original);
    vaultDir = await tempDir({ after: ctx.after } as never);
    await pullToHead(original, vaultDir, 'demo');
    await pullToHead(original, vaultDir, 'north');
    const db = original.server.store.admin;
    before_ = { demo: await stateHash(db, 'demo'), north: await stateHash(db, 'north'), snapshot: await projectionSnapshot(original.databaseUrl) };
    await closeNow(original); // the original database is gone: dropped, like the encrypted one

    target = await freshDatabase(ctx);
    const store = await openStore({ databaseUrl: target.url, dataDir: '', appRole: false });
    try {
      restored = await restoreVault(store, { vaultDir });
    } finally {
      await store.close();
    }
  });
  after(async () => {
    await served?.close();
    for (const fn of cleanups.reverse()) await fn();
  });

  test('every hospital is restored with the same state hash, and the ledger verifies', async () => {
    assert.deepEqual(restored.map((r) => r.hospital), ['demo', 'north']);
    const demo = restored[0];
    assert.equal(demo.state, before_.demo.hash);
    assert.equal(demo.resources, before_.demo.resources);
    assert.equal(restored[1].state, before_.north.hash);
    assert.notEqual(before_.demo.hash, before_.north.hash);
    const db = connectDatabase(target.url, { max: 2 });
    try {
      const verified = await verifyLedger(db, 'demo');
      assert.ok(verified.ok && verified.headSeq === demo.head.seq && verified.headHash === demo.head.hash);
      assert.deepEqual(await stateHash(db, 'demo'), { resources: demo.resources, hash: demo.state });
    } finally {
      await db.close();
    }
  });

  test('the ledger and every projection table are row for row what the server had written', async () => {
    const now = await projectionSnapshot(target.url);
    assert.equal(now.ledger.length, before_.snapshot.ledger.length);
    assert.deepEqual(now.ledger, before_.snapshot.ledger);
    assert.deepEqual(now.versions, before_.snapshot.versions);
    assert.deepEqual(now.current, before_.snapshot.current);
    assert.deepEqual(now.index, before_.snapshot.index);
    assert.deepEqual(now.keys, before_.snapshot.keys);
  });

  test('a server on the restored database serves the same resources, searches and history', async () => {
    served = await startServer({ port: 0, dataDir: '', databaseUrl: target.url, bootstrapToken: TEST_TOKEN });
    const get = async (path: string, token = TEST_TOKEN) => {
      const res = await fetch(`${served!.url}/fhir/R4${path}`, { headers: { authorization: `Bearer ${token}` } });
      return { status: res.status, body: await res.json() as any };
    };
    const hard = await get(`/Patient/${ids[0]}`);
    assert.equal(hard.status, 200);
    assert.equal(hard.body.name[0].family, 'O\\Brien "quoted"');
    assert.equal((await get(`/Patient/${ids[1]}`)).body.name[0].given[0], 'राम\tप्रसाद');
    assert.equal((await get(`/Patient/${ids[2]}`)).body.address[0].text, 'line one\nline two\r\nback\\slash 🏥');
    const updated = await get(`/Patient/${ids[3]}`);
    assert.equal(updated.body.meta.versionId, '2');
    assert.equal((await get(`/Patient/${ids[3]}/_history`)).body.total, 2);
    assert.equal((await get(`/Patient/${deleted}`)).status, 410);
    assert.equal((await get(`/Patient/${ids[6]}`)).body.name[0].family, 'Replaced');
    const search = await get('/Patient?family=restorable&_count=100');
    assert.equal(search.body.entry.filter((e: any) => e.search.mode === 'match').length, 9); // 12 - O'Brien - deleted - replaced
    const observations = await get('/Observation?code=http://loinc.org|718-7&value-quantity=gt13');
    assert.equal(observations.body.entry.length, 1);
    const north = await get('/Patient?family=northern', NORTH_TOKEN);
    assert.equal(north.status, 401, 'API tokens are not in the vault: the old token does not open the restored database');
  });
});
