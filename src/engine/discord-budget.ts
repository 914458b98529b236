/**
 * Discord's rate limits shared by every process on the database (one bot token, several processes).
 * Plain rows and numbers: the Discord face (src/discord/shared-limits.ts) decides what they mean.
 *
 * - Global budget: each process heartbeats a row; the live rows divide the bot's 50 requests/s.
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

export function createDiscordBudget(ctx: EngineContext) {
  return {
    /** Marks this process alive; returns how many processes (this one included) are alive. */
    async heartbeat(botKey: string, processId: string, ttlMs: number): Promise<number> {
      const now = ctx.now();
      const cutoff = new Date(now.getTime() - ttlMs);
      const r = await sql<{ others: number | string }>`
        WITH me AS (
          INSERT INTO discord_rate_shares (bot_key, process_id, seen_at) VALUES (${botKey}, ${processId}, ${now}::timestamptz)
          ON CONFLICT (bot_key, process_id) DO UPDATE SET seen_at = excluded.seen_at
          RETURNING process_id
        )
        SELECT (SELECT count(*) FROM discord_rate_shares WHERE bot_key = ${botKey} AND process_id <> ${processId} AND seen_at > ${cutoff}::timestamptz) AS others,
               (SELECT count(*) FROM me) AS written`.execute(ctx.db);
      // Rows of processes gone for long are deleted now and then by whoever beats.
      if (Math.random() < 0.05) {
        await ctx.db.deleteFrom('discord_rate_shares').where('bot_key', '=', botKey).where('seen_at', '<', new Date(now.getTime() - 10 * ttlMs)).execute();
      }
      return Number(r.rows[0]?.others ?? 0) + 1;
    },

    /** This process stops: the others take its share at their next heartbeat. */
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
