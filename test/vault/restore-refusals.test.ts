import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectDatabase } from '../../src/store/database.js';
import { migrate } from '../../src/store/migrate.js';
import { RestoreRefusal } from '../../src/vault/restore.js';
import { newSigningKey } from '../../src/vault/vault-keys.js';
import { freshDatabase, onDatabase, restoreInto, restoredLines, runCommand, runNirantar, syntheticChain, writeVault } from './restore-fixtures.js';
import { tempDir } from './vault-fixtures.js';

const LIMIT = { timeout: 60_000 };
const count = (url: string, sql: string) => onDatabase(url, undefined, async (c) => Number((await c.query(sql)).rows[0].n));

describe('restore refuses what it cannot do safely', () => {
  test('a flipped byte in a segment: restore refuses before writing anything, naming the sequence', LIMIT, async (t) => {
    const vaultDir = await tempDir(t);
    await writeVault(vaultDir, 'demo', syntheticChain('demo', 900), { segmentMaxEntries: 400 });
    // Entry 437 is line 37 of the second segment (entries 401..800).
    const segments = path.join(vaultDir, 'demo', 'segments');
    assert.deepEqual(await readdir(segments), ['000000000001.ndjson', '000000000401.ndjson', '000000000801.ndjson']);
    const file = path.join(segments, '000000000401.ndjson');
    const bytes = await readFile(file);
    let lineStart = 0;
    for (let line = 0; line < 36; line++) lineStart = bytes.indexOf(0x0a, lineStart) + 1;
    const at = lineStart + Math.floor((bytes.indexOf(0x0a, lineStart) - lineStart) / 2);
    bytes[at] ^= 0x01;
    await writeFile(file, bytes);

    const target = await freshDatabase(t);
    const run = runCommand('restore', ['--vault', vaultDir, '--database-url', target.url]);
    assert.equal(await run.exited, 3, run.out.stderr);
    assert.match(run.out.stderr, /REFUSED: the vault is damaged at sequence 437 \(hospital demo\)/);
    assert.match(run.out.stderr, /The 436 entries before it are intact\. Nothing was written/);
    assert.doesNotMatch(run.out.stdout, /RESTORED/);
    assert.equal(await count(target.url, 'SELECT count(*) AS n FROM ledger_entry'), 0);
    assert.equal(await count(target.url, 'SELECT count(*) AS n FROM hospital'), 0);
    assert.equal(await count(target.url, 'SELECT count(*) AS n FROM resource_version'), 0);
  });

  test('checkpoints are checked against the public key given (--public-key), not only the one in vault.json', LIMIT, async (t) => {
    const vaultDir = await tempDir(t);
    await writeVault(vaultDir, 'demo', syntheticChain('demo', 40), { checkpointEvery: 10 });
    const target = await freshDatabase(t);
    await assert.rejects(restoreInto(target.url, vaultDir, { publicKey: newSigningKey().publicPem }),
      (err: Error) => err instanceof RestoreRefusal && /the vault is damaged at checkpoint line 1 \(sequence 10\) \(hospital demo\).*not the expected key/.test(err.message));
    assert.equal(await count(target.url, 'SELECT count(*) AS n FROM ledger_entry'), 0);
    const own = JSON.parse(await readFile(path.join(vaultDir, 'vault.json'), 'utf8')).publicKey as string;
    const [restored] = await restoreInto(target.url, vaultDir, { publicKey: own });
    assert.equal(restored.entries, 40);
    assert.equal(restored.checkpointedSeq, 40);
  });

  test('a target holding another history is refused, with or without --force; nothing is added to it', LIMIT, async (t) => {
    const ours = await tempDir(t);
    const theirs = await tempDir(t);
    await writeVault(ours, 'demo', syntheticChain('demo', 50));
    await writeVault(theirs, 'demo', syntheticChain('demo', 30, 1)); // same hospital id, another chain
    const target = await freshDatabase(t);
    await restoreInto(target.url, theirs);
    await assert.rejects(restoreInto(target.url, ours), (err: Error) => err instanceof RestoreRefusal && /already holds entries 1\.\.30 of hospital demo\. They differ from the vault/.test(err.message));
    await assert.rejects(restoreInto(target.url, ours, { force: true }), (err: Error) => err instanceof RestoreRefusal && /entry 30 of hospital demo differs from the vault's.*never overwritten, even with --force/.test(err.message));
    // A target ahead of the vault is not an earlier state of it either.
    const shorter = await tempDir(t);
    await writeVault(shorter, 'demo', syntheticChain('demo', 20, 1));
    await assert.rejects(restoreInto(target.url, shorter, { force: true }), /holds 30 entries of hospital demo, more than the vault's 20/);
    assert.equal(await count(target.url, 'SELECT count(*) AS n FROM ledger_entry'), 30);
  });

  test('kill -9 in the middle of a restore; without --force the rerun is refused, with --force it completes identically', { timeout: 120_000 }, async (t) => {
    const total = 6000;
    const vaultDir = await tempDir(t);
    await writeVault(vaultDir, 'demo', syntheticChain('demo', total, 1500), { segmentMaxEntries: 2500 });
    const clean = await freshDatabase(t);
    const [expected] = await restoreInto(clean.url, vaultDir);

    const target = await freshDatabase(t);
    const first = runCommand('restore', ['--vault', vaultDir, '--database-url', target.url, '--chunk', '20']);
    t.after(() => first.child.kill('SIGKILL'));
    let loaded = 0;
    const deadline = Date.now() + 40_000;
    while (loaded < 500 && Date.now() < deadline) {
      await sleep(5);
      loaded = await count(target.url, 'SELECT count(*) AS n FROM ledger_entry').catch(() => 0);
    }
    first.child.kill('SIGKILL');
    await first.exited;
    const left = await count(target.url, 'SELECT count(*) AS n FROM ledger_entry');
    assert.ok(left >= 500 && left < total, `killed part way: ${left} of ${total} entries were committed`);
    assert.equal(left % 20, 0, 'only whole chunks are committed');
    assert.equal(await count(target.url, 'SELECT count(*) AS n FROM resource_current'), 0, 'no half-built projection');
    // The server refuses to start on the interrupted restore: it would append to a partial ledger.
    const serve = runNirantar(['start', '--database-url', target.url, '--port', '0', '--no-seed']);
    t.after(() => serve.child.kill('SIGKILL'));
    assert.equal(await serve.exited, 1, serve.out.stdout);
    assert.match(serve.out.stderr, /this database holds an interrupted restore of hospital demo \(restore up to vault entry 6000, started [^)]+\): it is incomplete and must not be served\. Run the same `nirantar restore --vault DIR` with --force/);
    assert.equal(await count(target.url, 'SELECT count(*) AS n FROM ledger_entry'), left, 'the refused server wrote nothing');

    const refused = runCommand('restore', ['--vault', vaultDir, '--database-url', target.url]);
    assert.equal(await refused.exited, 3);
    assert.match(refused.out.stderr, new RegExp(`already holds entries 1\\.\\.${left} of hospital demo\\. They match the vault, so this is probably an interrupted restore: run the same command with --force`));

    const resumed = runCommand('restore', ['--vault', vaultDir, '--database-url', target.url, '--force']);
    assert.equal(await resumed.exited, 0, resumed.out.stderr);
    assert.match(resumed.out.stdout, new RegExp(`${total} entries \\(${left} were already there from an interrupted restore\\)`));
    const [line] = restoredLines(resumed.out.stdout);
    assert.deepEqual(line, { entries: total, resources: expected.resources, seq: total, head: expected.head.hash, state: expected.state });
    assert.match(resumed.out.stderr, /load demo .*\[#+\] 6000\/6000 entries/);
    assert.equal(await count(target.url, 'SELECT count(*) AS n FROM restore_in_progress'), 0, 'a finished restore is no longer marked');
  });

  test('a restore failing while the search index is built: still marked, not served, and --force finishes it', LIMIT, async (t) => {
    const vaultDir = await tempDir(t);
    await writeVault(vaultDir, 'demo', syntheticChain('demo', 300));
    const clean = await freshDatabase(t);
    const [expected] = await restoreInto(clean.url, vaultDir);

    // An index the restored rows violate, made before the restore: its rebuild, the search index's
    // last, fails the restore after the load, when the current state may already be committed.
    const target = await freshDatabase(t);
    const db = connectDatabase(target.url);
    try {
      await migrate(db);
      await db.query('CREATE UNIQUE INDEX zz_one_row_per_code ON search_index (hospital_id, code)');
    } finally {
      await db.close();
    }
    const failing = runCommand('restore', ['--vault', vaultDir, '--database-url', target.url]);
    assert.equal(await failing.exited, 1, failing.out.stderr);
    assert.match(failing.out.stderr, /FAILED: .*zz_one_row_per_code/);
    assert.match(failing.out.stderr, /the server refuses to start on it until it is finished/);
    assert.equal(await count(target.url, 'SELECT count(*) AS n FROM search_index'), 0, 'no search index rows were committed');
    assert.equal(await count(target.url, "SELECT count(*) AS n FROM restore_in_progress WHERE hospital_id = 'demo' AND vault_seq = 300"), 1);
    const serve = runNirantar(['start', '--database-url', target.url, '--port', '0', '--no-seed']);
    t.after(() => serve.child.kill('SIGKILL'));
    assert.equal(await serve.exited, 1, serve.out.stdout);
    assert.match(serve.out.stderr, /interrupted restore of hospital demo/);
    // verify says so too, though the ledger itself is whole.
    const verified = runCommand('verify', ['--database-url', target.url]);
    assert.equal(await verified.exited, 3, verified.out.stderr);
    assert.match(verified.out.stdout, /^OK 300 entries, head 300 /m);
    assert.match(verified.out.stdout, /^INTERRUPTED RESTORE of hospital demo \(up to vault entry 300, started [^)]+\): the database is incomplete; nirantar restore --vault DIR --force finishes it$/m);

    await onDatabase(target.url, undefined, (c) => c.query('DROP INDEX zz_one_row_per_code'));
    const resumed = runCommand('restore', ['--vault', vaultDir, '--database-url', target.url, '--force']);
    assert.equal(await resumed.exited, 0, resumed.out.stderr);
    const [line] = restoredLines(resumed.out.stdout);
    assert.deepEqual(line, { entries: 300, resources: expected.resources, seq: 300, head: expected.head.hash, state: expected.state });
    assert.equal(await count(target.url, 'SELECT count(*) AS n FROM restore_in_progress'), 0);
  });
});
