/** Action-item analytics over a period (1, 7, 30 or 90 days up to now), per UTC day where a trend is asked. */
import { sql } from 'kysely';
import type { Actor } from '../actor.js';
import type { EngineContext } from '../context.js';
import { requireGuild } from '../guards.js';
import type { Db } from '../tx.js';
import { requirePermission } from './access.js';
import { monitoredChannelIds } from './config.js';

export const PERIODS = ['1d', '7d', '30d', '90d'] as const;
export type Period = (typeof PERIODS)[number];

const days = (p: Period) => Number(p.slice(0, -1));
const DAY_MS = 86_400_000;
const dayKey = (d: Date) => d.toISOString().slice(0, 10);

/** The UTC days of the period, oldest first (today last). */
function periodDays(now: Date, period: Period): string[] {
  const n = days(period);
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return Array.from({ length: n }, (_, i) => dayKey(new Date(today - (n - 1 - i) * DAY_MS)));
}

const periodStart = (now: Date, period: Period) => new Date(`${periodDays(now, period)[0]}T00:00:00.000Z`);

async function perDay(db: Db, table: 'action_items' | 'sweep_channels', guildId: string, since: Date): Promise<Map<string, number>> {
  const rows = table === 'action_items'
    ? await db.selectFrom('action_items').select([sql<string>`to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')`.as('day'), (eb) => eb.fn.countAll<string>().as('n')])
      .where('guild_id', '=', guildId).where('created_at', '>=', since).groupBy(sql`1`).execute()
    : await db.selectFrom('sweep_channels').select([sql<string>`to_char(swept_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')`.as('day'), (eb) => eb.fn.sum<string>('messages_processed').as('n')])
      .where('guild_id', '=', guildId).where('swept_at', '>=', since).groupBy(sql`1`).execute();
  return new Map(rows.map((r) => [r.day, Number(r.n)]));
}

export function createAnalytics(ctx: EngineContext) {
  const check = async (actor: Actor, guildId: string) => {
    await requireGuild(ctx.db, guildId);
    await requirePermission(ctx.db, actor, guildId, 'can_view_analytics');
  };

  return {
    async activity(actor: Actor, input: { guild_id: string; period: Period }) {
      await check(actor, input.guild_id);
      const now = ctx.now();
      const since = periodStart(now, input.period);
      const dayList = periodDays(now, input.period);
      const items = await perDay(ctx.db, 'action_items', input.guild_id, since);
      const messages = await perDay(ctx.db, 'sweep_channels', input.guild_id, since);
      const sweeps = await ctx.db.selectFrom('sweeps').select((eb) => eb.fn.countAll<string>().as('n')).where('guild_id', '=', input.guild_id)
        .where('status', '=', 'completed').where('triggered_at', '>=', since).executeTakeFirstOrThrow();
      const itemsBy = await ctx.db.selectFrom('action_items').select(['channel_id', (eb) => eb.fn.countAll<string>().as('n')])
        .where('guild_id', '=', input.guild_id).where('created_at', '>=', since).groupBy('channel_id').execute();
      const messagesBy = await ctx.db.selectFrom('sweep_channels').select(['channel_id', (eb) => eb.fn.sum<string>('messages_processed').as('n')])
        .where('guild_id', '=', input.guild_id).where('swept_at', '>=', since).groupBy('channel_id').execute();
      const channelIds = [...new Set([...itemsBy.map((r) => r.channel_id), ...messagesBy.map((r) => r.channel_id)])];
      const names = channelIds.length
        ? new Map((await ctx.db.selectFrom('channels').select(['id', 'name']).where('guild_id', '=', input.guild_id).where('id', 'in', channelIds).execute()).map((r) => [r.id, r.name]))
        : new Map<string, string>();
      const itemCount = new Map(itemsBy.map((r) => [r.channel_id, Number(r.n)]));
      const messageCount = new Map(messagesBy.map((r) => [r.channel_id, Number(r.n)]));
      const top = channelIds.map((id) => ({ channel_id: id, channel_name: names.get(id) ?? null, action_items: itemCount.get(id) ?? 0, messages_processed: messageCount.get(id) ?? 0 }))
        .sort((a, b) => b.action_items - a.action_items || b.messages_processed - a.messages_processed || a.channel_id.localeCompare(b.channel_id)).slice(0, 10);
      const itemsPerDay = dayList.map((d) => items.get(d) ?? 0);
      const messagesPerDay = dayList.map((d) => messages.get(d) ?? 0);
      return {
        guild_id: input.guild_id, period: input.period,
        summary: {
          total_messages_processed: messagesPerDay.reduce((a, b) => a + b, 0), total_action_items: itemsPerDay.reduce((a, b) => a + b, 0),
          sweeps_executed: Number(sweeps.n), channels_monitored: (await monitoredChannelIds(ctx.db, input.guild_id)).length,
        },
        trends: { days: dayList, action_items_per_day: itemsPerDay, messages_processed_per_day: messagesPerDay },
        top_channels: top,
      };
    },

    async actionItems(actor: Actor, input: { guild_id: string; period: Period }) {
      await check(actor, input.guild_id);
      const since = periodStart(ctx.now(), input.period);
      const group = async (column: 'priority' | 'category' | 'status') => {
        const rows = await ctx.db.selectFrom('action_items').select([column, (eb) => eb.fn.countAll<string>().as('n')])
          .where('guild_id', '=', input.guild_id).where('created_at', '>=', since).groupBy(column).execute();
        return new Map(rows.map((r) => [(r as Record<string, unknown>)[column] as string, Number(r.n)]));
      };
      const priority = await group('priority');
      const category = await group('category');
      const status = await group('status');
      const total = [...status.values()].reduce((a, b) => a + b, 0);
      const completed = status.get('completed') ?? 0;
      return {
        guild_id: input.guild_id, period: input.period,
        by_priority: { high: priority.get('high') ?? 0, medium: priority.get('medium') ?? 0, low: priority.get('low') ?? 0 },
        by_category: Object.fromEntries([...category.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))),
        by_status: { pending: status.get('pending') ?? 0, in_progress: status.get('in_progress') ?? 0, completed, archived: status.get('archived') ?? 0 },
        completion_rate: total === 0 ? 0 : Math.round((completed / total) * 100) / 100,
      };
    },
  };
}
