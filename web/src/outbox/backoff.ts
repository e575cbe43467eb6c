/** How long to wait before the next try of an undelivered write: doubling from 1 s up to 30 s. */
export interface BackoffOptions {
  firstMs?: number;
  maxMs?: number;
}

export function retryDelay(attempts: number, { firstMs = 1000, maxMs = 30_000 }: BackoffOptions = {}): number {
  return Math.min(maxMs, firstMs * 2 ** Math.max(0, attempts - 1));
}
