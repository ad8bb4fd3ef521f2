// Rate limiting and randomness for the stand-in: token buckets (EC2), a sliding one-second window (CloudTrail
// LookupEvents and any action given a per-second limit), a window counter for tests, and a seeded PRNG.

export interface BucketConfig {
  /** burst size: the bucket starts full */
  capacity: number;
  /** tokens added per second, continuously */
  refillPerSecond: number;
}

/** A token bucket: each request takes one token; with less than one token left the request is throttled. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly config: BucketConfig,
    now: number,
  ) {
    this.tokens = config.capacity;
    this.last = now;
  }

  /** Takes a token if there is one. `now` in milliseconds (monotonic). */
  take(now: number): boolean {
    const elapsed = Math.max(0, now - this.last) / 1000;
    this.last = now;
    this.tokens = Math.min(this.config.capacity, this.tokens + elapsed * this.config.refillPerSecond);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    return false;
  }
}

/**
 * At most `limit` accepted requests in any window of `windowMs`: a request is accepted when fewer than `limit`
 * requests were accepted during the `windowMs` before it. Throttled requests do not count.
 */
export class SlidingWindow {
  private readonly accepted: number[] = [];

  constructor(
    readonly limit: number,
    private readonly windowMs = 1000,
  ) {}

  tryAcquire(now: number): boolean {
    while (this.accepted.length > 0 && (this.accepted[0] ?? 0) <= now - this.windowMs) this.accepted.shift();
    if (this.accepted.length >= this.limit) return false;
    this.accepted.push(now);
    return true;
  }
}

/** The largest number of timestamps (ms) that fall inside any half-open window [t, t + windowMs). */
export function maxInWindow(times: readonly number[], windowMs = 1000): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    const t = sorted[end] ?? 0;
    while ((sorted[start] ?? 0) <= t - windowMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

/** mulberry32: tiny, fast, and the same sequence for the same seed on every platform. */
export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}
