import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runVault, type RunVaultOptions } from '../../src/vault/vault-puller.js';
import { verifyVault } from '../../src/vault/vault-verify.js';
import { FakeReplicationServer } from './fake-replication-server.js';
import { captureLog, PATIENT_MARKER, tempDir, waitFor, type CapturedLog } from './vault-fixtures.js';

/** Each test fails after this long instead of hanging (a vault that never stops would). */
const LIMIT = { timeout: 20_000 };
const H = 'demo';

/** Starts runVault in the background; the test stops it (or it stops itself) and gets the outcomes. */
function startVault(t: TestContext, options: Omit<RunVaultOptions, 'signal' | 'credential'> & { credential?: string }, captured: CapturedLog) {
  const controller = new AbortController();
  const done = runVault({ credential: 'vault-credential-for-tests', retryMinMs: 20, retryMaxMs: 100, waitMs: 2000, ...options, signal: controller.signal, log: captured.log });
  t.after(() => { controller.abort(); return done.catch(() => {}); });
  return { done, stop: async () => { controller.abort(); return done; } };
}

async function startServer(t: TestContext, initial: number, hospital = H) {
  const fake = new FakeReplicationServer(hospital, initial);
  await fake.start();
  t.after(() => fake.stop());
  return fake;
}

const reported = (fake: FakeReplicationServer) => fake.durableReports.at(-1)?.seq ?? 0;

