import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadDefinitions } from '../../src/fhir/definitions.js';
import type { LedgerEntryBody } from '../../src/store/ledger-entry.js';
import { ensureHospital, openStore } from '../../src/store/open-store.js';
import { projectEntries } from '../../src/store/projection.js';
import { stateHash } from '../../src/store/state-hash.js';
import { connectDatabase } from '../../src/store/database.js';
import { restoreVault } from '../../src/vault/restore.js';
import { freshDatabase, projectionSnapshot, syntheticChain, writeVault } from './restore-fixtures.js';
import { tempDir } from './vault-fixtures.js';

/**
 * The bulk projection of a restore (two passes, worker threads over ranges, COPY, indexes rebuilt)
 * must write exactly the rows the writer's projectEntries writes for the same entries: updates and
 * deletions reach back across the workers' range boundaries, some entries write several versions.
 */
test('restore with several workers writes the same rows as the writer, entry by entry', { timeout: 60_000 }, async (t) => {
  const entries = syntheticChain('demo', 3000);
  const vaultDir = await tempDir(t);
  await writeVault(vaultDir, 'demo', entries, { segmentMaxEntries: 700 });

  // The writer's way: projectEntries with the sealed ledger rows, a few entries per transaction.
  const written = await freshDatabase(t);
  loadDefinitions();
  const writer = await openStore({ databaseUrl: written.url, dataDir: '', appRole: false });
  try {
    await ensureHospital(writer.admin, 'demo', 'demo (restored from vault)');
    for (let i = 0; i < entries.length; i += 7) {
      const group = entries.slice(i, i + 7);
      await writer.admin.transaction((tx) => projectEntries(tx, group.map((e) => JSON.parse(e.body) as LedgerEntryBody), {
        ledger: group.map((e) => ({ seq: e.seq, body: e.body, prevHash: e.prev_hash, hash: e.hash })),
      }));
    }
  } finally {
    await writer.close();
  }

  const restored = await freshDatabase(t);
  const store = await openStore({ databaseUrl: restored.url, dataDir: '', appRole: false });
  let result;
  try {
    result = await restoreVault(store, { vaultDir, workers: 3 });
  } finally {
    await store.close();
  }
  const a = await projectionSnapshot(written.url);
  const b = await projectionSnapshot(restored.url);
  assert.equal(b.ledger.length, 3000);
  assert.deepEqual(b.ledger, a.ledger);
  assert.deepEqual(b.versions, a.versions);
  assert.deepEqual(b.current, a.current);
  assert.deepEqual(b.keys, a.keys);
  assert.equal(b.index.length, a.index.length);
  assert.deepEqual(b.index, a.index);
  const db = connectDatabase(written.url, { max: 2 });
  try {
    assert.equal((await stateHash(db, 'demo')).hash, result[0].state);
  } finally {
    await db.close();
  }
});
