import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase } from '../support/database.js';
import { VaultStore } from '../../src/vault/vault-store.js';
import { startNirantar, stopProcess } from '../support/processes.js';

/**
 * The real server, the real vault process, ack=vault with fallback 'refuse': kill -9 the server
 * repeatedly under writes; every write the server acknowledged is in the vault, and the vault's
 * chain verifies.
 */
const run = promisify(execFile);
const TOKEN = 'vault-e2e-token-0123456789abcdef';

describe('ack=vault end to end', () => {
  const vaultDir = mkdtempSync(join(tmpdir(), 'nirantar-vault-e2e-'));
  let drop: (() => Promise<void>) | undefined;
  after(async () => {
    await drop?.();
    rmSync(vaultDir, { recursive: true, force: true });
  });

  test('every acknowledged write survives kill -9 of the server and is in the vault', async () => {
    const db = await createTestDatabase('nirantar_vault_e2e');
    drop = db.drop;
    const port = 19500 + Math.floor(Math.random() * 400);
    const serverEnv = { NIRANTAR_BOOTSTRAP_TOKEN: TOKEN, DATABASE_URL: db.url };
    const serverArgs = ['start', '--port', String(port), '--no-seed', '--ack', 'vault', '--vault-fallback', 'refuse', '--vault-timeout', '3000'];
    // The credential is issued before the server first starts (and creates the hospital).
    let server = await startNirantar(serverArgs, serverEnv, 'is running at');
    const { stdout } = await run(process.execPath, ['bin/nirantar.js', 'vault-credential', '--name', 'e2e'], { env: { ...process.env, DATABASE_URL: db.url } });
    const credential = stdout.trim().split('\n').pop()!;
    const vault = await startNirantar(['vault', '--dir', vaultDir, '--server', `http://127.0.0.1:${port}`], { NIRANTAR_VAULT_CREDENTIAL: credential }, 'event=vault-started');

    const acknowledged: string[] = [];
    let refused = 0;
    for (let round = 0; round < 3; round++) {
      if (round > 0) server = await startNirantar(serverArgs, serverEnv, 'is running at');
      let stopWriting = false;
      const writer = async (w: number) => {
        for (let i = 0; !stopWriting; i++) {
          try {
            const res = await fetch(`http://127.0.0.1:${port}/fhir/R4/Patient`, {
              method: 'POST',
              headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/fhir+json', 'x-request-id': `e2e-${round}-${w}-${i}` },
              body: JSON.stringify({ resourceType: 'Patient', name: [{ family: `Vaulted${round}`, given: [`W${w}N${i}`] }] }),
            });
            if (res.status === 201) acknowledged.push((await res.json()).id);
            else refused++;
          } catch {
            return;
          }
        }
      };
      const writers = Array.from({ length: 6 }, (_, w) => writer(w));
      await new Promise((r) => setTimeout(r, 2500));
      await stopProcess(server, 'SIGKILL');
      stopWriting = true;
      await Promise.all(writers);
    }
    // Let the vault catch up with a last, quiet server, then stop both.
    server = await startNirantar(serverArgs, serverEnv, 'is running at');
    for (let i = 0; i < 100; i++) {
      const status = await fetch(`http://127.0.0.1:${port}/api/status`, { headers: { authorization: `Bearer ${TOKEN}` } }).then((r) => r.json()) as any;
      if (status.vault.lagEntries === 0 && status.vault.vault) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    await stopProcess(vault, 'SIGTERM');
    await stopProcess(server, 'SIGTERM');

    assert.ok(acknowledged.length > 50, `only ${acknowledged.length} writes were acknowledged (${refused} refused)`);
    const store = await VaultStore.open(vaultDir);
    const vaulted = new Set<string>();
    for await (const entry of store.readEntries('demo')) {
      for (const v of (JSON.parse(entry.body) as { versions: Array<{ id: string }> }).versions) vaulted.add(v.id);
    }
    await store.close();
    const missing = acknowledged.filter((id) => !vaulted.has(id));
    assert.deepEqual(missing, [], `${missing.length} acknowledged writes are not in the vault`);
    const verified = await run(process.execPath, ['bin/nirantar.js', 'vault', '--verify', '--dir', vaultDir]);
    assert.match(verified.stdout, /OK/);
    console.log(`ack=vault: ${acknowledged.length} acknowledged writes over 3 kill -9 rounds, all in the vault (${refused} answered 503 while the vault reconnected)`);
  });
});
