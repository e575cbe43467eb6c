/**
 * A sliding-window counter: how many patient records one principal read in the last `windowMs`,
 * and how long until that falls back to a limit. Exact to the millisecond (reads in the same
 * millisecond share one entry), so Retry-After is the true wait, not a bucket's edge.
 */
export class ReadWindow {
  private times: number[] = [];
  private counts: number[] = [];
  private head = 0;
  private sum = 0;

  constructor(private readonly windowMs: number) {}

  add(at: number, count: number): void {
    const last = this.times.length - 1;
    if (last >= this.head && this.times[last] === at) this.counts[last] += count;
    else {
      this.times.push(at);
      this.counts.push(count);
    }
    this.sum += count;
  }

  /** Records read in (now - windowMs, now]. */
  total(now: number): number {
    this.expire(now);
    return this.sum;
  }

  /** Milliseconds until the total is at most `limit` again, if nothing more is read (0: it already is). */
  waitUntilAtMost(limit: number, now: number): number {
    let total = this.total(now);
    for (let i = this.head; i < this.times.length && total > limit; i++) {
      total -= this.counts[i];
      if (total <= limit) return this.times[i] + this.windowMs - now;
    }
    return 0;
  }

  private expire(now: number): void {
    while (this.head < this.times.length && this.times[this.head] <= now - this.windowMs) {
      this.sum -= this.counts[this.head];
      this.head++;
    }
    // Compact now and then, so a busy principal's arrays do not grow for ever.
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.counts = this.counts.slice(this.head);
      this.head = 0;
    }
  }
}
