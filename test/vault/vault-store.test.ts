import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, readdir, readFile, stat, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { VaultStore } from '../../src/vault/vault-store.js';
import { VaultCorruption, VaultRefusal } from '../../src/vault/vault-errors.js';
import { verifyVault } from '../../src/vault/vault-verify.js';
import { captureLog, entryBody, headOf, makeChain, tempDir } from './vault-fixtures.js';
import { sealEntry } from '../../src/store/ledger-entry.js';

const H = 'demo';

async function newVault(dir: string, options = {}) {
  const store = await VaultStore.open(dir, { create: true, segmentMaxEntries: 7, ...options });
  return store;
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** Every file under dir with its bytes, to prove a refused batch wrote nothing. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of await readdir(dir, { recursive: true })) {
    const file = path.join(dir, name);
    if ((await stat(file)).isFile()) out[name] = (await readFile(file)).toString('base64');
  }
  return out;
}

describe('VaultStore', () => {
  test('appends over several segments, reads back, verifies, and carries on after reopening', async (t) => {
    const dir = await tempDir(t);
    const chain = makeChain(H, 40);
    let store = await newVault(dir);
    await store.bind(H, chain[0].hash, 'http://server');
    await store.append(H, chain.slice(0, 10));
    await store.append(H, chain.slice(10, 15));
    assert.deepEqual(await store.append(H, chain.slice(15, 35)), headOf(chain.slice(0, 35)));
    assert.deepEqual(await readdir(path.join(dir, H, 'segments')), ['000000000001.ndjson', '000000000008.ndjson', '000000000015.ndjson', '000000000022.ndjson', '000000000029.ndjson']);
    assert.deepEqual(await collect(store.readEntries(H)), chain.slice(0, 35));
    assert.deepEqual((await collect(store.readEntries(H, 20))).map((e) => e.seq), Array.from({ length: 15 }, (_, i) => 21 + i));
    await store.close();

    store = await newVault(dir);
    assert.deepEqual(await store.head(H), headOf(chain.slice(0, 35)));
    assert.deepEqual(store.hospitals(), [H]);
    await store.append(H, chain.slice(35));
    await store.close();
    const result = await verifyVault(dir, H);
    assert.deepEqual(result, { ok: true, count: 40, headSeq: 40, headHash: chain[39].hash, checkpoints: 0, checkpointedSeq: 0, tornTailBytes: 0 });
  });

  test('rolls to a new segment by size as well as by count', async (t) => {
    const dir = await tempDir(t);
    const chain = makeChain(H, 12, undefined, 1000); // ~1.4 KB lines
    const store = await newVault(dir, { segmentMaxEntries: 100_000, segmentMaxBytes: 4096 });
    await store.bind(H, chain[0].hash, 'http://server');
    await store.append(H, chain);
    const names = await readdir(path.join(dir, H, 'segments'));
    assert.ok(names.length >= 4, `expected several segments, got ${names}`);
    for (const name of names) assert.ok((await stat(path.join(dir, H, 'segments', name))).size <= 4096);
    assert.deepEqual(await collect(store.readEntries(H)), chain);
    await store.close();
  });

  test('refuses a batch that does not continue the chain, naming the entry, and writes nothing', async (t) => {
    const dir = await tempDir(t);
    const chain = makeChain(H, 12);
    const store = await newVault(dir);
    await store.bind(H, chain[0].hash, 'http://server');
    await store.append(H, chain.slice(0, 6));
    const before = await snapshot(dir);
    const e7 = chain[6];
    const forked = makeChain(H, 7, undefined, 5)[6]; // an entry 7 of another history
    const cases: Array<[string, unknown[], RegExp, number]> = [
      ['wrong prev_hash', [{ ...e7, prev_hash: forked.prev_hash }], /entry 7: prev_hash does not match the vault's entry 6 — the server's history differs/, 7],
      ['wrong hash', [{ ...e7, body: e7.body.replace('req-7', 'req-X') }], /entry 7: hash does not match sha256\(prev_hash \+ body\)/, 7],
      ['a gap', [chain[7]], /entry 7: entries 7\.\.7 are missing/, 7],
      ['a repeat', [chain[5]], /entry 7: entry 6 appears where entry 7 was expected/, 7],
      ['bad entry in the middle of a batch', [e7, chain[7], { ...chain[8], hash: chain[9].hash }, chain[9]], /entry 9: hash does not match/, 9],
      ['body naming another seq', [reseal(e7.prev_hash, { ...entryBody(H, 7), seq: 8 }, 7)], /entry 7: body names sequence number 8/, 7],
      ['body naming another hospital', [reseal(e7.prev_hash, entryBody('other', 7), 7)], /entry 7: body names hospital "other"/, 7],
    ];
    for (const [name, batch, message, seq] of cases) {
      await assert.rejects(store.append(H, batch as never), (err: unknown) => {
        assert.ok(err instanceof VaultRefusal, name);
        assert.match(err.message, message, name);
        assert.equal(err.seq, seq, name);
        return true;
      });
    }
    assert.deepEqual(await snapshot(dir), before);
    assert.equal((await store.head(H)).seq, 6);
    await store.append(H, chain.slice(6)); // the real continuation is still accepted
    assert.equal((await store.head(H)).seq, 12);
    await store.close();
  });

  test('cuts a torn final line (a crash mid-append) on open, logs it, and carries on', async (t) => {
    const dir = await tempDir(t);
    const chain = makeChain(H, 10);
    let store = await newVault(dir);
    await store.bind(H, chain[0].hash, 'http://server');
    await store.append(H, chain.slice(0, 9));
    await store.close();
    const last = path.join(dir, H, 'segments', '000000000008.ndjson');
    const intact = await readFile(last);
    await appendFile(last, JSON.stringify(chain[9]).slice(0, 50)); // the prefix of entry 10, no newline
    const captured = captureLog();
    store = await newVault(dir, { log: captured.log });
    assert.deepEqual(await store.head(H), headOf(chain.slice(0, 9)));
    assert.equal(captured.count('torn-tail-cut'), 1);
    assert.match(captured.lines[0], /file=demo\/segments\/000000000008\.ndjson bytes=50/);
    assert.deepEqual(await readFile(last), intact);
    await store.append(H, chain.slice(9));
    await store.close();
    assert.equal((await verifyVault(dir, H)).ok, true);
  });

  test('an empty last segment (a crash right after a roll) is carried on; a misnamed one is refused', async (t) => {
    const dir = await tempDir(t);
    const chain = makeChain(H, 10);
    let store = await newVault(dir);
    await store.bind(H, chain[0].hash, 'http://server');
    await store.append(H, chain.slice(0, 7)); // segment 1 is full (7 entries)
    await store.close();
    await writeFile(path.join(dir, H, 'segments', '000000000008.ndjson'), '');
    store = await newVault(dir);
    assert.equal((await store.head(H)).seq, 7);
    await store.append(H, chain.slice(7));
    await store.close();
    assert.equal((await readFile(path.join(dir, H, 'segments', '000000000008.ndjson'), 'utf8')).split('\n').length, 4);
    assert.equal((await verifyVault(dir, H)).ok, true);
    await writeFile(path.join(dir, H, 'segments', '000000000012.ndjson'), '');
    await writeFile(path.join(dir, H, 'segments', '000000000013.ndjson'), '');
    store = await newVault(dir);
    await assert.rejects(store.head(H), /000000000012\.ndjson is damaged at entry 11: the segment is empty/);
    await store.close();
    await assert.rejects(VaultStore.open(path.join(dir, 'nowhere')), /not a vault \(no such directory\)/);
  });

  test('refuses damage that a crash cannot explain, instead of repairing it', async (t) => {
    const dir = await tempDir(t);
    const chain = makeChain(H, 20);
    let store = await newVault(dir);
    await store.bind(H, chain[0].hash, 'http://server');
    await store.append(H, chain);
    await store.close();
    // A partial line at the end of a segment that is not the last one.
    const middle = path.join(dir, H, 'segments', '000000000008.ndjson');
    const text = await readFile(middle, 'utf8');
    await writeFile(middle, text.slice(0, -20));
    store = await newVault(dir);
    await assert.rejects(store.head(H), (err: unknown) => err instanceof VaultCorruption && /000000000008\.ndjson is damaged at entry 8: it ends in the middle/.test(err.message));
    await assert.rejects(store.append(H, makeChain(H, 1, headOf(chain))), VaultCorruption);
    await store.close();
    assert.equal(await readFile(middle, 'utf8'), text.slice(0, -20)); // left as found
  });

  test('binding: the same hospital from another history is refused, and the binding survives restarts', async (t) => {
    const dir = await tempDir(t);
    const ours = makeChain(H, 3);
    const theirs = makeChain(H, 3, undefined, 1);
    let store = await newVault(dir);
    await store.bind(H, ours[0].hash, 'http://server-a');
    await store.append(H, ours);
    await store.close();
    store = await newVault(dir);
    await store.bind(H, ours[0].hash, 'http://server-moved'); // same history, new address: fine
    await assert.rejects(store.bind(H, theirs[0].hash, 'http://server-b'), /another hospital's server, or a history rewritten from its first entry/);
    await assert.rejects(store.append('other', makeChain('other', 1)), /not bound/);
    assert.equal(store.binding(H)?.firstServer, 'http://server-a');
    await store.close();
    const config = JSON.parse(await readFile(path.join(dir, 'vault.json'), 'utf8'));
    assert.equal(config.hospitals.demo.genesisHash, ours[0].hash);
  });

  test('initialises an empty directory only; the key is private; one process per directory', async (t) => {
    const dir = await tempDir(t);
    const store = await VaultStore.open(path.join(dir, 'v'), { create: true });
    const config = JSON.parse(await readFile(path.join(dir, 'v', 'vault.json'), 'utf8'));
    assert.equal(config.vaultId, store.vaultId);
    assert.equal(config.retentionDays, 3650);
    assert.match(config.publicKey, /BEGIN PUBLIC KEY/);
    assert.equal((await stat(path.join(dir, 'v', 'keys', 'vault-ed25519.pem'))).mode & 0o777, 0o600);
    await assert.rejects(VaultStore.open(path.join(dir, 'v')), /already in use/);
    await store.close();
    await mkdir(path.join(dir, 'busy'));
    await writeFile(path.join(dir, 'busy', 'notes.txt'), 'x');
    await assert.rejects(VaultStore.open(path.join(dir, 'busy'), { create: true }), /not empty and holds no vault.json/);
    await assert.rejects(VaultStore.open(path.join(dir, 'busy')), /not a vault/);
  });

  test('checkpoints every N entries or T ms, only when something is new', async (t) => {
    const dir = await tempDir(t);
    const chain = makeChain(H, 12);
    const store = await newVault(dir, { checkpointEveryEntries: 5, checkpointEveryMs: 10_000 });
    await store.bind(H, chain[0].hash, 'http://server');
    const t0 = new Date('2025-06-01T00:00:00Z');
    const at = (ms: number) => new Date(t0.getTime() + ms);
    assert.equal(await store.checkpointIfDue(H, t0), undefined); // nothing held yet
    await store.append(H, chain.slice(0, 1));
    assert.equal((await store.checkpointIfDue(H, t0))?.seq, 1); // first one: no earlier checkpoint
    await store.append(H, chain.slice(1, 4));
    assert.equal(await store.checkpointIfDue(H, at(1000)), undefined);
    await store.append(H, chain.slice(4, 6));
    assert.equal((await store.checkpointIfDue(H, at(2000)))?.seq, 6); // 5 new entries
    await store.append(H, chain.slice(6, 7));
    assert.equal(await store.checkpointIfDue(H, at(11_000)), undefined);
    assert.equal((await store.checkpointIfDue(H, at(12_000)))?.seq, 7); // 10 s since the last
    assert.equal(await store.checkpointIfDue(H, at(60_000)), undefined); // nothing new
    await store.close();
    const lines = (await readFile(path.join(dir, H, 'checkpoints.ndjson'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(lines.map((c) => c.seq), [1, 6, 7]);
    assert.deepEqual(Object.keys(lines[0]), ['hospital', 'seq', 'hash', 'time', 'vaultId', 'keyId', 'signature']);
    const verified = await verifyVault(dir, H);
    assert.ok(verified.ok && verified.checkpoints === 3 && verified.checkpointedSeq === 7);
  });
});

function reseal(prevHash: string, body: ReturnType<typeof entryBody>, seq: number) {
  const sealed = sealEntry(prevHash, body);
  return { seq, prev_hash: prevHash, hash: sealed.hash, body: sealed.body };
}
