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

/**
 * Client-side mirror of an AWS token bucket (EC2 throttles mutating calls per account and region
 * with a bucket of `capacity` tokens refilled at `refillPerSecond`): requests wait for a token
 * here instead of being refused with RequestLimitExceeded and retried with backoff. Starts full,
 * like AWS's. Other tools share the account's bucket, so a throttle can still happen: `drain()`
 * then empties this one so it resynchronises, and the SDK's retry handles that request.
 */
export class TokenBucketLimiter {
  private tokens: number;
  private last: number;
  private queue: Promise<void> = Promise.resolve();

  readonly capacity: number;
  readonly refillPerSecond: number;

  /**
   * `margin` keeps a little under AWS's bucket (one token of burst, 5% of the rate): requests
   * arrive with jitter, and one that lands a few ms early on an empty bucket is refused.
   */
  constructor(
    bucket: { capacity: number; refillPerSecond: number },
    private readonly now: () => number = () => performance.now(),
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    margin = { tokens: 1, rate: 0.05 },
  ) {
    this.capacity = Math.max(1, bucket.capacity - margin.tokens);
    this.refillPerSecond = bucket.refillPerSecond * (1 - margin.rate);
    this.tokens = this.capacity;
    this.last = this.now();
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((t - this.last) / 1000) * this.refillPerSecond);
    this.last = t;
  }

  /** Resolves when the caller may send; callers are served in order. */
  acquire(): Promise<void> {
    const turn = this.queue.then(async () => {
      this.refill();
      if (this.tokens < 1) {
        await this.sleep(((1 - this.tokens) / this.refillPerSecond) * 1000);
        this.refill();
      }
      this.tokens -= 1;
    });
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  drain(): void {
    this.refill();
    this.tokens = Math.min(this.tokens, 0);
  }
}
