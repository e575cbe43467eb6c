/**
 * What a crash of Nirantar leaves in a PostgreSQL data directory. After `kill -9` of Node the
 * postmaster it started keeps running unsupervised; after a power cut, postmaster.pid names a
 * process that no longer exists (or a PID since reused by something else). Called only while we
 * hold the data directory lock, so a live postmaster on this directory is an orphan of ours.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isProcessAlive, processExecutableName, processWorkingDirectory } from './process-probe.js';

export type StalePostmasterOutcome = 'none' | 'removed-stale-pid-file' | 'stopped-orphan';

export async function clearStalePostmaster(pgDir: string, log: (line: string) => void): Promise<StalePostmasterOutcome> {
  const pidFile = path.join(pgDir, 'postmaster.pid');
  let text: string;
  try {
    text = await fs.readFile(pidFile, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'none';
    throw err;
  }
  const pid = Number.parseInt(text.split('\n')[0], 10);
  if (await isPostmasterOf(pid, pgDir)) {
    log(`stopping orphaned PostgreSQL server PID ${pid} left behind by an earlier Nirantar process`);
    await stopPostmaster(pid);
    await fs.rm(pidFile, { force: true }); // postgres removes it itself on shutdown; this is belt and braces
    return 'stopped-orphan';
  }
  // Nobody (or an unrelated process that inherited the PID) is behind it; postgres would refuse
  // to start while a live process has that PID, so remove it.
  log(`removing stale ${pidFile} (PID ${pid} is not a running PostgreSQL server on this directory)`);
  await fs.rm(pidFile, { force: true });
  return 'removed-stale-pid-file';
}

async function isPostmasterOf(pid: number, pgDir: string): Promise<boolean> {
  if (!isProcessAlive(pid)) return false;
  if (!/postgres/.test(processExecutableName(pid) ?? 'postgres')) return false;
  // A postmaster's working directory is its data directory (Linux only; elsewhere assume ours).
  const cwd = processWorkingDirectory(pid);
  return cwd === undefined || cwd === (await fs.realpath(pgDir));
}

/**
 * SIGINT is PostgreSQL's "fast" shutdown: open transactions roll back, a checkpoint is written.
 * If that hangs, SIGQUIT ("immediate") is still safe with fsync on: the next start replays WAL.
 * Never SIGKILL: it would leave backends attached to shared memory and block the next start.
 */
async function stopPostmaster(pid: number): Promise<void> {
  for (const [signal, waitMs] of [['SIGINT', 60_000], ['SIGQUIT', 15_000]] as const) {
    try {
      process.kill(pid, signal);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ESRCH') return;
      throw new Error(`cannot stop orphaned PostgreSQL server PID ${pid}: ${(err as Error).message}`, { cause: err });
    }
    const deadline = Date.now() + waitMs;
    while (Date.now() < deadline) {
      if (!isProcessAlive(pid)) return;
      await sleep(50);
    }
  }
  throw new Error(`orphaned PostgreSQL server PID ${pid} did not stop after SIGINT and SIGQUIT; stop it by hand`);
}
