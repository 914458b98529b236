/** Guild statistics, from counters kept up to date on every ticket change. */
import { z } from 'zod';
import { read } from './annotations.js';
import { defineOperation } from './define.js';
import { GuildId, Snowflake } from './schemas.js';

const Counts = { open: z.number().int(), closed: z.number().int(), total: z.number().int() };

export const GuildStats = z.object({
  guild_id: Snowflake,
  ...Counts,
  created_this_week: z.number().int().describe('Tickets created in the last 7 days, today (UTC) included'),
  closed_this_week: z.number().int().describe('Closes in the last 7 days, today (UTC) included'),
  average_resolution_seconds: z.number().nullable().describe('Mean seconds from opening (or reopening) to closing; null before the first close'),
  average_first_response_seconds: z.number().nullable().describe('Mean seconds from creation to the first staff answer; null before any'),
  average_rating: z.number().nullable().describe("Mean owner rating over rated tickets (each on its group's scale, 1–5 by default); null before any"),
  rated: z.number().int().describe('Tickets with a rating'),
  last_7_days: z.array(z.object({ day: z.string().describe('YYYY-MM-DD (UTC)'), created: z.number().int(), closed: z.number().int() })),
  by_group: z.array(z.object({ group_id: Snowflake, name: z.string(), ...Counts })),
  by_assignee: z.array(z.object({ user_id: Snowflake, ...Counts })).describe('Assigned staff, most tickets first; unassigned tickets are not listed'),
  by_priority: z.array(z.object({
    priority: z.number().int().nullable().describe('Priority level index; null = no priority'),
    label: z.string().nullable().describe("The level's label in the default group (or the first group that has it)"),
    ...Counts,
  })),
  volvox: z.object({ openCount: z.number().int(), avgResolutionSeconds: z.number().int(), ticketsThisWeek: z.number().int() })
    .describe("The same figures in Volvox's stats shape (avgResolutionSeconds is 0 before the first close)"),
});

export const getGuildStats = defineOperation({
  name: 'get_guild_stats', title: 'Get guild ticket statistics', toolset: 'stats', ability: 'tickets:read',
  annotations: read,
  description: "A guild's ticket statistics: open, closed and total tickets, tickets created this week, average resolution and first-response times, with breakdowns by group, assignee and priority. Fast at any number of tickets.",
  input: z.object({ guild_id: GuildId }).strict(),
  output: GuildStats,
  run: (ctx, input) => ctx.engine.stats.guild(input),
});

export const statsOperations = [getGuildStats];
