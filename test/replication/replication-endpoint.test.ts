import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, TEST_TOKEN, type TestServer } from '../support/server.js';
import { issueVaultCredential } from '../../src/security/api-tokens.js';
import { chainHash, GENESIS_HASH } from '../../src/store/ledger-entry.js';

async function pull(t: TestServer, credential: string, query: string) {
  const res = await fetch(`${t.server.url}/replication/R1/demo/entries?${query}`, { headers: { authorization: `Bearer ${credential}` } });
  const text = await res.text();
  return { status: res.status, entries: text.split('\n').filter(Boolean).map((l) => JSON.parse(l)) };
}

async function reportDurable(t: TestServer, credential: string, seq: number, hash: string) {
  return fetch(`${t.server.url}/replication/R1/demo/durable`, {
    method: 'POST', headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/json' },
    body: JSON.stringify({ vaultId: 'test-vault', seq, hash }),
  });
}

// These tests count ledger entries one by one, so the server's own audit entries (a batch of
// AuditEvents after each burst of requests) are turned off here; test/security and test/audit
// cover the audit trail, including its entries reaching a vault.
const NO_AUDIT = { audit: false } as const;

describe('the replication feed a vault pulls from', () => {
  let t: TestServer;
  let credential: string;
  before(async () => {
    t = await startTestServer(NO_AUDIT);
    credential = await issueVaultCredential(t.server.store.app, 'demo', 'test');
    for (let i = 0; i < 3; i++) await t.request('POST', '/Patient', { resourceType: 'Patient', name: [{ family: `Feed${i}` }] });
  });
  after(async () => t?.close());

  test('serves the chain in order, as stored, and only to a replication credential', async () => {
    const { status, entries } = await pull(t, credential, 'after=0');
    assert.equal(status, 200);
    assert.deepEqual(entries.map((e) => e.seq), [1, 2, 3]);
    let prev = GENESIS_HASH;
    for (const e of entries) {
      assert.equal(e.prev_hash, prev);
      assert.equal(chainHash(e.prev_hash, e.body), e.hash);
      prev = e.hash;
    }
    const info = await (await fetch(`${t.server.url}/replication/R1/demo/info`, { headers: { authorization: `Bearer ${credential}` } })).json();
    assert.deepEqual(info, { hospital: 'demo', genesisHash: entries[0].hash, headSeq: 3, headHash: prev });
    // The API token cannot pull the ledger; the vault credential cannot use the API or another hospital's feed.
    assert.equal((await pull(t, TEST_TOKEN, 'after=0')).status, 401);
    assert.equal((await fetch(`${t.base}/Patient`, { headers: { authorization: `Bearer ${credential}` } })).status, 401);
    const other = await fetch(`${t.server.url}/replication/R1/north/info`, { headers: { authorization: `Bearer ${credential}` } });
    assert.equal(other.status, 403);
  });

  test('a long poll returns as soon as a new entry is written', async () => {
    const started = Date.now();
    const waiting = pull(t, credential, 'after=3&waitMs=10000');
    await new Promise((r) => setTimeout(r, 200));
    await t.request('POST', '/Patient', { resourceType: 'Patient', name: [{ family: 'Woken' }] });
    const { entries } = await waiting;
    assert.deepEqual(entries.map((e) => e.seq), [4]);
    assert.ok(Date.now() - started < 5000);
  });

  test('a durable report must name an entry the ledger holds, with its hash', async () => {
    const { entries } = await pull(t, credential, 'after=0&limit=1');
    assert.equal((await reportDurable(t, credential, 1, 'f'.repeat(64))).status, 409);
    assert.equal((await reportDurable(t, credential, 999, entries[0].hash)).status, 409);
    assert.equal((await reportDurable(t, credential, 1, entries[0].hash)).status, 204);
  });
});

describe('ack=vault', () => {
  test('a write waits for the vault; without one it falls back to local with an alarm', async () => {
    const t = await startTestServer({ ...NO_AUDIT, ack: 'vault', vaultTimeoutMs: 300 });
    try {
      const credential = await issueVaultCredential(t.server.store.app, 'demo', 'v');
      // No vault: acknowledged after the timeout, and the status shows the alarm and the lag.
      const lonely = await t.request('POST', '/Patient', { resourceType: 'Patient', name: [{ family: 'Alone' }] });
      assert.equal(lonely.status, 201);
      let status = (await fetch(`${t.server.url}/api/status`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } }).then((r) => r.json())) as any;
      assert.match(status.vault.alarm, /no vault confirmed ledger entry 1/);
      assert.equal(status.vault.lagEntries, 1);
      // A vault that pulls and reports: the write is acknowledged once the vault has it.
      let stop = false;
      const vault = (async () => {
        let after = 0;
        while (!stop) {
          const { entries } = await pull(t, credential, `after=${after}&waitMs=1000`);
          for (const e of entries) after = e.seq;
          if (entries.length) await reportDurable(t, credential, after, entries[entries.length - 1].hash);
        }
      })();
      const started = Date.now();
      const confirmed = await t.request('POST', '/Patient', { resourceType: 'Patient', name: [{ family: 'Vaulted' }] });
      assert.equal(confirmed.status, 201);
      assert.ok(Date.now() - started < 300, 'acknowledged by the vault before the timeout');
      status = (await fetch(`${t.server.url}/api/status`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } }).then((r) => r.json())) as any;
      assert.equal(status.vault.vault.durableSeq, 2);
      assert.equal(status.vault.alarm, null);
      stop = true;
      await vault;
    } finally {
      await t.close();
    }
  });

  test("with fallback 'refuse' and no vault, a write is answered 503 and its retry returns the first result", async () => {
    const t = await startTestServer({ ...NO_AUDIT, ack: 'vault', vaultFallback: 'refuse', vaultTimeoutMs: 200 });
    try {
      const refused = await t.request('POST', '/Patient', { resourceType: 'Patient', name: [{ family: 'Refused' }] }, { 'x-request-id': 'refuse-1' });
      assert.equal(refused.status, 503);
      assert.match(refused.body.issue[0].diagnostics, /Retry with the same X-Request-Id/);
      const credential = await issueVaultCredential(t.server.store.app, 'demo', 'late');
      const { entries } = await pull(t, credential, 'after=0');
      await reportDurable(t, credential, 1, entries[0].hash);
      const retry = await t.request('POST', '/Patient', { resourceType: 'Patient', name: [{ family: 'Refused' }] }, { 'x-request-id': 'refuse-1' });
      assert.equal(retry.status, 201);
      const search = await t.request('GET', '/Patient?family=Refused');
      assert.equal(search.body.entry.filter((e: any) => e.search.mode === 'match').length, 1);
    } finally {
      await t.close();
    }
  });
});
