/** Running `nirantar <command>` as a real child process in tests: start it, wait until it is ready, stop it. */
import { spawn, type ChildProcess } from 'node:child_process';

/** Starts `node bin/nirantar.js ...args` and resolves once its output contains `ready`. */
export function startNirantar(args: string[], env: Record<string, string>, ready: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['bin/nirantar.js', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      output += d;
      if (output.includes(ready)) resolve(child);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`nirantar ${args[0]} exited (${code}): ${output.slice(-2000)}`)));
  });
}

/** Sends `signal` and waits for the process to exit (at once if it already has). */
export async function stopProcess(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await exited;
}
