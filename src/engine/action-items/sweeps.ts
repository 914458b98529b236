/**
 * Sweeps: read the monitored channels' new messages from Discord, record the action items found in
 * them, and post a summary to the sweep output channel. A sweep is recorded as running first (one per
 * guild at a time), then everything it found, its per-channel counts, the channels' read cursors and
 * the summary message commit in one transaction; a sweep that fails or is cancelled records nothing
 * but its failure, so the next one reads the same messages again.
 */
import type { Actor } from '../actor.js';
import type { EngineContext } from '../context.js';
import { EngineError, cancelled, conflict, invalid, unavailable } from '../errors.js';
import { requireGuild } from '../guards.js';
import { newId } from '../ids.js';
import type { DiscordPort } from '../outbox.js';
import { inTransaction, type Db } from '../tx.js';
import { requirePermission } from './access.js';
import { loadConfig, monitoredChannelIds } from './config.js';
import { extractActionItems, type FoundItem, type SweptMessage } from './extract.js';
import { iso, isoOrNull, type SweepView } from './views.js';
import { enqueueItemCreated } from './webhooks.js';
import { announce, itemLine, listItem } from './announce.js';

/** Messages read per channel per sweep; the rest wait for the next sweep (the cursor moves only as far as read). */
export const MESSAGES_PER_CHANNEL = 1000;
/** A sweep still "running" after this long died with its process; the next trigger marks it failed. */
const STALE_MS = 15 * 60_000;

export interface TriggerInput { guild_id: string; channel_ids?: string[] | undefined; force?: boolean | undefined }
export interface SweepOptions { signal?: AbortSignal | undefined; progress?: ((done: number, total: number, message: string) => void) | undefined }

const sweepView = (r: { id: string; guild_id: string; triggered_at: Date; channels_processed: number; messages_processed: number; action_items_found: number; status: SweepView['status']; duration_seconds: number | null }): SweepView => ({
  id: r.id, guild_id: r.guild_id, triggered_at: iso(r.triggered_at), channels_processed: r.channels_processed, messages_processed: r.messages_processed,
  action_items_found: r.action_items_found, status: r.status, duration_seconds: r.duration_seconds === null ? null : Math.round(r.duration_seconds * 1000) / 1000,
});

function summaryMessage(found: ReadonlyArray<FoundItem>, names: Map<string, string>): string {
  const head = `Sweep found ${found.length} new action item${found.length === 1 ? '' : 's'}:`;
  const lines: string[] = [head];
  let length = head.length;
  for (const [i, f] of found.entries()) {
    const line = itemLine(f, names.has(f.channel_id) ? `#${names.get(f.channel_id)}` : `<#${f.channel_id}>`);
    const more = `… and ${found.length - i} more.`;
    if (length + line.length + 1 + more.length + 1 > 2000) { lines.push(more); break; }
    lines.push(line);
    length += line.length + 1;
  }
  return lines.join('\n');
}

