/**
 * CPU time of processes, from /proc (Linux only; 0 elsewhere), for benchmarks that tell the server's
 * work from the database's on a small machine: what an access record or a request costs each side.
 */
import { readFileSync } from 'node:fs';
import type pg from 'pg';

/** CPU seconds (user + system) of a process; 0 where /proc cannot tell. */
export function cpuSeconds(pid: number): number {
  return statSeconds(pid, 11, 12);
}

/**
 * The sum of two clock-tick fields of /proc/PID/stat, in seconds; 0 where /proc cannot tell. Fields
 * are counted after the command name (which may hold spaces): 11, 12 are utime, stime; 13, 14 the
 * ended children's cutime, cstime.
 */
function statSeconds(pid: number | 'self', a: number, b: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
    return (Number(fields[a]) + Number(fields[b])) / 100;
  } catch {
    return 0;
  }
}

/**
 * CPU seconds of each PostgreSQL process working for the benchmark: the backends of its database and
 * the cluster's background processes (WAL writer, checkpointer…), not the backends of other databases
 * (the machine, and the cluster, may be shared).
 */
export async function postgresCpu(monitor: pg.Client, database: string): Promise<Map<number, number>> {
  const rows = (await monitor.query<{ pid: number }>(
    "SELECT pid FROM pg_stat_activity WHERE (datname = $1 OR backend_type NOT IN ('client backend', 'autovacuum worker')) AND pid <> pg_backend_pid()", [database])).rows;
  return new Map(rows.map((r) => [r.pid, cpuSeconds(r.pid)]));
}

/** CPU seconds spent between two postgresCpu readings (processes that ended in between are not counted). */
export function cpuDelta(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, seconds] of after) total += seconds - (before.get(pid) ?? 0);
  return total;
}

/**
 * CPU seconds the whole machine spent busy (every state but idle and iowait), from /proc/stat; 0
 * elsewhere. Around a step that has the machine to itself, it is the step's whole cost: its client
 * and every PostgreSQL process, including backends that ended within it (which per-process readings
 * miss).
 */
export function machineBusySeconds(): number {
  try {
    const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).map(Number);
    const [user, nice, system, , , irq, softirq, steal] = ticks;
    return (user + nice + system + irq + softirq + steal) / 100;
  } catch {
    return 0;
  }
}

/** CPU seconds of this process's children that have ended (and been waited for), from /proc/self/stat. */
export function endedChildrenCpuSeconds(): number {
  return statSeconds('self', 13, 14);
}
