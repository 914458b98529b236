/**
 * The REST faces' rate limits: fixed windows per key (a token or an IP), counted in the engine's
 * shared counters (src/engine/rate-counters.ts), so a client's allowance is the same whether one
 * process or several behind a load balancer answer it. The checks of one request (IP, then token)
 * cost one database round trip together.
 */
import type { CounterHit, CounterState } from '../../engine/rate-counters.js';

export interface RateState { limit: number; windowSeconds: number; remaining: number; resetSeconds: number; exceeded: boolean }

/** One limit to check: `limit` 0 = unlimited (not counted). */
export interface RateCheck { key: string; limit: number; windowMs?: number | undefined }

export interface CounterStore { hit(hits: readonly CounterHit[]): Promise<Array<CounterState | null>> }

export class RateLimiter {
  constructor(private readonly store: CounterStore, private readonly windowMs: number) {}

  /**
   * Counts one request against each check, in order; a check after one that is exceeded is not
   * counted. Returns each check's state (undefined: unlimited or not counted).
   */
  async hit(checks: readonly RateCheck[]): Promise<Array<RateState | undefined>> {
    const counted = checks.map((c, i) => ({ c, i })).filter(({ c }) => c.limit > 0);
    const out: Array<RateState | undefined> = checks.map(() => undefined);
    if (counted.length === 0) return out;
    const states = await this.store.hit(counted.map(({ c }) => ({ key: c.key, limit: c.limit, windowMs: c.windowMs ?? this.windowMs })));
    counted.forEach(({ c, i }, k) => {
      const s = states[k];
      if (!s) return;
      const windowMs = c.windowMs ?? this.windowMs;
      out[i] = {
        limit: c.limit,
        windowSeconds: Math.round(windowMs / 1000),
        remaining: Math.max(0, c.limit - s.count),
        resetSeconds: Math.max(1, Math.ceil(s.resetInMs / 1000)),
        exceeded: s.count > c.limit,
      };
    });
    return out;
  }
}
