import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GENESIS_HASH, sealEntry } from '../../src/store/ledger-entry.js';
import { verifyLedger } from '../../src/store/ledger-verify.js';
import { ensureHospital, openStore, type Store } from '../../src/store/open-store.js';
import { LedgerLinesBuilder, type LedgerLines } from '../../src/vault/ledger-copy-lines.js';
import { openRestoreConnection } from '../../src/vault/restore-connection.js';
import { LedgerFeed } from '../../src/vault/restore-ledger-feed.js';
import { LedgerLoader, type ChainHead } from '../../src/vault/restore-ledger.js';
import type { ReplicatedEntry } from '../../src/vault/vault-entry.js';
import { freshDatabase } from './restore-fixtures.js';
import { entryBody, makeChain } from './vault-fixtures.js';

/**
 * The ledger rows of a restore come from its workers, one range of entries each, and the later range
 * is usually ready first. The feed must load them in sequence order, commit chunks exactly at entry
 * boundaries, and stop at the first row that does not follow the one before.
 */
async function migratedTarget(t: Parameters<typeof freshDatabase>[0]): Promise<{ store: Store; url: string }> {
  const db = await freshDatabase(t);
  const store = await openStore({ databaseUrl: db.url, dataDir: '', appRole: false });
  t.after(() => store.close());
  await ensureHospital(store.admin, 'demo', 'Demo');
  return { store, url: db.url };
}

/**
 * Sealed entries of different sizes, with Devanagari (byte offsets are not character offsets) and
 * the characters COPY escapes (a tab, a backslash) in them.
 */
function chainWithAwkwardText(count: number): ReplicatedEntry[] {
  const entries: ReplicatedEntry[] = [];
  let hash = GENESIS_HASH;
  for (let seq = 1; seq <= count; seq++) {
    const body = entryBody('demo', seq, (seq % 5) * 40);
    (body.versions[0].resource as { name: Array<{ given: string[] }> }).name[0].given.push(`रोगी ${seq}\t"back\\slash"`);
    const sealed = sealEntry(hash, body);
    entries.push({ seq, prev_hash: sealed.prevHash, hash: sealed.hash, body: sealed.body });
    hash = sealed.hash;
  }
  return entries;
}

/** The rows of `entries` as a worker sends them, `size` entries a block. */
function blocks(entries: ReplicatedEntry[], size: number): LedgerLines[] {
  const out: LedgerLines[] = [];
  for (let i = 0; i < entries.length; i += size) {
    const builder = new LedgerLinesBuilder('demo');
    for (const e of entries.slice(i, i + size)) builder.add(e, (JSON.parse(e.body) as { time: string }).time);
    out.push(builder.take());
  }
  return out;
}

test('rows of a later range that arrive first are loaded after the earlier range, in chunks that end on entries', async (t) => {
  const { store, url } = await migratedTarget(t);
  const chain = chainWithAwkwardText(41);
  const db = await openRestoreConnection(url);
  t.after(() => db.close());
  const commits: ChainHead[] = [];
  const loader = new LedgerLoader(db, 'demo', { seq: 0, hash: GENESIS_HASH }, { entries: 5 }, (head) => commits.push(head));
  const feed = await LedgerFeed.create(2);
  const loading = feed.loadInto(loader);

  for (const lines of blocks(chain.slice(20), 6)) await feed.add(1, lines);
  feed.finished(1);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal((await store.admin.query('SELECT seq FROM ledger_entry')).length, 0, 'nothing of the later range is loaded before the earlier one');
  for (const lines of blocks(chain.slice(0, 20), 7)) await feed.add(0, lines);
  feed.finished(0);

  assert.deepEqual(await loading, { seq: 41, hash: chain[40].hash });
  assert.deepEqual(commits.map((c) => c.seq), [5, 10, 15, 20, 25, 30, 35, 40, 41]);
  assert.deepEqual(commits.map((c) => c.hash), commits.map((c) => chain[c.seq - 1].hash));
  const rows = await store.admin.query<{ seq: number; body: string; prev_hash: string; hash: string; recorded_at: Date }>(
    'SELECT seq, body, prev_hash, hash, recorded_at FROM ledger_entry WHERE hospital_id = $1 ORDER BY seq', ['demo']);
  assert.deepEqual(rows.map(({ seq, body, prev_hash, hash }) => ({ seq, body, prev_hash, hash })), chain);
  assert.deepEqual(rows.map((r) => r.recorded_at.toISOString()), chain.map((e) => (JSON.parse(e.body) as { time: string }).time));
  assert.deepEqual(await verifyLedger(store.admin, 'demo', { hashInDatabase: true }), { ok: true, count: 41, headSeq: 41, headHash: chain[40].hash });
});

test('a block that does not follow the entry before it stops the load; only whole chunks stay committed', async (t) => {
  const { store, url } = await migratedTarget(t);
  const chain = makeChain('demo', 12);
  const db = await openRestoreConnection(url);
  t.after(() => db.close());
  const loader = new LedgerLoader(db, 'demo', { seq: 0, hash: GENESIS_HASH }, { entries: 4 });
  const feed = await LedgerFeed.create(1);
  const loading = feed.loadInto(loader);
  const [first] = blocks(chain.slice(0, 6), 6);
  const [skipping] = blocks(chain.slice(7), 5); // entry 7 is missing
  await feed.add(0, first);
  await feed.add(0, skipping);
  feed.finished(0);
  await assert.rejects(loading, /entries from 8 offered after entry 6/);
  await loader.abort(new Error('stopped'));
  assert.deepEqual((await store.admin.query<{ seq: number }>('SELECT seq FROM ledger_entry ORDER BY seq')).map((r) => r.seq), [1, 2, 3, 4]);
});

test('a builder refuses an entry that does not follow the last one it was given', () => {
  const chain = makeChain('demo', 3);
  const builder = new LedgerLinesBuilder('demo');
  builder.add(chain[0], '2025-01-01T00:00:00Z');
  assert.throws(() => builder.add(chain[2], '2025-01-01T00:00:00Z'), /entry 3 added after 1/);
});
