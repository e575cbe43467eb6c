import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomFillSync } from 'node:crypto';
import { readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startServer } from '../../src/server.js';
import { stateHash } from '../../src/store/state-hash.js';
import { TEST_TOKEN } from '../support/server.js';
import { makeDataDir, removeDataDir } from '../store/embedded-test-support.js';
import { closeNow, populate, pullToHead, restoredLines, runCommand, serverClient } from './restore-fixtures.js';
import { tempDir } from './vault-fixtures.js';

/** Every file under `dir`, recursively. */
async function filesUnder(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...await filesUnder(full));
    else if (entry.isFile()) found.push(full);
  }
  return found;
}

test('the ransomware case: database files overwritten with random bytes, restored from the vault onto a new data directory', { timeout: 90_000 }, async (t) => {
  const attacked = await makeDataDir();
  const fresh = await makeDataDir();
  t.after(() => removeDataDir(attacked));
  t.after(() => removeDataDir(fresh));
  const vaultDir = await tempDir(t);

  const server = await startServer({ port: 0, dataDir: attacked, bootstrapToken: TEST_TOKEN });
  let before;
  try {
    const client = serverClient(server, TEST_TOKEN);
    await populate(client, 8);
    await pullToHead(client, vaultDir);
    before = await stateHash(server.store.admin, 'demo');
  } finally {
    await closeNow(server);
  }

  // The attack: every database file encrypted (here: random bytes of the same size).
  const files = await filesUnder(path.join(attacked, 'pg', 'base'));
  assert.ok(files.length > 100, `the embedded cluster's files (${files.length})`);
  for (const file of files) {
    const size = (await stat(file)).size;
    await writeFile(file, randomFillSync(Buffer.alloc(size)));
  }

  const restore = runCommand('restore', ['--vault', vaultDir, '--data', fresh]);
  assert.equal(await restore.exited, 0, restore.out.stderr);
  const [restored] = restoredLines(restore.out.stdout);
  assert.equal(restored.state, before.hash, 'the same state as before the attack');
  assert.equal(restored.resources, before.resources);
  assert.match(restore.out.stdout, new RegExp(`Restored into the embedded PostgreSQL in ${fresh}`));

  const verify = runCommand('verify', ['--data', fresh]);
  assert.equal(await verify.exited, 0, verify.out.stderr);
  assert.equal(verify.out.stdout.trim(), `OK ${restored.entries} entries, head ${restored.seq} ${restored.head} (hospital demo)`);
  const compared = runCommand('verify', ['--data', fresh, '--vault', vaultDir]);
  assert.equal(await compared.exited, 0, compared.out.stderr);
  assert.equal(compared.out.stdout.trim(), `IDENTICAL ${restored.entries} entries, head ${restored.seq} ${restored.head} (hospital demo)`);
});
