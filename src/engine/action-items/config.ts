/**
 * A guild's monitoring config and monitored channels. A guild that was never configured reads as
 * the defaults (active, no privacy mode, nothing monitored, a sweep every 6 hours); the first change
 * stores them.
 */
import type { GuildRow, MonitorConfigRow } from '../../db/schema.js';
import type { Actor } from '../actor.js';
import type { EngineContext } from '../context.js';
import { conflict, invalid, notFound } from '../errors.js';
import { checkChannelRefs } from '../guild-refs.js';
import { requireGuild } from '../guards.js';
import { inTransaction, type Db, type Tx } from '../tx.js';
import { audit, requirePermission, type AuditOrigin } from './access.js';
import { iso, isoOrNull, type MonitorConfigView } from './views.js';

export interface ConfigPatch {
  guild_id: string;
  active?: boolean | undefined;
  privacy_mode_enabled?: boolean | undefined;
  channels_to_monitor?: string[] | undefined;
  todo_channel_id?: string | null | undefined;
  sweep_output_channel_id?: string | null | undefined;
  sweep_interval_hours?: number | undefined;
  webhook_url?: string | null | undefined;
  webhook_secret?: string | undefined;
}

export const DEFAULT_INTERVAL_HOURS = 6;

export async function loadConfig(db: Db | Tx, guild: GuildRow): Promise<Omit<MonitorConfigRow, 'guild_id'> & { guild_id: string }> {
  const row = await db.selectFrom('monitor_configs').selectAll().where('guild_id', '=', guild.id).executeTakeFirst();
  return row ?? {
    guild_id: guild.id, active: true, privacy_mode_enabled: false, todo_channel_id: null, sweep_output_channel_id: null,
    sweep_interval_hours: DEFAULT_INTERVAL_HOURS, last_sweep_time: null, webhook_url: null, webhook_secret: null, created_at: guild.joined_at, updated_at: guild.joined_at,
  };
}

export async function monitoredChannelIds(db: Db | Tx, guildId: string): Promise<string[]> {
  const rows = await db.selectFrom('monitored_channels').select('channel_id').where('guild_id', '=', guildId).orderBy('created_at').orderBy('channel_id').execute();
  return rows.map((r) => r.channel_id);
}

async function configView(db: Db | Tx, guild: GuildRow): Promise<MonitorConfigView> {
  const c = await loadConfig(db, guild);
  return {
    guild_id: guild.id, active: c.active, privacy_mode_enabled: c.privacy_mode_enabled, channels_to_monitor: await monitoredChannelIds(db, guild.id),
    todo_channel_id: c.todo_channel_id, sweep_output_channel_id: c.sweep_output_channel_id, sweep_interval_hours: c.sweep_interval_hours,
    last_sweep_time: isoOrNull(c.last_sweep_time), webhook_url: c.webhook_url, webhook_secret_set: c.webhook_secret !== null,
    created_at: iso(c.created_at), updated_at: iso(c.updated_at),
  };
}

/** Stores the defaults on first change; returns the guild row, locked. */
async function lockConfig(trx: Tx, guildId: string, now: Date): Promise<GuildRow> {
  const guild = await requireGuild(trx, guildId, { forUpdate: true });
  await trx.insertInto('monitor_configs').values({ guild_id: guildId, created_at: now, updated_at: now }).onConflict((oc) => oc.column('guild_id').doNothing()).execute();
  return guild;
}

