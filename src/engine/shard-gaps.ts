/**
 * What a process taking over a gateway shard must read back from Discord: the channels (ticket
 * channel or thread, and staff notes thread) of the shard's open tickets, each with the time of the
 * newest line the transcript holds there. Messages written while no process ran the shard are
 * newer than that.
 */
import { sql } from 'kysely';
import type { EngineContext } from './context.js';

export interface GapChannel {
  guild_id: string;
  ticket_id: string;
  channel_id: string;
  /** The newest recorded line in this channel, else when the ticket was made. */
  since: Date;
}

/** The shard (of `count`) that hears a guild: Discord's (guild_id >> 22) % count. */
export function shardOfGuild(guildId: string, count: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(count));
}

const CHUNK = 500;

export function createShardGaps(ctx: EngineContext) {
  return {
    /** The open tickets' channels in the guilds of shard `shardId` of `count`. */
    async openTicketChannels(shardId: number, count: number): Promise<GapChannel[]> {
      const tickets = await ctx.db.selectFrom('tickets')
        .select(['id', 'guild_id', 'channel_id', 'thread_id', 'notes_thread_id', 'created_at'])
        .where('status', '=', 'open').where('deleted_at', 'is', null)
        .where((eb) => eb.or([eb('channel_id', 'is not', null), eb('thread_id', 'is not', null)]))
        // Discord's shard formula on text snowflakes; numeric so no id can overflow.
        .where(sql<boolean>`CASE WHEN guild_id ~ '^[0-9]{1,20}$' THEN mod(div(guild_id::numeric, 4194304), ${count}) = ${shardId} ELSE false END`)
        .execute();
      const out: GapChannel[] = [];
      for (let i = 0; i < tickets.length; i += CHUNK) {
        const part = tickets.slice(i, i + CHUNK);
        const newest = await ctx.db.selectFrom('messages')
          .select(['ticket_id', 'channel_id', (eb) => eb.fn.max('created_at').as('at')])
          .where('ticket_id', 'in', part.map((t) => t.id))
          .groupBy(['ticket_id', 'channel_id']).execute();
        const at = new Map(newest.map((r) => [`${r.ticket_id}:${r.channel_id}`, r.at]));
        for (const t of part) {
          for (const channelId of new Set([t.thread_id ?? t.channel_id, t.notes_thread_id])) {
            if (!channelId) continue;
            const seen = at.get(`${t.id}:${channelId}`);
            out.push({ guild_id: t.guild_id, ticket_id: t.id, channel_id: channelId, since: seen ? new Date(seen) : t.created_at });
          }
        }
      }
      return out;
    },
  };
}
