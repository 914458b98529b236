/**
 * Guild ticket statistics, read from the counters the tickets trigger keeps (guild_stats,
 * guild_stat_counts, guild_daily_stats; see 0001_initial). Reading is a handful of primary-key
 * lookups whatever the number of tickets: nothing here scans the tickets table.
 */
import { sql } from 'kysely';
import type { Level } from '../db/schema.js';
import type { EngineContext } from './context.js';
import { requireTicketsModule } from './guards.js';

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
const average = (sum: string | number | undefined, count: string | number | undefined) =>
  num(count) > 0 ? Math.round((num(sum) / num(count)) * 1000) / 1000 : null;

export function createStats(ctx: EngineContext) {
  return {
    async guild(input: { guild_id: string }): Promise<GuildStats> {
      const guildId = input.guild_id;
      const today = new Date(`${utcDay(ctx.now())}T00:00:00.000Z`);
      const days = Array.from({ length: 7 }, (_, i) => utcDay(new Date(today.getTime() - (6 - i) * DAY_MS)));

      // Independent primary-key reads, side by side: one round trip of latency.
      const [guild, totals, dims, daily, groups] = await Promise.all([
        requireTicketsModule(ctx.db, guildId),
        ctx.db.selectFrom('guild_stats').selectAll().where('guild_id', '=', guildId).executeTakeFirst(),
        ctx.db.selectFrom('guild_stat_counts').selectAll().where('guild_id', '=', guildId).execute(),
        // to_char: drivers turn a date column into a local-time Date; the day must stay a UTC calendar day.
        ctx.db.selectFrom('guild_daily_stats').select([sql<string>`to_char(day, 'YYYY-MM-DD')`.as('day'), 'created_count', 'closed_count'])
          .where('guild_id', '=', guildId).where('day', '>=', days[0] as string).where('day', '<=', days[6] as string).execute(),
        ctx.db.selectFrom('ticket_groups').select(['id', 'name', 'priority_levels', 'deleted_at', 'is_default'])
          .where('guild_id', '=', guildId).orderBy('is_default', 'desc').orderBy('name').orderBy('id').execute(),
      ]);

      const counts = (r: { open_count: string; closed_count: string; total_count: string }): Counts =>
        ({ open: num(r.open_count), closed: num(r.closed_count), total: num(r.total_count) });
      const byDim = (dimension: string) => dims.filter((d) => d.dimension === dimension);

      // Every live group is listed (zeros included); deleted groups only while they still count tickets.
      const groupCounts = new Map(byDim('group').map((d) => [d.key, counts(d)]));
      const by_group = groups
        .filter((g) => g.deleted_at === null || (groupCounts.get(g.id)?.total ?? 0) > 0)
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

      const average_resolution_seconds = average(totals?.resolution_seconds_sum, totals?.resolution_count);
      const open = num(totals?.open_count);
      return {
        guild_id: guild.id,
        open,
        closed: num(totals?.closed_count),
        total: num(totals?.total_count),
        created_this_week,
        closed_this_week,
        average_resolution_seconds,
        average_first_response_seconds: average(totals?.first_response_seconds_sum, totals?.first_response_count),
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
