/**
 * Fixed-window request counters, per key (a token or an IP), in process memory. Cheap enough to
 * run on every request; several server processes each count their own share.
 */
export interface RateState { limit: number; windowSeconds: number; remaining: number; resetSeconds: number; exceeded: boolean }

interface Window { count: number; resetAt: number }

export class RateLimiter {
  private readonly windows = new Map<string, Window>();
  private lastSweep = 0;

  constructor(private readonly windowMs: number, private readonly now: () => number = Date.now) {}

  /** Counts one request for `key` against `limit` (0 = unlimited → undefined) in a window of `windowMs`. */
  hit(key: string, limit: number, windowMs: number = this.windowMs): RateState | undefined {
    if (limit <= 0) return undefined;
    const now = this.now();
    this.sweep(now);
    let w = this.windows.get(key);
    if (!w || w.resetAt <= now) {
      w = { count: 0, resetAt: now + windowMs };
      this.windows.set(key, w);
    }
    w.count++;
    return {
      limit,
      windowSeconds: Math.round(windowMs / 1000),
      remaining: Math.max(0, limit - w.count),
      resetSeconds: Math.max(1, Math.ceil((w.resetAt - now) / 1000)),
      exceeded: w.count > limit,
    };
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < this.windowMs) return;
    this.lastSweep = now;
    for (const [key, w] of this.windows) if (w.resetAt <= now) this.windows.delete(key);
  }
}
