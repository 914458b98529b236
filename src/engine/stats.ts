/**
 * Guild ticket statistics, read from the counters the tickets trigger keeps (guild_stats,
 * guild_stat_counts, guild_daily_stats; see 0001_initial). Reading is one statement of primary-key
 * lookups whatever the number of tickets: nothing here scans the tickets table.
 */
import { sql } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { Level } from '../db/schema.js';
import type { EngineContext } from './context.js';
import { moduleDisabled } from './errors.js';
import { unknownGuild } from './guards.js';

export interface Counts { open: number; closed: number; total: number }

export interface GuildStats extends Counts {
  guild_id: string;
  /** Tickets created in the last 7 days, today (UTC) included. */
  created_this_week: number;
  /** Tickets closed in the last 7 days, today (UTC) included. */
  closed_this_week: number;
  /** Mean seconds from (re)opening to closing, over every close; null before the first close. */
  average_resolution_seconds: number | null;
  /** Mean seconds from creation to the first staff answer; null before any answer. */
  average_first_response_seconds: number | null;
  /** Mean rating over rated tickets (on each group's own scale); null before the first rating. */
  average_rating: number | null;
  rated: number;
  last_7_days: Array<{ day: string; created: number; closed: number }>;
  by_group: Array<{ group_id: string; name: string } & Counts>;
  by_assignee: Array<{ user_id: string } & Counts>;
  by_priority: Array<{ priority: number | null; label: string | null } & Counts>;
  /** The same figures in Volvox's stats shape. */
  volvox: { openCount: number; avgResolutionSeconds: number; ticketsThisWeek: number };
}

const DAY_MS = 86_400_000;
const utcDay = (d: Date) => d.toISOString().slice(0, 10);

/** pg returns bigint as string and float8 as number; PGlite the same here. Either way: a number. */
const num = (v: string | number | null | undefined) => (v === null || v === undefined ? 0 : Number(v));
const average = (sum: string | number | null, count: string | number | null) =>
  num(count) > 0 ? Math.round((num(sum) / num(count)) * 1000) / 1000 : null;

export function createStats(ctx: EngineContext) {
  return {
    async guild(input: { guild_id: string }): Promise<GuildStats> {
      const guildId = input.guild_id;
      const today = new Date(`${utcDay(ctx.now())}T00:00:00.000Z`);
      const days = Array.from({ length: 7 }, (_, i) => utcDay(new Date(today.getTime() - (6 - i) * DAY_MS)));

      // One statement: the guild row with its counters, and the small per-guild tables as JSON arrays.
      // One round trip and one backend, instead of five queries competing for the CPU.
      const guild = await ctx.db.selectFrom('guilds')
        .leftJoin('guild_stats', 'guild_stats.guild_id', 'guilds.id')
        .select((eb) => [
          'guilds.id', 'guilds.module_enabled',
          'guild_stats.open_count', 'guild_stats.closed_count', 'guild_stats.total_count',
          'guild_stats.resolution_seconds_sum', 'guild_stats.resolution_count',
          'guild_stats.first_response_seconds_sum', 'guild_stats.first_response_count',
          'guild_stats.rating_sum', 'guild_stats.rated_count',
          jsonArrayFrom(eb.selectFrom('guild_stat_counts').select(['dimension', 'key', 'open_count', 'closed_count', 'total_count'])
            .whereRef('guild_stat_counts.guild_id', '=', 'guilds.id')).as('dims'),
          // to_char: drivers turn a date column into a local-time Date; the day must stay a UTC calendar day.
          jsonArrayFrom(eb.selectFrom('guild_daily_stats').select([sql<string>`to_char(day, 'YYYY-MM-DD')`.as('day'), 'created_count', 'closed_count'])
            .whereRef('guild_daily_stats.guild_id', '=', 'guilds.id').where('day', '>=', days[0] as string).where('day', '<=', days[6] as string)).as('daily'),
          jsonArrayFrom(eb.selectFrom('ticket_groups').select(['id', 'name', 'priority_levels', sql<boolean>`deleted_at IS NOT NULL`.as('deleted'), 'is_default'])
            .whereRef('ticket_groups.guild_id', '=', 'guilds.id').orderBy('is_default', 'desc').orderBy('name').orderBy('id')).as('groups'),
        ])
        .where('guilds.id', '=', guildId)
        .executeTakeFirst();
      if (!guild) throw unknownGuild(guildId);
      if (!guild.module_enabled) throw moduleDisabled(guildId);
      // Counters inside the JSON arrays arrive as JSON numbers, the top-level ones as strings: num() takes both.
      const { dims, daily, groups } = guild;

      const counts = (r: { open_count: string | number | null; closed_count: string | number | null; total_count: string | number | null }): Counts =>
        ({ open: num(r.open_count), closed: num(r.closed_count), total: num(r.total_count) });
      const byDim = (dimension: string) => dims.filter((d) => d.dimension === dimension);

      // Every live group is listed (zeros included); deleted groups only while they still count tickets.
      const groupCounts = new Map(byDim('group').map((d) => [d.key, counts(d)]));
      const by_group = groups
        .filter((g) => !g.deleted || (groupCounts.get(g.id)?.total ?? 0) > 0)
        .map((g) => ({ group_id: g.id, name: g.name, ...(groupCounts.get(g.id) ?? { open: 0, closed: 0, total: 0 }) }));

      const by_assignee = byDim('assignee').map((d) => ({ user_id: d.key, ...counts(d) }))
        .filter((d) => d.total > 0)
        .sort((a, b) => b.total - a.total || a.user_id.localeCompare(b.user_id));

      // A priority is an index into a group's levels; the default group names it, else the first group that has it.
      const labelOf = (index: number): string | null => {
        for (const g of groups) {
          const level: Level | undefined = g.priority_levels[index];
          if (level) return level.label;
        }
        return null;
      };
      const by_priority = byDim('priority').map((d) => {
        const priority = d.key === 'none' ? null : Number(d.key);
        return { priority, label: priority === null ? null : labelOf(priority), ...counts(d) };
      }).filter((d) => d.total > 0)
        .sort((a, b) => (a.priority ?? -1) - (b.priority ?? -1));

      const dailyByDay = new Map(daily.map((d) => [d.day, d]));
      const last_7_days = days.map((day) => {
        const d = dailyByDay.get(day);
        return { day, created: num(d?.created_count), closed: num(d?.closed_count) };
      });
      const created_this_week = last_7_days.reduce((n, d) => n + d.created, 0);
      const closed_this_week = last_7_days.reduce((n, d) => n + d.closed, 0);

      const average_resolution_seconds = average(guild.resolution_seconds_sum, guild.resolution_count);
      const open = num(guild.open_count);
      return {
        guild_id: guild.id,
        open,
        closed: num(guild.closed_count),
        total: num(guild.total_count),
        created_this_week,
        closed_this_week,
        average_resolution_seconds,
        average_first_response_seconds: average(guild.first_response_seconds_sum, guild.first_response_count),
        average_rating: average(guild.rating_sum, guild.rated_count),
        rated: num(guild.rated_count),
        last_7_days,
        by_group,
        by_assignee,
        by_priority,
        volvox: { openCount: open, avgResolutionSeconds: Math.round(average_resolution_seconds ?? 0), ticketsThisWeek: created_this_week },
      };
    },
  };
}

export type Stats = ReturnType<typeof createStats>;
