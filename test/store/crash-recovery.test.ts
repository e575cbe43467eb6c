import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase } from '../support/database.js';
import { startNirantar, stopProcess } from '../support/processes.js';

/**
 * kill -9 the server under write load, restart it: every acknowledged write is there and the chain
 * verifies. On the embedded PostgreSQL this also proves the restart cleans up the server the killed
 * process left behind. With DATABASE_URL set, the same runs on that server.
 */
const run = promisify(execFile);
const TOKEN = 'crash-test-token-0123456789abcdef';
const external = Boolean(process.env.DATABASE_URL);

describe('crash recovery', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nirantar-crash-'));
  let storeArgs: string[] = ['--data', dataDir];
  let dropDatabase: (() => Promise<void>) | undefined;
  after(async () => {
    await dropDatabase?.();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const start = (port: number) =>
    startNirantar(['start', '--port', String(port), '--no-seed', ...storeArgs], { NIRANTAR_BOOTSTRAP_TOKEN: TOKEN, DATABASE_URL: '' }, 'is running at');

  test('every acknowledged write survives repeated kill -9 under load, and verify is OK', async () => {
    if (external) {
      const db = await createTestDatabase('nirantar_crash');
      storeArgs = ['--database-url', db.url];
      dropDatabase = db.drop;
    }
    const port = 19000 + Math.floor(Math.random() * 500);
    const acknowledged: string[] = [];
    for (let round = 0; round < 3; round++) {
      const server = await start(port);
      let stop = false;
      const writer = async (w: number) => {
        for (let i = 0; !stop; i++) {
          try {
            const res = await fetch(`http://127.0.0.1:${port}/fhir/R4/Patient`, {
              method: 'POST',
              headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/fhir+json', 'x-request-id': `crash-${round}-${w}-${i}` },
              body: JSON.stringify({ resourceType: 'Patient', name: [{ family: `Crash${round}`, given: [`W${w}N${i}`] }] }),
            });
            if (res.status === 201) acknowledged.push((await res.json()).id);
          } catch {
            return; // the server is gone: this write was never acknowledged
          }
        }
      };
      const writers = Array.from({ length: 8 }, (_, w) => writer(w));
      await new Promise((r) => setTimeout(r, 1500));
      await stopProcess(server, 'SIGKILL');
      stop = true;
      await Promise.all(writers);
    }
    assert.ok(acknowledged.length > 100, `only ${acknowledged.length} writes were acknowledged`);

    const server = await start(port);
    const missing: string[] = [];
    for (const id of acknowledged) {
      const res = await fetch(`http://127.0.0.1:${port}/fhir/R4/Patient/${id}`, { headers: { authorization: `Bearer ${TOKEN}` } });
      if (res.status !== 200) missing.push(id);
    }
    await stopProcess(server, 'SIGTERM');
    assert.deepEqual(missing, [], `${missing.length} of ${acknowledged.length} acknowledged writes are missing`);
    const { stdout } = await run(process.execPath, ['bin/nirantar.js', 'verify', ...storeArgs], { env: { ...process.env, DATABASE_URL: '' } });
    console.log(`crash recovery: ${acknowledged.length} acknowledged writes over 3 kill -9 rounds, all present; ${stdout.trim()}`);
    assert.match(stdout, /^OK \d+ entries/);
  });
});
