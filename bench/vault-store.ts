/**
 * Vault storage figures (numbers, never pass/fail): append throughput with an fsync per batch of
 * 1000 entries of about 1 KB, the same with batches of 100, and verifyVault's rate over the result.
 *   npx tsx bench/vault-store.ts [entries=200000]
 * The vault directory is made under $TMPDIR (or BENCH_DIR) and removed afterwards.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GENESIS_HASH, sealEntry, type LedgerEntryBody } from '../src/store/ledger-entry.js';
import type { ReplicatedEntry } from '../src/vault/vault-entry.js';
import { VaultStore } from '../src/vault/vault-store.js';
import { verifyVault } from '../src/vault/vault-verify.js';

const total = Number(process.argv[2] ?? 200_000);
const H = 'bench';

function body(seq: number): LedgerEntryBody {
  return {
    hospital: H, seq, time: new Date().toISOString(), actor: 'Practitioner/bench', sourceIp: '10.0.0.1', requestId: `r-${seq}`,
    requestHash: null, interaction: 'create',
    versions: [{ resourceType: 'Observation', id: `o-${seq}`, versionId: 1, lastUpdated: new Date().toISOString(), method: 'POST', deleted: false,
      resource: { resourceType: 'Observation', id: `o-${seq}`, status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '718-7', display: 'Hemoglobin [Mass/volume] in Blood' }] },
        subject: { reference: `Patient/p-${seq % 5000}` }, valueQuantity: { value: 13.5, unit: 'g/dL', system: 'http://unitsofmeasure.org', code: 'g/dL' },
        note: [{ text: 'n'.repeat(80) }] } }],
  };
}

async function run(batch: number, count: number) {
  const dir = await mkdtemp(path.join(process.env.BENCH_DIR ?? tmpdir(), 'nirantar-vault-bench-'));
  try {
    const entries: ReplicatedEntry[] = [];
    let hash = GENESIS_HASH;
    for (let seq = 1; seq <= count; seq++) {
      const sealed = sealEntry(hash, body(seq));
      entries.push({ seq, prev_hash: sealed.prevHash, hash: sealed.hash, body: sealed.body });
      hash = sealed.hash;
    }
    const bytes = entries.reduce((n, e) => n + Buffer.byteLength(JSON.stringify(e)) + 1, 0);
    const store = await VaultStore.open(dir, { create: true });
    await store.bind(H, entries[0].hash, 'bench');
    const started = process.hrtime.bigint();
    for (let i = 0; i < count; i += batch) await store.append(H, entries.slice(i, i + batch));
    const appendMs = Number(process.hrtime.bigint() - started) / 1e6;
    await store.close();
    const verifyStarted = process.hrtime.bigint();
    const result = await verifyVault(dir, H);
    const verifyMs = Number(process.hrtime.bigint() - verifyStarted) / 1e6;
    if (!result.ok || result.count !== count) throw new Error(`verify failed: ${JSON.stringify(result)}`);
    return { batch, count, avgLineBytes: Math.round(bytes / count), appendMs, verifyMs, megabytes: bytes / 1048576 };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

console.log(`node ${process.version}, ${total} entries`);
for (const [batch, count] of [[1000, total], [100, Math.min(total, 50_000)]] as const) {
  const r = await run(batch, count);
  console.log(`append, fsync per batch of ${batch}: ${Math.round(r.count / (r.appendMs / 1000))} entries/s ` +
    `(${(r.megabytes / (r.appendMs / 1000)).toFixed(1)} MB/s; ${r.count} entries of ~${r.avgLineBytes} B in ${r.appendMs.toFixed(0)} ms; ` +
    `${(r.appendMs / Math.ceil(r.count / batch)).toFixed(2)} ms per batch)`);
  if (batch === 1000) console.log(`verifyVault: ${Math.round(r.count / (r.verifyMs / 1000))} entries/s (${(r.megabytes / (r.verifyMs / 1000)).toFixed(1)} MB/s; ${r.verifyMs.toFixed(0)} ms)`);
}
