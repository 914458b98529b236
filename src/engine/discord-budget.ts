/**
 * Discord's rate limits shared by every process on the database (one bot token, several processes).
 * Plain rows and numbers: the Discord face (src/discord/shared-limits.ts) decides what they mean.
 *
 * - Global budget: each process heartbeats a row saying how much of the bot's 50 requests/s it
 *   holds (`slots`) and could use (`demand`). A process changes its own row only while it holds
 *   the bot's advisory lock, after reading every other row, so the live rows never hold more than
 *   the budget between them.
 * - Route buckets: what the processes last learned of a bucket (its limit, what is left, when it
 *   resets), so a process does not send into a bucket another one has emptied. A request reserves
 *   one of what is left before it leaves.
 */
import { sql } from 'kysely';
import type { EngineContext } from './context.js';

export interface BucketReservation {
  /** Sent now, having taken one of what was left (or nothing was known of the bucket). */
  go: boolean;
  /** Not `go`: when the bucket resets. */
  resetAt: Date | null;
}

/** Another live process's row, as the Discord face weighs it. */
export interface ShareRow { slots: number; demand: number }

/** What a process holds after its beat, and how many live processes share the bot (itself included). */
export interface ShareOutcome { slots: number; processes: number }

export function createDiscordBudget(ctx: EngineContext) {
  return {
    /**
     * One beat of this process: under the bot's lock, reads the other live rows (seen within
     * `ttlMs`) and what this process holds, lets `decide` choose what it holds and wants from now
     * on, and writes that with a fresh `seen_at`. `decide` runs inside the lock, so what it takes
     * from what the others leave free cannot be taken by another process at the same moment.
     */
    async share(botKey: string, processId: string, ttlMs: number, decide: (others: ShareRow[], mine: number) => ShareRow): Promise<ShareOutcome> {
      return ctx.db.transaction().execute(async (trx) => {
        await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`discord_rate_shares:${botKey}`}, 0))`.execute(trx);
        // Read after the lock (a fresh snapshot per statement): every earlier beat is visible.
        const now = ctx.now();
        const rows = await trx.selectFrom('discord_rate_shares').select(['process_id', 'seen_at', 'slots', 'demand']).where('bot_key', '=', botKey).execute();
        const cutoff = now.getTime() - ttlMs;
        const others = rows.filter((r) => r.process_id !== processId && new Date(r.seen_at).getTime() > cutoff).map((r) => ({ slots: r.slots, demand: r.demand }));
        // A row of ours that went stale was counted as gone: what it says it holds may be another's now.
        const own = rows.find((r) => r.process_id === processId);
        const mine = own && new Date(own.seen_at).getTime() > cutoff ? own.slots : 0;
        const next = decide(others, mine);
        await trx.insertInto('discord_rate_shares').values({ bot_key: botKey, process_id: processId, seen_at: now, slots: next.slots, demand: next.demand })
          .onConflict((oc) => oc.columns(['bot_key', 'process_id']).doUpdateSet({ seen_at: now, slots: next.slots, demand: next.demand })).execute();
        // Rows of processes gone for long are deleted now and then by whoever beats.
        if (Math.random() < 0.05) {
          await trx.deleteFrom('discord_rate_shares').where('bot_key', '=', botKey).where('seen_at', '<', new Date(now.getTime() - 10 * ttlMs)).execute();
        }
        return { slots: next.slots, processes: others.length + 1 };
      });
    },

    /** This process stops: what it held is free for the others at their next beat. */
    async leave(botKey: string, processId: string): Promise<void> {
      await ctx.db.deleteFrom('discord_rate_shares').where('bot_key', '=', botKey).where('process_id', '=', processId).execute();
    },

    /** Takes one request of `route`'s bucket if it has room (or is unknown or reset); else says when it resets. */
    async reserve(botKey: string, route: string): Promise<BucketReservation> {
      const now = ctx.now();
      const r = await sql<{ remaining: number; reset_at: Date }>`
        WITH cur AS (
          SELECT remaining, reset_at FROM discord_route_buckets WHERE bot_key = ${botKey} AND route = ${route} FOR UPDATE
        ), took AS (
          UPDATE discord_route_buckets SET remaining = remaining - 1
          WHERE bot_key = ${botKey} AND route = ${route} AND (SELECT remaining > 0 AND reset_at > ${now}::timestamptz FROM cur)
          RETURNING 1
        )
        SELECT remaining, reset_at, (SELECT count(*) FROM took) AS took FROM cur`.execute(ctx.db);
      const row = r.rows[0];
      if (!row) return { go: true, resetAt: null };
      const resetAt = new Date(row.reset_at);
      if (resetAt <= now || row.remaining > 0) return { go: true, resetAt: null };
      return { go: false, resetAt };
    },

    /**
     * Records what an answer said of `route`'s bucket: `remaining` left until `resetAfterMs` from
     * now. Within one window the smaller count wins (answers arrive out of order; requests
     * reserved but not yet answered are already taken off).
     */
    async observe(botKey: string, route: string, limit: number, remaining: number, resetAfterMs: number): Promise<void> {
      const now = ctx.now();
      const resetAt = new Date(now.getTime() + resetAfterMs);
      await sql`
        INSERT INTO discord_route_buckets AS b (bot_key, route, bucket_limit, remaining, reset_at)
        VALUES (${botKey}, ${route}, ${limit}::int, ${remaining}::int, ${resetAt}::timestamptz)
        ON CONFLICT (bot_key, route) DO UPDATE SET
          bucket_limit = excluded.bucket_limit,
          remaining = CASE WHEN b.reset_at <= ${now}::timestamptz THEN excluded.remaining ELSE LEAST(b.remaining, excluded.remaining) END,
          reset_at = CASE WHEN b.reset_at <= ${now}::timestamptz THEN excluded.reset_at ELSE GREATEST(b.reset_at, excluded.reset_at) END`.execute(ctx.db);
    },

    /** Channels with a bucket spent right now: the outbox leaves their jobs for later. */
    async spentChannels(botKey: string): Promise<string[]> {
      const rows = await ctx.db.selectFrom('discord_route_buckets').select('route')
        .where('bot_key', '=', botKey).where('remaining', '<=', 0).where('reset_at', '>', ctx.now()).execute();
      const out = new Set<string>();
      for (const r of rows) {
        const id = /\/channels\/(\d+)/.exec(r.route)?.[1];
        if (id) out.add(id);
      }
      return [...out];
    },
  };
}

export type DiscordBudget = ReturnType<typeof createDiscordBudget>;
