/**
 * What we can learn about another process from its PID: enough to tell a live owner from a record
 * left behind by a crash. A PID alone is not trusted: PIDs are reused, and in a container Node is
 * often PID 1 after every restart. Linux answers through /proc; elsewhere we fall back to `ps`.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** True when the process exists and has not exited (a zombie has exited; it just awaits its parent). */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it exists but belongs to another user.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return procStat(pid)?.state !== 'Z';
}

/**
 * When the process started, in clock ticks since boot (Linux), or undefined where unknown. Two
 * processes with the same PID and different start times are different processes.
 */
export function processStartTime(pid: number): string | undefined {
  return procStat(pid)?.startTime;
}

/** Base name of the process's executable (`node`, `postgres`), or undefined if unknown. */
export function processExecutableName(pid: number): string | undefined {
  try {
    // `/usr/bin/node (deleted)` after an upgrade still names node.
    return path.basename(fs.readlinkSync(`/proc/${pid}/exe`)).replace(/ \(deleted\)$/, '');
  } catch {
    /* not Linux, or not ours to inspect */
  }
  try {
    return path.basename(execFileSync('ps', ['-o', 'comm=', '-p', String(pid)], { encoding: 'utf8' }).trim()) || undefined;
  } catch {
    return undefined;
  }
}

/** The process's working directory (a postmaster's is its data directory), or undefined if unknown. */
export function processWorkingDirectory(pid: number): string | undefined {
  try {
    return fs.readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return undefined;
  }
}

function procStat(pid: number): { state: string; startTime: string } | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (comm) is parenthesised and may contain spaces: split after the last ')'.
    // What follows starts at field 3 (state); starttime is field 22.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0], startTime: fields[19] };
  } catch {
    return undefined;
  }
}