describe('the pull loop (runVault) against a replication server', () => {
  test('pulls in batches, verifies, stores, reports durable with the right seq and hash, checkpoints on stop', LIMIT, async (t) => {
    const fake = await startServer(t, 2500);
    const dir = await tempDir(t);
    const captured = captureLog();
    const vault = startVault(t, { dir, server: fake.url }, captured);
    await waitFor('entry 2500 reported durable', () => reported(fake) === 2500);
    const config = JSON.parse(await readFile(path.join(dir, 'vault.json'), 'utf8'));
    assert.deepEqual(fake.durableReports.at(-1), { vaultId: config.vaultId, seq: 2500, hash: fake.entries[2499].hash });
    assert.deepEqual(fake.durableReports.map((r) => r.seq), [1000, 2000, 2500]);
    assert.ok(fake.requests.includes('GET /replication/R1/demo/entries?after=1000&limit=1000&waitMs=2000'));
    const [outcome] = await vault.stop();
    assert.deepEqual(outcome, { hospital: H, state: 'stopped', headSeq: 2500, headHash: fake.entries[2499].hash, reason: undefined });
    const verified = await verifyVault(dir, H);
    assert.ok(verified.ok && verified.count === 2500 && verified.checkpointedSeq === 2500, JSON.stringify(verified));
    assert.equal(config.hospitals.demo.genesisHash, fake.entries[0].hash);
    assert.ok(captured.lines.every((line) => !line.includes(PATIENT_MARKER)), 'no entry body in the log');
  });

  test('long poll: the vault waits on the server and takes new entries as soon as they come', LIMIT, async (t) => {
    const fake = await startServer(t, 5);
    const dir = await tempDir(t);
    const captured = captureLog();
    const vault = startVault(t, { dir, server: fake.url, waitMs: 20_000 }, captured);
    await waitFor('entry 5 reported', () => reported(fake) === 5);
    await waitFor('a pending long poll', () => fake.pendingPolls === 1);
    const polls = fake.requests.filter((r) => r.includes('/entries?after=5&limit=1000&waitMs=20000')).length;
    const started = Date.now();
    fake.add(3);
    await waitFor('entry 8 reported', () => reported(fake) === 8, 3000);
    assert.ok(Date.now() - started < 2000, 'answered by the waiting poll, not by a retry');
    assert.equal(polls, 1);
    await vault.stop();
  });

  test('the server down for a while (and at start): the vault retries with backoff and catches up', LIMIT, async (t) => {
    const fake = new FakeReplicationServer(H, 10);
    await fake.start();
    const port = fake.port;
    await fake.stop(); // not listening when the vault starts
    t.after(() => fake.stop());
    const dir = await tempDir(t);
    const captured = captureLog();
    const vault = startVault(t, { dir, server: fake.url }, captured);
    await waitFor('failed attempts', () => captured.count('pull-failed') >= 3);
    await fake.start(port);
    await waitFor('entry 10 reported', () => reported(fake) === 10);
    await fake.stop();
    const failures = captured.count('pull-failed');
    await waitFor('more failed attempts', () => captured.count('pull-failed') >= failures + 3);
    fake.add(5);
    await fake.start(port);
    await waitFor('entry 15 reported', () => reported(fake) === 15);
    assert.ok(captured.count('connected') >= 2);
    assert.ok(captured.lines.some((l) => /event=pull-failed .*ECONNREFUSED/.test(l)), captured.lines.join('\n'));
    const [outcome] = await vault.stop();
    assert.equal(outcome.headSeq, 15);
    assert.equal((await verifyVault(dir, H)).ok, true);
  });

  test('a server that rewrites an earlier entry is refused; the vault stops and keeps what it had', LIMIT, async (t) => {
    const fake = await startServer(t, 10);
    const original = fake.entries.slice();
    const dir = await tempDir(t);
    const captured = captureLog();
    const vault = startVault(t, { dir, server: fake.url }, captured);
    await waitFor('entry 10 reported', () => reported(fake) === 10);
    await waitFor('a pending long poll', () => fake.pendingPolls === 1);
    fake.rewrite(4);
    fake.add(1);
    const [outcome] = await vault.done; // the only hospital stopped, so runVault returns by itself
    assert.equal(outcome.state, 'refused');
    assert.match(outcome.reason!, /entry 11: prev_hash does not match the vault's entry 10 — the server's history differs/);
    assert.deepEqual([outcome.headSeq, outcome.headHash], [10, original[9].hash]);
    const refused = captured.events.find((e) => e.event === 'REFUSED');
    assert.equal(refused?.level, 'error');
    assert.equal(refused?.fields.seq, 11);
    const verified = await verifyVault(dir, H);
    assert.ok(verified.ok && verified.headSeq === 10 && verified.headHash === original[9].hash);

    // Started again against the same server, it refuses at once: the server's entry 10 is not the vault's.
    const again = captureLog();
    const [second] = await startVault(t, { dir, server: fake.url }, again).done;
    assert.equal(second.state, 'refused');
    assert.match(second.reason!, /entry 10: the server's entry 10 has hash .* but the vault's has/);
    assert.ok((await verifyVault(dir, H)).ok);
  });

  test("another hospital's server is refused: a different hospital id, or a different genesis", LIMIT, async (t) => {
    const ours = await startServer(t, 3);
    const dir = await tempDir(t);
    const first = startVault(t, { dir, server: ours.url }, captureLog());
    await waitFor('entry 3 reported', () => reported(ours) === 3);
    await first.stop();

    const stranger = await startServer(t, 3);
    stranger.rewrite(1); // same hospital id, another history from entry 1
    const captured = captureLog();
    const [outcome] = await startVault(t, { dir, server: stranger.url }, captured).done;
    assert.equal(outcome.state, 'refused');
    assert.match(outcome.reason!, /another hospital's server, or a history rewritten from its first entry/);
    assert.equal(stranger.durableReports.length, 0);

    // A server answering for "demo" that says it is another hospital.
    const impostor = await startServer(t, 3);
    impostor.servedHospital = 'city-hospital';
    const [wrongId] = await startVault(t, { dir: await tempDir(t), server: impostor.url }, captureLog()).done;
    assert.equal(wrongId.state, 'refused');
    assert.match(wrongId.reason!, /serves hospital "city-hospital", not "demo"/);
    assert.equal((await verifyVault(dir, H) as { headSeq: number }).headSeq, 3);
  });

  test('malformed answers and a wrong credential are logged and retried, never stored, never fatal', LIMIT, async (t) => {
    const fake = await startServer(t, 4);
    const dir = await tempDir(t);
    const captured = captureLog();
    fake.credential = 'rotated';
    const vault = startVault(t, { dir, server: fake.url }, captured);
    await waitFor('refused credential logged', () => captured.lines.some((l) => /HTTP 401 \(the server does not accept this vault credential\)/.test(l)));
    fake.credential = 'vault-credential-for-tests';
    await waitFor('entry 4 reported', () => reported(fake) === 4);
    fake.garbageNext = true;
    fake.add(2);
    await waitFor('entry 6 reported', () => reported(fake) === 6);
    assert.ok(captured.lines.some((l) => /event=pull-failed .*is not a ledger entry: entry 5: \\"prev_hash\\" is not a SHA-256 hex digest/.test(l)), captured.lines.join('\n'));
    assert.ok(captured.lines.every((l) => !l.includes('xxxxxxxxxx') && !l.includes(PATIENT_MARKER)));
    const [outcome] = await vault.stop();
    assert.equal(outcome.state, 'stopped');
  });

  test('an empty server: the vault waits for its first entry, then binds and pulls', LIMIT, async (t) => {
    const fake = await startServer(t, 0);
    const dir = await tempDir(t);
    const captured = captureLog();
    const vault = startVault(t, { dir, server: fake.url }, captured);
    await waitFor('server-empty logged', () => captured.count('server-empty') >= 2);
    fake.add(2);
    await waitFor('entry 2 reported', () => reported(fake) === 2);
    await vault.stop();
    assert.equal(JSON.parse(await readFile(path.join(dir, 'vault.json'), 'utf8')).hospitals.demo.genesisHash, fake.entries[0].hash);
  });

  test("damage in the vault's own files stops that hospital before it pulls anything more", LIMIT, async (t) => {
    const fake = await startServer(t, 12);
    const dir = await tempDir(t);
    const first = startVault(t, { dir, server: fake.url }, captureLog());
    await waitFor('entry 12 reported', () => reported(fake) === 12);
    await first.stop();
    const segment = path.join(dir, H, 'segments', '000000000001.ndjson');
    const original = await readFile(segment, 'utf8');
    await writeFile(segment, original.replace('req-5', 'req-X'));
    assert.notEqual(await readFile(segment, 'utf8'), original);
    fake.add(3);
    const captured = captureLog();
    const [outcome] = await startVault(t, { dir, server: fake.url }, captured).done;
    assert.equal(outcome.state, 'refused');
    assert.match(outcome.reason!, /entry 5/);
    const damaged = captured.events.find((e) => e.event === 'VAULT-DAMAGED');
    assert.equal(damaged?.fields.seq, 5);
    assert.equal(captured.count('checkpoint'), 0, 'nothing signed over damaged entries');
    assert.equal(reported(fake), 12);

    // Damage the open check itself sees (a missing middle segment): refused too, and the outcome is still returned.
    const small = await tempDir(t);
    const reportsBefore = fake.durableReports.length;
    const second = startVault(t, { dir: small, server: fake.url, store: { segmentMaxEntries: 5 } }, captureLog());
    await waitFor('entry 15 reported', () => fake.durableReports.length > reportsBefore && reported(fake) === 15);
    await second.stop();
    await rm(path.join(small, H, 'segments', '000000000006.ndjson'));
    const [missing] = await startVault(t, { dir: small, server: fake.url, store: { segmentMaxEntries: 5 } }, captureLog()).done;
    assert.equal(missing.state, 'refused');
    assert.match(missing.reason!, /entries 6\.\.10 are missing/);
  });
});