async function channelNames(db: Db, guildId: string, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('channels').select(['id', 'name']).where('guild_id', '=', guildId).where('id', 'in', [...ids]).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

export function createSweeps(ctx: EngineContext, port: () => DiscordPort | null) {
  return {
    async status(guildId: string) {
      const guild = await requireGuild(ctx.db, guildId);
      const config = await loadConfig(ctx.db, guild);
      const monitored = (await monitoredChannelIds(ctx.db, guildId)).length;
      const total = await ctx.db.selectFrom('action_items').select((eb) => eb.fn.countAll<string>().as('n')).where('guild_id', '=', guildId).executeTakeFirstOrThrow();
      const due = config.last_sweep_time ? new Date(config.last_sweep_time.getTime() + config.sweep_interval_hours * 3_600_000) : ctx.now();
      return {
        guild_id: guildId, active: config.active, interval_hours: config.sweep_interval_hours, last_sweep_time: isoOrNull(config.last_sweep_time),
        next_sweep_time: config.active && monitored > 0 ? iso(due) : null,
        output_channel_id: config.sweep_output_channel_id, monitored_channels: monitored, total_action_items: Number(total.n),
      };
    },

    async history(input: { guild_id: string; limit?: number | undefined; offset?: number | undefined }) {
      await requireGuild(ctx.db, input.guild_id);
      const limit = Math.min(Math.max(input.limit ?? 20, 1), 100);
      const offset = Math.max(input.offset ?? 0, 0);
      const rows = await ctx.db.selectFrom('sweeps').selectAll().where('guild_id', '=', input.guild_id)
        .orderBy('triggered_at', 'desc').orderBy('id', 'desc').limit(limit).offset(offset).execute();
      const total = await ctx.db.selectFrom('sweeps').select((eb) => eb.fn.countAll<string>().as('n')).where('guild_id', '=', input.guild_id).executeTakeFirstOrThrow();
      return { sweeps: rows.map(sweepView), total: Number(total.n), limit, offset };
    },

    /** Guilds whose next sweep is due (the scheduler sweeps them). */
    async due(now: Date, limit = 20): Promise<string[]> {
      const rows = await ctx.db.selectFrom('monitor_configs as m').select(['m.guild_id', 'm.last_sweep_time', 'm.sweep_interval_hours'])
        .where('m.active', '=', true)
        .where((eb) => eb.exists(eb.selectFrom('monitored_channels as c').select('c.channel_id').whereRef('c.guild_id', '=', 'm.guild_id')))
        .execute();
      return rows.filter((c) => !c.last_sweep_time || c.last_sweep_time.getTime() + c.sweep_interval_hours * 3_600_000 <= now.getTime())
        .slice(0, limit).map((c) => c.guild_id);
    },

    async trigger(actor: Actor, input: TriggerInput, opts: SweepOptions = {}) {
      const guildId = input.guild_id;
      await requirePermission(ctx.db, actor, guildId, 'can_trigger_sweeps');
      const guild = await requireGuild(ctx.db, guildId);
      const config = await loadConfig(ctx.db, guild);
      if (!config.active && !input.force) {
        throw conflict(`Monitoring is off for guild ${guildId} (active: false), so it is not swept. Turn it on in the config, or pass force: true to sweep once anyway.`);
      }
      const monitored = await monitoredChannelIds(ctx.db, guildId);
      const channels = input.channel_ids ? [...new Set(input.channel_ids)] : monitored;
      const unknown = channels.map((id, i) => ({ id, i })).filter((c) => !monitored.includes(c.id));
      if (unknown.length) {
        throw invalid(`${unknown.map((c) => `channel_ids.${c.i}: channel ${c.id} is not monitored`).join('; ')}. Monitor a channel first (monitor_channel), or leave channel_ids out to sweep every monitored channel.`,
          unknown.map((c) => ({ path: `channel_ids.${c.i}`, message: `channel ${c.id} is not monitored` })));
      }
      if (channels.length === 0) throw conflict(`Guild ${guildId} monitors no channels, so there is nothing to sweep. Monitor one first (monitor_channel).`);
      const now = ctx.now();
      if (!input.force && config.last_sweep_time) {
        const next = new Date(config.last_sweep_time.getTime() + config.sweep_interval_hours * 3_600_000);
        if (next > now) throw conflict(`Guild ${guildId} was swept at ${iso(config.last_sweep_time)}; the next sweep is due at ${iso(next)}. Pass force: true to sweep now.`);
      }
      const discord = port();
      if (!discord) throw unavailable('This server is not connected to Discord right now (no bot session), so it cannot read channels to sweep. Retry once it is connected (see /healthz).');

      const sweepId = newId();
      await inTransaction(ctx.db, async (trx) => {
        // Claimed under the guild's lock, with the due time read again: of several processes'
        // schedulers finding the guild due at once, one sweeps it; the others see it swept or running.
        const locked = await loadConfig(trx, await requireGuild(trx, guildId, { forUpdate: true }));
        if (!input.force && locked.last_sweep_time) {
          const next = new Date(locked.last_sweep_time.getTime() + locked.sweep_interval_hours * 3_600_000);
          if (next > now) throw conflict(`Guild ${guildId} was swept at ${iso(locked.last_sweep_time)}; the next sweep is due at ${iso(next)}. Pass force: true to sweep now.`);
        }
        await trx.updateTable('sweeps').set({ status: 'failed', error: 'The process running it stopped.' })
          .where('guild_id', '=', guildId).where('status', '=', 'running').where('triggered_at', '<', new Date(now.getTime() - STALE_MS)).execute();
        const running = await trx.selectFrom('sweeps').select('id').where('guild_id', '=', guildId).where('status', '=', 'running').executeTakeFirst();
        if (running) throw conflict(`Sweep ${running.id} of guild ${guildId} is still running. Wait for it (get_sweep_status / list_sweeps), then trigger again.`);
        await trx.insertInto('sweeps').values({ id: sweepId, guild_id: guildId, triggered_at: now, triggered_by: actor.userId, status: 'running', duration_seconds: null, error: null }).execute();
      });
      const started = performance.now();
      try {
        const cursors = new Map((await ctx.db.selectFrom('monitored_channels').select(['channel_id', 'last_message_id']).where('guild_id', '=', guildId).execute())
          .map((r) => [r.channel_id, r.last_message_id]));
        const read = new Map<string, SweptMessage[]>();
        for (const [i, channelId] of channels.entries()) {
          if (opts.signal?.aborted) throw cancelled();
          opts.progress?.(i, channels.length, `Reading channel ${channelId}`);
          read.set(channelId, await discord.channelMessages(channelId, cursors.get(channelId) ?? null, MESSAGES_PER_CHANNEL, opts.signal));
        }
        if (opts.signal?.aborted) throw cancelled();
        opts.progress?.(channels.length, channels.length, 'Recording action items');
        const names = await channelNames(ctx.db, guildId, channels);
        const result = await inTransaction(ctx.db, async (trx) => {
          const fresh = await loadConfig(trx, await requireGuild(trx, guildId, { forUpdate: true }));
          const finished = ctx.now();
          let messages = 0;
          const created: FoundItem[] = [];
          const hooked: Array<{ id: string; text: string; priority: string; channel_name: string | null }> = [];
          for (const channelId of channels) {
            const msgs = read.get(channelId) ?? [];
            messages += msgs.length;
            const found = extractActionItems(msgs);
            let kept = 0;
            for (const f of found) {
              const summary = fresh.privacy_mode_enabled ? null : `${f.message.author_name}: ${f.message.content.split('\n')[0]!.slice(0, 80)}`;
              const row = await trx.insertInto('action_items').values({
                id: newId(), guild_id: guildId, channel_id: channelId, summary, text: f.text, priority: f.priority, category: f.category,
                status: 'pending', assigned_to: f.assigned_to, source_key: f.source_key, sweep_id: sweepId, created_by: null, created_at: finished, updated_at: finished,
              }).onConflict((oc) => oc.columns(['guild_id', 'source_key']).where('source_key', 'is not', null).doNothing()).returning('id').executeTakeFirst();
              if (row) { kept++; created.push(f); hooked.push({ id: row.id, text: f.text, priority: f.priority, channel_name: names.get(channelId) ?? null }); }
            }
            const newest = msgs.reduce<string | null>((max, m) => (max === null || BigInt(m.id) > BigInt(max) ? m.id : max), null);
            if (newest) await trx.updateTable('monitored_channels').set({ last_message_id: newest }).where('guild_id', '=', guildId).where('channel_id', '=', channelId).execute();
            await trx.insertInto('sweep_channels').values({ sweep_id: sweepId, guild_id: guildId, channel_id: channelId, messages_processed: msgs.length, action_items_found: kept, swept_at: finished }).execute();
          }
          const duration = (performance.now() - started) / 1000;
          const done = await trx.updateTable('sweeps').set({ status: 'completed', channels_processed: channels.length, messages_processed: messages, action_items_found: created.length, duration_seconds: duration })
            .where('id', '=', sweepId).returningAll().executeTakeFirstOrThrow();
          await trx.insertInto('monitor_configs').values({ guild_id: guildId, last_sweep_time: now, created_at: finished, updated_at: finished })
            .onConflict((oc) => oc.column('guild_id').doUpdateSet({ last_sweep_time: now })).execute();
          // The summary goes to the sweep output channel, or to the to-do channel when there is none.
          const summaryChannel = fresh.sweep_output_channel_id ?? fresh.todo_channel_id;
          if (created.length && summaryChannel) {
            const items = created.map((f) => listItem(f, names.has(f.channel_id) ? `#${names.get(f.channel_id)}` : `<#${f.channel_id}>`));
            await announce(trx, guildId, summaryChannel, summaryMessage(created, names), { head: { key: 'sweep.summary', params: { count: created.length } }, items });
          }
          const hooks = await enqueueItemCreated(trx, fresh, hooked, finished);
          return { sweep: sweepView(done), posted: created.length > 0 && summaryChannel !== null, hooks };
        });
        ctx.changes.emit('guild', { guildId });
        if (result.posted) ctx.changes.emit('jobs', { count: 1 });
        if (result.hooks) ctx.changes.emit('webhooks', { count: result.hooks });
        return result.sweep;
      } catch (err) {
        const message = err instanceof EngineError ? err.message : String((err as Error)?.message ?? err);
        await ctx.db.updateTable('sweeps').set({ status: 'failed', error: message.slice(0, 500), duration_seconds: (performance.now() - started) / 1000 })
          .where('id', '=', sweepId).execute().catch(() => {});
        throw err;
      }
    },
  };
}
