/**
 * Discord's identify limit shared by every process of a bot: a bot may start `max_concurrency`
 * gateway sessions per 5 s, one per bucket (shard_id % max_concurrency). A session start reserves
 * the next free moment of its bucket in one statement (the row's `next_at` moves one window on), so
 * no two starts, in any process, get the same moment; the caller waits until its moment. Times are
 * the database's clock, as for the shard leases.
 *
 * Hand-written rather than a library: one small table and one statement on the database every
 * process already shares, the same on PostgreSQL and PGlite.
 */
import { sql } from 'kysely';
import type { EngineContext } from './context.js';

/** A reserved moment: how long from now until it, and the reservation (for giving it back). */
export interface IdentifySlot { waitMs: number; reservation: string }

export function createIdentifySlots(ctx: EngineContext) {
  const windowOf = (windowMs: number) => sql<Date>`${windowMs} * interval '1 millisecond'`;
  return {
    /**
     * Reserves the next moment `bucket` may identify, `windowMs` after the one reserved before it
     * (or now, when the last is older than that).
     */
    async reserve(botKey: string, bucket: number, windowMs: number): Promise<IdentifySlot> {
      const window = windowOf(windowMs);
      const row = await ctx.db.insertInto('gateway_identify_slots')
        .values({ bot_key: botKey, bucket, next_at: sql<Date>`now() + ${window}` })
        .onConflict((oc) => oc.columns(['bot_key', 'bucket']).doUpdateSet({ next_at: sql<Date>`greatest(gateway_identify_slots.next_at, now()) + ${window}` }))
        .returning([
          // The reserved moment is one window before the new next_at.
          sql<number>`greatest(0, extract(epoch from (gateway_identify_slots.next_at - now())) * 1000 - ${windowMs})::float8`.as('wait_ms'),
          sql<string>`gateway_identify_slots.next_at::text`.as('reservation'),
        ])
        .executeTakeFirstOrThrow();
      return { waitMs: Math.ceil(Number(row.wait_ms)), reservation: row.reservation };
    },

    /**
     * A start that will not happen (its shard stopped while waiting) gives its moment back, when it
     * is still the last one reserved and not yet come: the next start of the bucket need not wait
     * for it. One reserved after it keeps its moment, and so this one stays taken.
     */
    async giveBack(botKey: string, bucket: number, reservation: string, windowMs: number): Promise<boolean> {
      const window = windowOf(windowMs);
      const r = await ctx.db.updateTable('gateway_identify_slots')
        .set({ next_at: sql<Date>`next_at - ${window}` })
        .where('bot_key', '=', botKey).where('bucket', '=', bucket)
        .where('next_at', '=', sql<Date>`${reservation}::timestamptz`)
        .where(sql<boolean>`next_at - ${window} > now()`)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
  };
}

export type IdentifySlots = ReturnType<typeof createIdentifySlots>;
