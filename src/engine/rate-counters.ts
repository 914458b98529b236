/**
 * Fixed-window request counters shared by every process on the database (the REST faces' rate
 * limits): one row per key, counting from the key's first request in a window. One statement per
 * request whatever the number of keys checked: each key is upserted (`INSERT … ON CONFLICT DO
 * UPDATE … RETURNING`, atomic under the row's lock), in order, and a key after one that went over
 * its limit is not counted (as when the checks ran one by one and the first refusal ended the
 * request). PostgreSQL and PGlite run the same SQL.
 */
import { sql, type RawBuilder } from 'kysely';
import type { EngineContext } from './context.js';
import { translateDbError } from './tx.js';

export interface CounterHit {
  key: string;
  /** Requests allowed per window (> 0). */
  limit: number;
  windowMs: number;
}

export interface CounterState {
  /** Requests counted in this window, this one included. */
  count: number;
  /** Time until the window resets, ms (≥ 0). */
  resetInMs: number;
}

/** How long a finished window's row is kept before the periodic clean-up deletes it. */
const KEEP_EXPIRED_MS = 60_000;

export function createRateCounters(ctx: EngineContext) {
  let lastCleanup = 0;

  function upsert(h: CounterHit, now: Date, guard: RawBuilder<unknown> | null): RawBuilder<unknown> {
    const resetAt = new Date(now.getTime() + h.windowMs);
    const source = guard
      ? sql`SELECT ${h.key}::text, 1, ${resetAt}::timestamptz WHERE ${guard}`
      : sql`VALUES (${h.key}::text, 1, ${resetAt}::timestamptz)`;
    return sql`INSERT INTO rate_counters AS r (key, count, reset_at) ${source}
      ON CONFLICT (key) DO UPDATE SET
        count = CASE WHEN r.reset_at <= ${now}::timestamptz THEN 1 ELSE r.count + 1 END,
        reset_at = CASE WHEN r.reset_at <= ${now}::timestamptz THEN excluded.reset_at ELSE r.reset_at END
      RETURNING r.count, r.reset_at`;
  }

  return {
    /**
     * Counts one request against each key in order; a key after one whose count went over its
     * limit is left uncounted (null). One round trip.
     */
    async hit(hits: readonly CounterHit[]): Promise<Array<CounterState | null>> {
      if (hits.length === 0) return [];
      const now = ctx.now();
      const ctes: RawBuilder<unknown>[] = [];
      const selects: RawBuilder<unknown>[] = [];
      hits.forEach((h, i) => {
        const name = sql.raw(`h${i}`);
        const prev = i > 0 ? hits[i - 1]! : null;
        const guard = prev ? sql`(SELECT count FROM ${sql.raw(`h${i - 1}`)}) <= ${prev.limit}::int` : null;
        ctes.push(sql`${name} AS (${upsert(h, now, guard)})`);
        selects.push(sql`SELECT ${i}::int AS i, count, reset_at FROM ${name}`);
      });
      try {
        const rows = (await sql<{ i: number; count: number; reset_at: Date }>`WITH ${sql.join(ctes, sql`, `)} ${sql.join(selects, sql` UNION ALL `)}`
          .execute(ctx.db)).rows;
        const out: Array<CounterState | null> = hits.map(() => null);
        for (const r of rows) {
          out[Number(r.i)] = { count: Number(r.count), resetInMs: Math.max(0, new Date(r.reset_at).getTime() - now.getTime()) };
        }
        this.cleanupSoon(now);
        return out;
      } catch (err) {
        throw translateDbError(err);
      }
    },

    /** Deletes windows that ended a while ago, at most once a minute per process, off the request's path. */
    cleanupSoon(now: Date): void {
      if (now.getTime() - lastCleanup < KEEP_EXPIRED_MS) return;
      lastCleanup = now.getTime();
      ctx.db.deleteFrom('rate_counters').where('reset_at', '<', new Date(now.getTime() - KEEP_EXPIRED_MS)).execute().catch(() => {});
    },
  };
}

export type RateCounters = ReturnType<typeof createRateCounters>;
