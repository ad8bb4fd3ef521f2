/**
 * Spaces request starts evenly so a quota of N requests per second is never exceeded, instead of
 * bursting into throttling and backing off. A small margin absorbs timer and network jitter: two
 * requests sent 500 ms apart can arrive 499 ms apart.
 */
export class IntervalLimiter {
  private next = 0;
  readonly intervalMs: number;

  constructor(
    perSecond: number,
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = (ms) =>
      new Promise((resolve) => setTimeout(resolve, ms)),
    marginMs = 25,
  ) {
    this.intervalMs = 1000 / perSecond + marginMs;
  }

  /** Resolves when the caller may start its request. */
  async acquire(): Promise<void> {
    const now = this.now();
    const at = Math.max(now, this.next);
    this.next = at + this.intervalMs;
    if (at > now) await this.sleep(at - now);
  }
}
