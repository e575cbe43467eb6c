/**
 * The main thread's side of the restore's worker threads (restore-index-worker.ts). They first verify
 * the vault, one run of segments each; then, in the load, they take one contiguous range of entries
 * each, whose COPY blocks are written one at a time into the search index COPY and the other tables'
 * spools; last, they canonicalise resources for the state hash. Workers are started first thing
 * (each loads the FHIR search parameters, about a second).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { FromWorker, IndexJob, ToWorker } from './restore-index-worker.js';
import type { SegmentRun, SegmentRunResult } from './verify-segment-run.js';

export type { IndexJob } from './restore-index-worker.js';

/** Blocks a worker may have on their way before it waits for the main thread (each about 1 MiB). */
const CREDITS = 3;

/**
 * A worker allocates a few hundred bytes of short-lived strings and objects per index row, for
 * millions of rows. With V8's default young generation, garbage collection took a quarter of a
 * worker's time (14.5 of 63 s, profiled at 1 M versions); with 128 MiB it takes about 2 s. The price
 * is up to 128 MiB more memory per worker, for as long as the restore runs.
 */
const YOUNG_GENERATION_MB = 128;

/** Where the workers' COPY text goes, table by table (UTF-8, whole lines). */
export interface IndexSink {
  index(bytes: Uint8Array): Promise<void>;
  versions(bytes: Uint8Array): Promise<void>;
  current(bytes: Uint8Array): Promise<void>;
  keys(bytes: Uint8Array): Promise<void>;
  progress(entries: number, versions: number): void;
}

export class IndexWorkers {
  private readonly ready: Array<Promise<Worker>>;
  private nextAsked = 0;
  private nextQuestion = 0;

  constructor(count = Math.max(1, Math.min(availableParallelism(), 4))) {
    this.ready = Array.from({ length: count }, () => startWorker());
    for (const w of this.ready) w.catch(() => {}); // reported when used
  }

  get size(): number {
    return this.ready.length;
  }

  /** Resolves once every worker has loaded the definitions; throws if one could not start. */
  async whenReady(): Promise<void> {
    await Promise.all(this.ready);
  }

  /** Verifies one run of the vault's segments on the next worker (verifyVault's runSegments). */
  verify(run: SegmentRun): Promise<SegmentRunResult> {
    return this.ask((id) => ({ type: 'verify', id, run }), 'verifying the vault');
  }

  /** The state hash's canonicalize (see stateHash): a chunk of resources on the next worker. */
  canonicalize(resources: Array<string | null>): Promise<string[]> {
    return this.ask((id) => ({ type: 'canonicalize', id, resources }), 'canonicalising resources');
  }

  /**
   * One question to the next worker, matched to its answer by id: several can be on their way to
   * the same worker, and each listener takes only its own answer.
   */
  private async ask<T>(question: (id: number) => ToWorker, doing: string): Promise<T> {
    const worker = await this.ready[this.nextAsked++ % this.ready.length];
    const id = this.nextQuestion++;
    return new Promise<T>((resolve, reject) => {
      const onMessage = (message: FromWorker) => {
        if ((message.type === 'answer' || message.type === 'answerFailed') && message.id === id) {
          settle(() => (message.type === 'answer' ? resolve(message.value as T) : reject(new Error(message.message))));
        }
      };
      const onError = (err: Error) => settle(() => reject(err));
      const onExit = (code: number) => settle(() => reject(new Error(`a restore worker stopped (exit code ${code}) while ${doing}`)));
      const settle = (then: () => void) => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        then();
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      worker.postMessage(question(id));
    });
  }

  /**
   * Runs one job per worker (at most `size` jobs); returns the last hash of each range, the final
   * versions found and the entries carrying audit records.
   */
  async run(jobs: IndexJob[], sink: IndexSink): Promise<{ lastHashes: string[]; finals: number; auditSeqs: number[] }> {
    if (jobs.length > this.ready.length) throw new Error(`${jobs.length} index jobs for ${this.ready.length} workers`);
    let writing = Promise.resolve();
    const results = await Promise.all(jobs.map(async (job, i) => {
      const worker = await this.ready[i];
      return new Promise<{ lastHash: string; finals: number; auditSeqs: number[] }>((resolve, reject) => {
        const send = (message: ToWorker) => worker.postMessage(message);
        const onError = (err: Error) => reject(err);
        const onExit = (code: number) => reject(new Error(`an index worker stopped (exit code ${code}) before it finished its range`));
        worker.on('error', onError);
        worker.on('exit', onExit);
        worker.on('message', function listen(message: FromWorker) {
          if (message.type === 'rows') {
            // One block at a time into the COPY, in whatever order the workers deliver them.
            writing = writing.then(async () => {
              await sink.index(message.index);
              await sink.versions(message.versions);
              await sink.current(message.current);
              if (message.keys.length) await sink.keys(message.keys);
              sink.progress(message.entries, message.versionCount);
              send({ type: 'credit' });
            });
            writing.catch(reject);
            return;
          }
          worker.off('message', listen);
          worker.off('error', onError);
          worker.off('exit', onExit);
          if (message.type === 'done') writing.then(() => resolve({ lastHash: message.lastHash, finals: message.finals, auditSeqs: message.auditSeqs }), reject);
          else reject(new Error(message.type === 'failed' ? message.message : `unexpected message from an index worker: ${message.type}`));
        });
        send({ type: 'job', job });
        for (let c = 0; c < CREDITS; c++) send({ type: 'credit' });
      });
    }));
    return { lastHashes: results.map((r) => r.lastHash), finals: results.reduce((n, r) => n + r.finals, 0), auditSeqs: results.flatMap((r) => r.auditSeqs) };
  }

  async close(): Promise<void> {
    await Promise.all(this.ready.map((w) => w.then((worker) => worker.terminate(), () => {})));
  }
}

/**
 * Under tsx (no build step) a worker has to register tsx itself before it can load a .ts module: the
 * CLI registers it programmatically, which worker threads do not inherit.
 */
function startWorker(): Promise<Worker> {
  const options = { execArgv: [], resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } };
  const here = new URL(import.meta.url);
  const file = new URL(`./restore-index-worker${here.pathname.endsWith('.ts') ? '.ts' : '.js'}`, here);
  const worker = file.pathname.endsWith('.ts')
    ? new Worker(`import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then(({ register }) => { register(); return import(${JSON.stringify(file.href)}); })`, { eval: true, ...options })
    : new Worker(file, options);
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`an index worker exited (${code}) before it was ready`)));
    worker.once('message', (message: FromWorker) => {
      worker.removeAllListeners('error');
      worker.removeAllListeners('exit');
      if (message.type === 'ready') resolve(worker);
      else reject(new Error('an index worker did not start'));
    });
  });
}
