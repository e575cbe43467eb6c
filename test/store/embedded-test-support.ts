/** Temp data directories and child Nirantar processes for the embedded server tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { isProcessAlive } from '../../src/store/process-probe.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const CHILD = fileURLToPath(new URL('./fixtures/embedded-server-child.ts', import.meta.url));

export function makeDataDir(): Promise<string> {
  return mkdtemp(path.join(tmpdir(), 'nirantar-embedded-'));
}

/** Removes the directory, first stopping any postmaster a failed test left running on it. */
export async function removeDataDir(dir: string): Promise<void> {
  const pid = postmasterPid(dir);
  if (pid !== undefined && isProcessAlive(pid)) {
    process.kill(pid, 'SIGQUIT');
    await waitUntil(() => !isProcessAlive(pid), 15_000);
  }
  await rm(dir, { recursive: true, force: true });
}

export function postmasterPid(dir: string): number | undefined {
  const file = path.join(dir, 'pg', 'postmaster.pid');
  return existsSync(file) ? Number.parseInt(readFileSync(file, 'utf8').split('\n')[0], 10) : undefined;
}

export interface ChildServer {
  child: ChildProcess;
  pid: number;
  port: number;
  exited: Promise<void>;
}

/** Starts fixtures/embedded-server-child.ts on `dir` and resolves once its server is up. */
export function startChildServer(dir: string): Promise<ChildServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk) => { stderr += chunk; });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`child did not start:\n${stderr}`)); }, 60_000);
    child.stdout!.on('data', (chunk) => {
      stdout += chunk;
      if (!stdout.includes('\n')) return;
      clearTimeout(timer);
      const { pid, port } = JSON.parse(stdout.split('\n')[0]) as { pid: number; port: number };
      resolve({ child, pid, port, exited });
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`child exited (${code}) before its server was up:\n${stderr}`)); });
  });
}

export async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await sleep(25);
  }
  return condition();
}
