import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { readFile, rm, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { VaultStore } from '../../src/vault/vault-store.js';
import { verifyVault as verifyInOneRun, type VerifyVaultOptions } from '../../src/vault/vault-verify.js';
import { checkpointLine, parseCheckpointLine, signCheckpoint } from '../../src/vault/checkpoint.js';
import { keyIdOf } from '../../src/vault/vault-keys.js';
import { GENESIS_HASH } from '../../src/store/ledger-entry.js';
import { makeChain, tempDir } from './vault-fixtures.js';
import type { TestContext } from 'node:test';

const H = 'demo';
const seg = (dir: string, first: number) => path.join(dir, H, 'segments', `${String(first).padStart(12, '0')}.ndjson`);
const checkpoints = (dir: string) => path.join(dir, H, 'checkpoints.ndjson');

/** A closed vault with entries 1..30 in segments 1, 11, 21 and signed checkpoints at 10, 20, 30. */
async function sampleVault(t: TestContext) {
  const dir = await tempDir(t);
  const chain = makeChain(H, 30);
  const store = await VaultStore.open(dir, { create: true, segmentMaxEntries: 10 });
  await store.bind(H, chain[0].hash, 'http://server');
  for (let i = 0; i < 30; i += 10) {
    await store.append(H, chain.slice(i, i + 10));
    await store.checkpoint(H);
  }
  const publicKey = store.publicKey;
  await store.close();
  return { dir, chain, publicKey };
}

/** Flips one byte of `file`, `offsetInLine` bytes into the line of entry `seq`. */
async function flipByte(file: string, seq: number, find: (line: string) => number): Promise<void> {
  const bytes = await readFile(file);
  const lines = bytes.toString('utf8').split('\n');
  const index = lines.findIndex((l) => l.startsWith(`{"seq":${seq},`));
  const lineStart = lines.slice(0, index).reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
  bytes[lineStart + find(lines[index])] ^= 0x01;
  await writeFile(file, bytes);
}

async function editCheckpoint(dir: string, line: number, edit: (c: ReturnType<typeof parseCheckpointLine>) => void): Promise<void> {
  const lines = (await readFile(checkpoints(dir), 'utf8')).trim().split('\n');
  const c = parseCheckpointLine(lines[line - 1]);
  edit(c);
  lines[line - 1] = checkpointLine(c);
  await writeFile(checkpoints(dir), `${lines.join('\n')}\n`);
}

// Every case runs with the segments verified in one run, and split into 2 and 3 runs joined
// afterwards (as a restore does on its worker threads): the results must be the same.
for (const parts of [1, 2, 3]) describe(`verifyVault, segments verified in ${parts} run(s)`, () => {
  const verifyVault = (dir: string, hospital: string, options: VerifyVaultOptions = {}) => verifyInOneRun(dir, hospital, { ...options, parts });

  test('an intact vault verifies: count, head and checkpoints', async (t) => {
    const { dir, chain, publicKey } = await sampleVault(t);
    const result = await verifyVault(dir, H, { publicKey });
    assert.deepEqual(result, { ok: true, count: 30, headSeq: 30, headHash: chain[29].hash, checkpoints: 3, checkpointedSeq: 30, tornTailBytes: 0 });
    assert.match((await verifyVault(dir, 'nowhere') as { reason: string }).reason, /holds no hospital "nowhere"/);
  });

  test('asked to collect, it returns contiguous runs with each entry\'s time and resource versions', async (t) => {
    const { dir, chain } = await sampleVault(t);
    const result = await verifyVault(dir, H, { collect: true });
    assert.ok(result.ok && result.runs, JSON.stringify(result));
    assert.equal(result.runs.length, parts);
    const bodies = chain.map((e) => JSON.parse(e.body));
    let after = 0;
    let prevHash = GENESIS_HASH;
    for (const run of result.runs) {
      assert.deepEqual({ after: run.after, prevHash: run.prevHash, headHash: run.headHash }, { after, prevHash, headHash: chain[run.upto - 1].hash });
      const inRun = bodies.slice(run.after, run.upto);
      assert.deepEqual(run.facts, {
        times: inRun.map((b) => b.time),
        versionCounts: inRun.map((b) => b.versions.length),
        versionKeys: inRun.flatMap((b) => b.versions.map((v: { resourceType: string; id: string }) => `${v.resourceType}/${v.id}`)),
      });
      after = run.upto;
      prevHash = run.headHash;
    }
    assert.equal(after, 30);
    const plain = await verifyVault(dir, H);
    assert.ok(plain.ok && plain.runs === undefined, 'no runs unless asked');
  });

  test('a flipped byte in a middle segment is found at its entry', async (t) => {
    const { dir } = await sampleVault(t);
    await flipByte(seg(dir, 11), 15, (line) => line.indexOf('req-15') + 2); // inside the body
    const result = await verifyVault(dir, H);
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.seq, 15);
    assert.match(!result.ok ? result.reason : '', /entry was changed/);
    assert.equal(!result.ok && result.count, 14);
  });

  test('a flipped byte in a stored hash, or in the line structure, is found at its entry', async (t) => {
    const { dir } = await sampleVault(t);
    await flipByte(seg(dir, 11), 13, (line) => line.indexOf('"hash":"') + 20);
    let result = await verifyVault(dir, H);
    assert.ok(!result.ok && result.seq === 13, JSON.stringify(result));
    const { dir: dir2 } = await sampleVault(t);
    await flipByte(seg(dir2, 11), 17, () => 0); // '{' becomes 'z'
    result = await verifyVault(dir2, H);
    assert.ok(!result.ok && result.seq === 17 && /damaged: the line is not valid JSON/.test(result.reason), JSON.stringify(result));
  });

  test('a truncated middle segment is found: mid-line, and at a line boundary', async (t) => {
    const { dir } = await sampleVault(t);
    const middle = seg(dir, 11);
    const size = (await readFile(middle)).length;
    await truncate(middle, size - 10);
    let result = await verifyVault(dir, H);
    assert.ok(!result.ok && result.seq === 20 && /truncated/.test(result.reason), JSON.stringify(result));
    const lines = (await readFile(middle, 'utf8')).split('\n');
    await writeFile(middle, `${lines.slice(0, 7).join('\n')}\n`); // entries 11..17 remain
    result = await verifyVault(dir, H);
    assert.ok(!result.ok && result.seq === 18 && /entries 18\.\.20 are missing/.test(result.reason), JSON.stringify(result));
  });

  test('a missing segment is found, and so is a removed tail (the checkpoint vouches past the end)', async (t) => {
    const { dir } = await sampleVault(t);
    await rm(seg(dir, 11));
    let result = await verifyVault(dir, H);
    assert.ok(!result.ok && result.seq === 11 && /entries 11\.\.20 are missing/.test(result.reason), JSON.stringify(result));
    const { dir: dir2 } = await sampleVault(t);
    await rm(seg(dir2, 21));
    result = await verifyVault(dir2, H);
    assert.ok(!result.ok && result.checkpoint === 3 && /vouches for entry 30, but the entries end at 20: entries were removed/.test(result.reason), JSON.stringify(result));
    // The vault itself refuses to open on it too.
    const store = await VaultStore.open(dir2);
    await assert.rejects(store.head(H), /entries were removed/);
    await store.close();
  });

  test('a forged or edited checkpoint is found: edited seq, edited hash, bad signature', async (t) => {
    for (const [edit, expected] of [
      [(c: { seq: number }) => { c.seq = 19; }, /line 2: its signature does not verify/],
      [(c: { hash: string }) => { c.hash = '0'.repeat(64); }, /line 2: its signature does not verify/],
      // Another first character, whatever it was (a signature starting with 'A' once made this a no-op).
      [(c: { signature: string }) => { c.signature = `${c.signature.startsWith('A') ? 'B' : 'A'}${c.signature.slice(1)}`; }, /line 2: its signature does not verify/],
      [(c: { vaultId: string }) => { c.vaultId = 'someone-else'; }, /line 2: it was made by another vault/],
    ] as const) {
      const { dir } = await sampleVault(t);
      await editCheckpoint(dir, 2, edit as never);
      const result = await verifyVault(dir, H);
      assert.ok(!result.ok && result.checkpoint === 2 && expected.test(result.reason), JSON.stringify(result));
    }
  });

  test('a validly signed checkpoint that disagrees with the entry is found at that entry', async (t) => {
    const { dir, chain } = await sampleVault(t);
    const key = createPrivateKey(await readFile(path.join(dir, 'keys', 'vault-ed25519.pem'), 'utf8'));
    await editCheckpoint(dir, 2, (c) => Object.assign(c, signCheckpoint({ ...c, hash: chain[0].hash }, key)));
    const result = await verifyVault(dir, H);
    assert.ok(!result.ok && result.seq === 20 && result.checkpoint === 2 && /vouches for another hash at entry 20/.test(result.reason), JSON.stringify(result));
  });

  test('a history re-chained on disk passes the hash chain but not the signed checkpoints', async (t) => {
    const { dir, chain } = await sampleVault(t);
    const forged = [...chain.slice(0, 14), ...makeChain(H, 16, { seq: 14, hash: chain[13].hash }, 7)];
    for (const first of [11, 21]) {
      const lines = forged.filter((e) => e.seq >= first && e.seq < first + 10).map((e) => JSON.stringify(e));
      await writeFile(seg(dir, first), `${lines.join('\n')}\n`);
    }
    const result = await verifyVault(dir, H);
    assert.ok(!result.ok && result.seq === 20 && result.checkpoint === 2, JSON.stringify(result));
  });

  test("with the auditor's recorded key, a vault re-keyed and re-signed on disk is caught", async (t) => {
    const { dir, publicKey } = await sampleVault(t);
    const attacker = generateKeyPairSync('ed25519');
    const attackerPem = attacker.publicKey.export({ type: 'spki', format: 'pem' }) as string;
    const config = JSON.parse(await readFile(path.join(dir, 'vault.json'), 'utf8'));
    await writeFile(path.join(dir, 'vault.json'), JSON.stringify({ ...config, publicKey: attackerPem, keyId: keyIdOf(attackerPem) }));
    for (const line of [1, 2, 3]) {
      await editCheckpoint(dir, line, (c) => Object.assign(c, signCheckpoint({ ...c, keyId: keyIdOf(attackerPem) }, attacker.privateKey)));
    }
    assert.equal((await verifyVault(dir, H)).ok, true); // the vault's own files agree with themselves
    const audited = await verifyVault(dir, H, { publicKey });
    assert.ok(!audited.ok && audited.checkpoint === 1 && /names key .* not the expected key/.test(audited.reason), JSON.stringify(audited));
  });

  test('a segment that chains within itself but not to the segment before it is found at its first entry', async (t) => {
    const { dir } = await sampleVault(t);
    const stranger = makeChain(H, 10, { seq: 20, hash: 'f'.repeat(64) }, 3);
    await writeFile(seg(dir, 21), `${stranger.map((e) => JSON.stringify(e)).join('\n')}\n`);
    const result = await verifyVault(dir, H);
    assert.ok(!result.ok && result.seq === 21 && result.count === 20, JSON.stringify(result));
    assert.match(result.reason, /^prev_hash does not match the hash of entry 20 \(in demo\/segments\/000000000021\.ndjson\)$/);
  });

  test('a partial last line (an append in progress) is reported, not counted, and not an error', async (t) => {
    const { dir, chain } = await sampleVault(t);
    await writeFile(seg(dir, 21), '{"seq":31,"prev', { flag: 'a' });
    const result = await verifyVault(dir, H);
    assert.ok(result.ok && result.headSeq === 30 && result.headHash === chain[29].hash && result.tornTailBytes === 15, JSON.stringify(result));
  });
});
