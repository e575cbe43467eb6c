import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { FakeReplicationServer } from './fake-replication-server.js';
import { tempDir, waitFor } from './vault-fixtures.js';

/** Each test fails after this long instead of hanging (a vault that never stops would). */
const LIMIT = { timeout: 60_000 };
const SCRIPT = path.join(import.meta.dirname, 'fixtures', 'run-vault-command.ts');

function runCommand(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (d) => (out.stdout += d));
  child.stderr.on('data', (d) => (out.stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out, exited };
}

describe('nirantar vault (the command)', () => {
  test('runs until SIGTERM, stops cleanly, and --verify then says OK; damage makes --verify exit 3', LIMIT, async (t) => {
    const fake = new FakeReplicationServer('demo', 25);
    await fake.start();
    t.after(() => fake.stop());
    const dir = path.join(await tempDir(t), 'vault');
    const run = runCommand(['--dir', dir, '--server', fake.url], { NIRANTAR_VAULT_CREDENTIAL: fake.credential });
    t.after(() => run.child.kill('SIGKILL'));
    await waitFor('entry 25 reported durable', () => fake.durableReports.at(-1)?.seq === 25, 20_000);
    run.child.kill('SIGTERM');
    assert.equal(await run.exited, 0, run.out.stderr);
    assert.match(run.out.stdout, /STOPPED hospital demo: holds entries up to 25 /);
    assert.match(run.out.stderr, /SIGTERM, stopping after the current append/);
    assert.match(run.out.stderr, /event=vault-stopped/);

    const ok = runCommand(['--verify', '--dir', dir]);
    assert.equal(await ok.exited, 0, ok.out.stderr);
    assert.match(ok.out.stdout, /^OK 25 entries, head 25 [0-9a-f]{64}, 1 signed checkpoints up to 25 \(hospital demo\)/);

    const segment = path.join(dir, 'demo', 'segments', '000000000001.ndjson');
    await writeFile(segment, (await readFile(segment, 'utf8')).replace('req-12', 'req-99'));
    const broken = runCommand(['--verify', '--dir', dir]);
    assert.equal(await broken.exited, 3);
    assert.match(broken.out.stdout, /^BROKEN at sequence 12: hash is not sha256/);
  });

  test('bad options exit 2 with the help; --help prints it', LIMIT, async () => {
    const noCredential = runCommand(['--dir', '/nonexistent-vault', '--server', 'http://127.0.0.1:1'], { NIRANTAR_VAULT_CREDENTIAL: '' });
    assert.equal(await noCredential.exited, 2);
    assert.match(noCredential.out.stderr, /a credential is required/);
    const help = runCommand(['--help']);
    assert.equal(await help.exited, 0);
    assert.match(help.out.stdout, /Usage: nirantar vault --dir DIR --server URL/);
  });
});