export function createMonitorConfig(ctx: EngineContext) {
  /** One change of the monitored list: permission, config lock, the change, the config's updated_at, the new view. */
  const changeMonitored = (actor: Actor, guildId: string, change: (trx: Tx, now: Date) => Promise<void>): Promise<MonitorConfigView> =>
    inTransaction(ctx.db, async (trx) => {
      await requirePermission(trx, actor, guildId, 'can_configure_bot');
      const now = ctx.now();
      const guild = await lockConfig(trx, guildId, now);
      await change(trx, now);
      await trx.updateTable('monitor_configs').set({ updated_at: now }).where('guild_id', '=', guildId).execute();
      return configView(trx, guild);
    });

  return {
    async get(guildId: string): Promise<MonitorConfigView> {
      return configView(ctx.db, await requireGuild(ctx.db, guildId));
    },

    async update(actor: Actor, input: ConfigPatch, origin?: AuditOrigin): Promise<MonitorConfigView> {
      const view = await inTransaction(ctx.db, async (trx) => {
        await requirePermission(trx, actor, input.guild_id, 'can_configure_bot');
        const now = ctx.now();
        const guild = await lockConfig(trx, input.guild_id, now);
        await checkChannelRefs(trx, input.guild_id, [
          ...(input.channels_to_monitor ?? []).map((id, i) => ({ path: `channels_to_monitor.${i}`, id, kind: 'text' as const })),
          { path: 'todo_channel_id', id: input.todo_channel_id, kind: 'text' },
          { path: 'sweep_output_channel_id', id: input.sweep_output_channel_id, kind: 'text' },
        ]);
        const before = await loadConfig(trx, guild);
        if (input.webhook_url && !input.webhook_secret && !before.webhook_secret) {
          throw invalid('A webhook needs a secret to sign its deliveries: give webhook_secret (16 characters or more) with webhook_url.', [{ path: 'webhook_secret', message: 'required with webhook_url' }]);
        }
        await trx.updateTable('monitor_configs').set({
          ...(input.active !== undefined ? { active: input.active } : {}),
          ...(input.privacy_mode_enabled !== undefined ? { privacy_mode_enabled: input.privacy_mode_enabled } : {}),
          ...(input.todo_channel_id !== undefined ? { todo_channel_id: input.todo_channel_id } : {}),
          ...(input.sweep_output_channel_id !== undefined ? { sweep_output_channel_id: input.sweep_output_channel_id } : {}),
          ...(input.sweep_interval_hours !== undefined ? { sweep_interval_hours: input.sweep_interval_hours } : {}),
          ...(input.webhook_url !== undefined ? { webhook_url: input.webhook_url } : {}),
          // Removing the URL forgets the secret too.
          ...(input.webhook_url === null ? { webhook_secret: null } : input.webhook_secret !== undefined ? { webhook_secret: input.webhook_secret } : {}),
          updated_at: now,
        }).where('guild_id', '=', input.guild_id).execute();
        if (input.channels_to_monitor !== undefined) {
          const wanted = [...new Set(input.channels_to_monitor)];
          // Channels that stay keep their sweep cursor; dropped ones lose it.
          await trx.deleteFrom('monitored_channels').where('guild_id', '=', input.guild_id)
            .$if(wanted.length > 0, (q) => q.where('channel_id', 'not in', wanted)).execute();
          if (wanted.length) {
            await trx.insertInto('monitored_channels').values(wanted.map((channel_id, i) => ({ guild_id: input.guild_id, channel_id, created_at: new Date(now.getTime() + i) })))
              .onConflict((oc) => oc.columns(['guild_id', 'channel_id']).doNothing()).execute();
          }
        }
        if (input.privacy_mode_enabled !== undefined && input.privacy_mode_enabled !== before.privacy_mode_enabled) {
          await audit(trx, { guildId: input.guild_id, action: 'privacy_toggle', actor, origin, at: now,
            details: `Privacy mode turned ${input.privacy_mode_enabled ? 'on' : 'off'}` });
        }
        return configView(trx, guild);
      });
      ctx.changes.emit('guild', { guildId: input.guild_id });
      return view;
    },

    async monitor(actor: Actor, input: { guild_id: string; channel_id: string }): Promise<MonitorConfigView> {
      return changeMonitored(actor, input.guild_id, async (trx, now) => {
        await checkChannelRefs(trx, input.guild_id, [{ path: 'channel_id', id: input.channel_id, kind: 'text' }]);
        const added = await trx.insertInto('monitored_channels').values({ guild_id: input.guild_id, channel_id: input.channel_id, created_at: now })
          .onConflict((oc) => oc.columns(['guild_id', 'channel_id']).doNothing()).returning('channel_id').executeTakeFirst();
        if (!added) throw conflict(`Channel ${input.channel_id} is already monitored in guild ${input.guild_id}; nothing to do.`);
      });
    },

    async unmonitor(actor: Actor, input: { guild_id: string; channel_id: string }): Promise<MonitorConfigView> {
      return changeMonitored(actor, input.guild_id, async (trx) => {
        const gone = await trx.deleteFrom('monitored_channels').where('guild_id', '=', input.guild_id).where('channel_id', '=', input.channel_id)
          .returning('channel_id').executeTakeFirst();
        if (!gone) throw notFound(`Channel ${input.channel_id} is not monitored in guild ${input.guild_id}. See channels_to_monitor in its config.`);
      });
    },

    /** The guild's synced channels (text-like ones) with whether each is monitored or the sweep output. */
    async channels(guildId: string) {
      const guild = await requireGuild(ctx.db, guildId);
      const config = await loadConfig(ctx.db, guild);
      const monitored = new Set(await monitoredChannelIds(ctx.db, guildId));
      const rows = await ctx.db.selectFrom('channels').select(['id', 'name', 'type', 'position']).where('guild_id', '=', guildId)
        .where('deleted_at', 'is', null).where('type', 'in', [0, 5, 15]).orderBy('position').orderBy('id').execute();
      const kind = (t: number): 'text' | 'announcement' | 'forum' => (t === 5 ? 'announcement' : t === 15 ? 'forum' : 'text');
      return {
        guild_id: guildId,
        channels: rows.map((r) => ({ id: r.id, name: r.name, type: kind(r.type), position: r.position, monitored: monitored.has(r.id), output_channel: r.id === config.sweep_output_channel_id })),
      };
    },
  };
}
