import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { connectDatabase } from '../../src/store/database.js';
import { startEmbeddedPostgres } from '../../src/store/embedded-postgres.js';
import { isProcessAlive } from '../../src/store/process-probe.js';
import { makeDataDir, postmasterPid, removeDataDir, startChildServer, waitUntil, type ChildServer } from './embedded-test-support.js';

describe('startEmbeddedPostgres', { timeout: 120_000 }, () => {
  const dirs: string[] = [];
  const children: ChildServer[] = [];
  const postmasters: number[] = []; // stopped here if a failing test leaves one behind
  const dataDir = async () => { const d = await makeDataDir(); dirs.push(d); return d; };
  after(async () => {
    for (const c of children) c.child.kill('SIGKILL');
    await Promise.all(children.map((c) => c.exited));
    for (const pid of postmasters) if (isProcessAlive(pid)) process.kill(pid, 'SIGQUIT');
    await waitUntil(() => postmasters.every((pid) => !isProcessAlive(pid)), 15_000);
    for (const d of dirs) await removeDataDir(d);
  });

  test('keeps data across a restart on the same port, refuses a second start, keeps durability on', async () => {
    const dir = await dataDir();
    const first = await startEmbeddedPostgres(dir);
    try {
      const db = connectDatabase(first.adminUrl, { max: 1 });
      await db.query('CREATE TABLE patient_seen (uhid text)');
      await db.query("INSERT INTO patient_seen VALUES ('UHID-1')");
      // Command-line settings outrank ALTER SYSTEM: durability cannot be switched off from SQL.
      await db.query('ALTER SYSTEM SET fsync = off');
      await db.query('SELECT pg_reload_conf()');
      const [settings] = await db.query("SELECT current_setting('fsync') f, current_setting('synchronous_commit') s, current_setting('full_page_writes') p");
      assert.deepEqual(settings, { f: 'on', s: 'on', p: 'on' });
      await db.query('ALTER SYSTEM RESET fsync');
      await db.close();
      await assert.rejects(startEmbeddedPostgres(dir), new RegExp(`already in use by this same process \\(PID ${process.pid}\\)`));
    } finally {
      await first.stop();
    }
    assert.equal(existsSync(path.join(dir, 'nirantar.lock')), false, 'stop() releases the lock');
    assert.equal(postmasterPid(dir), undefined, 'postgres shut down cleanly');

    const second = await startEmbeddedPostgres(dir);
    try {
      assert.equal(second.port, first.port);
      const db = connectDatabase(second.adminUrl, { max: 1 });
      assert.deepEqual(await db.query('SELECT uhid FROM patient_seen'), [{ uhid: 'UHID-1' }]);
      await db.close();
    } finally {
      await second.stop();
    }

    // A power cut leaves postmaster.pid behind; after a reboot its PID may belong to another
    // process of the server's OS user, which PostgreSQL itself takes for a running server.
    const asServerUser = process.getuid?.() === 0
      ? { uid: Number(execFileSync('id', ['-u', 'postgres'])), gid: Number(execFileSync('id', ['-g', 'postgres'])) } : {};
    const impostor = spawn('sleep', ['60'], { ...asServerUser, stdio: 'ignore' });
    try {
      await writeFile(path.join(dir, 'pg', 'postmaster.pid'), `${impostor.pid}\n${dir}/pg\n`);
      const third = await startEmbeddedPostgres(dir);
      await third.stop();
    } finally {
      impostor.kill();
    }
  });

  test('an initialisation interrupted by a crash is redone', async () => {
    const dir = await dataDir();
    await mkdir(path.join(dir, 'pg.init'));
    await writeFile(path.join(dir, 'pg.init', 'PG_VERSION'), '17\n');
    await mkdir(path.join(dir, '.initdb-abc123'));
    await writeFile(path.join(dir, '.initdb-abc123', 'pg-password-x'), 'secret\n');
    const server = await startEmbeddedPostgres(dir);
    try {
      const db = connectDatabase(server.adminUrl, { max: 1 });
      assert.deepEqual(await db.query('SELECT current_database() AS db'), [{ db: 'nirantar' }]);
      await db.close();
    } finally {
      await server.stop();
    }
    assert.deepEqual((await readdir(dir)).sort(), ['pg', 'pg-port', 'pg-superuser-password']);
  });

  test('an explicitly requested port that is taken is refused, and the lock is released', async () => {
    const dir = await dataDir();
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as net.AddressInfo).port;
    try {
      await assert.rejects(startEmbeddedPostgres(dir, { port: taken }), new RegExp(`port ${taken} .* in use`));
      assert.equal(existsSync(path.join(dir, 'nirantar.lock')), false);
    } finally {
      blocker.close();
    }
  });

  test('another live Nirantar process is refused; after it is killed (-9) its orphan server is stopped', async () => {
    const dir = await dataDir();
    const other = await startChildServer(dir);
    children.push(other);
    await assert.rejects(startEmbeddedPostgres(dir), new RegExp(`already in use by process PID ${other.pid}`));

    const orphan = postmasterPid(dir)!;
    postmasters.push(orphan);
    other.child.kill('SIGKILL');
    await other.exited;
    assert.ok(isProcessAlive(orphan), 'precondition: postgres outlives a SIGKILLed Node');

    const server = await startEmbeddedPostgres(dir);
    try {
      assert.equal(isProcessAlive(orphan), false, 'the orphaned postmaster was stopped');
      assert.notEqual(postmasterPid(dir), orphan);
      const db = connectDatabase(server.adminUrl, { max: 1 });
      assert.deepEqual(await db.query('SELECT note FROM written_by_child'), [{ note: 'committed before the signal' }]);
      await db.close();
    } finally {
      await server.stop();
    }
  });

  test('importing the embedded server keeps a process exit code (embedded-postgres forces 0)', () => {
    const script = "await import('./src/store/embedded-postgres.ts'); process.exitCode = 3;";
    const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script],
      { cwd: fileURLToPath(new URL('../../', import.meta.url)), encoding: 'utf8' });
    assert.equal(result.status, 3, result.stderr);
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    test(`${signal} to a Nirantar process stops its server and releases the lock`, async () => {
      const dir = await dataDir();
      const other = await startChildServer(dir);
      children.push(other);
      const postmaster = postmasterPid(dir)!;
      postmasters.push(postmaster);
      other.child.kill(signal);
      await other.exited;
      assert.ok(await waitUntil(() => !isProcessAlive(postmaster), 10_000), 'postgres stopped');
      assert.equal(existsSync(path.join(dir, 'nirantar.lock')), false, 'lock released');
      assert.equal(postmasterPid(dir), undefined, 'clean shutdown removed postmaster.pid');
    });
  }
});
