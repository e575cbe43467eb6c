/**
 * Retry pacing for the pull loop: doubling from `minMs` to `maxMs`, with jitter so that several
 * vaults (or hospitals) coming back after an outage do not knock on the server in step. The vault
 * must ride out a server that is down for hours, so it never gives up; it only waits longer.
 */
export class Backoff {
  private failures = 0;

  constructor(private readonly minMs: number, private readonly maxMs: number) {}

  get attempts(): number {
    return this.failures;
  }

  /** The wait before the next attempt after one more failure. */
  next(): number {
    const base = Math.min(this.maxMs, this.minMs * 2 ** Math.min(this.failures, 30));
    this.failures++;
    return Math.round(base * (0.8 + Math.random() * 0.4));
  }

  reset(): void {
    this.failures = 0;
  }
}

/** Waits `ms`, or less if `signal` aborts (it resolves then; the caller checks the signal). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
