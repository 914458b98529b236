/** Member permissions, the privacy audit log and a guild's action-item data export. */
import type { AuditAction } from '../../db/schema.js';
import type { Actor } from '../actor.js';
import type { EngineContext } from '../context.js';
import { requireGuild } from '../guards.js';
import { cancelled } from '../errors.js';
import { inTransaction } from '../tx.js';
import { ALL_PERMISSIONS, PERMISSION_KEYS, audit, requirePermission, storedPermissions, type AuditOrigin, type Permissions } from './access.js';
import { loadConfig, monitoredChannelIds } from './config.js';
import { itemView } from './items.js';
import { iso, isoOrNull } from './views.js';

export function createActionItemAdmin(ctx: EngineContext) {
  /** The member's role names in the guild (synced), highest first. */
  const roleNames = async (guildId: string, userId: string): Promise<string[]> => {
    const member = await ctx.db.selectFrom('members').select('roles').where('guild_id', '=', guildId).where('user_id', '=', userId).executeTakeFirst();
    const ids = member?.roles ?? [];
    if (ids.length === 0) return [];
    const rows = await ctx.db.selectFrom('roles').select(['name', 'position']).where('guild_id', '=', guildId).where('id', 'in', ids).where('deleted_at', 'is', null)
      .orderBy('position', 'desc').execute();
    return rows.map((r) => r.name);
  };

  const permissionsView = async (guildId: string, userId: string, permissions: Permissions) => ({
    user_id: userId, guild_id: guildId, permissions, roles: await roleNames(guildId, userId),
  });

  return {
    async getPermissions(input: { guild_id: string; user_id: string }) {
      await requireGuild(ctx.db, input.guild_id);
      const stored = await storedPermissions(ctx.db, input.guild_id, input.user_id);
      return { ...(await permissionsView(input.guild_id, input.user_id, stored ?? ALL_PERMISSIONS)), stored: stored !== null };
    },

    async setPermissions(actor: Actor, input: { guild_id: string; user_id: string; permissions: Partial<Permissions> }) {
      const merged = await inTransaction(ctx.db, async (trx) => {
        await requirePermission(trx, actor, input.guild_id, 'can_configure_bot');
        await requireGuild(trx, input.guild_id, { forUpdate: true });
        const current = (await storedPermissions(trx, input.guild_id, input.user_id)) ?? ALL_PERMISSIONS;
        const next = Object.fromEntries(PERMISSION_KEYS.map((k) => [k, input.permissions[k] ?? current[k]])) as Permissions;
        await trx.insertInto('member_permissions').values({ guild_id: input.guild_id, user_id: input.user_id, ...next, updated_at: ctx.now() })
          .onConflict((oc) => oc.columns(['guild_id', 'user_id']).doUpdateSet({ ...next, updated_at: ctx.now() })).execute();
        return next;
      });
      return { ...(await permissionsView(input.guild_id, input.user_id, merged)), stored: true };
    },

    async auditLog(input: { guild_id: string; action?: AuditAction | undefined; limit?: number | undefined; offset?: number | undefined }) {
      await requireGuild(ctx.db, input.guild_id);
      const limit = Math.min(Math.max(input.limit ?? 50, 1), 100);
      const offset = Math.max(input.offset ?? 0, 0);
      const base = ctx.db.selectFrom('privacy_audit').where('guild_id', '=', input.guild_id)
        .$if(input.action !== undefined, (q) => q.where('action', '=', input.action!));
      const rows = await base.selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).offset(offset).execute();
      const total = await base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
      return {
        audit_logs: rows.map((r) => ({ id: r.id, guild_id: r.guild_id, action: r.action, user_id: r.user_id, details: r.details, timestamp: iso(r.created_at), ip_address: r.ip_address })),
        total: Number(total.n), limit, offset,
      };
    },

    /**
     * Everything the guild has here, as one document; the export itself is audited as data access.
     * A cancel (`signal`) before the end rolls the transaction back: no export, no audit row.
     */
    async exportData(actor: Actor, input: { guild_id: string; include_audit?: boolean | undefined }, origin?: AuditOrigin, signal?: AbortSignal) {
      return inTransaction(ctx.db, async (trx) => {
        if (signal?.aborted) throw cancelled();
        const guild = await requireGuild(trx, input.guild_id);
        const config = await loadConfig(trx, guild);
        const items = await trx.selectFrom('action_items')
          .leftJoin('channels as c', (j) => j.onRef('c.id', '=', 'action_items.channel_id').on('c.guild_id', '=', input.guild_id))
          .selectAll('action_items').select('c.name as channel_name').where('action_items.guild_id', '=', input.guild_id)
          .orderBy('action_items.created_at').orderBy('action_items.id').execute();
        const sweeps = await trx.selectFrom('sweeps').selectAll().where('guild_id', '=', input.guild_id).orderBy('triggered_at').orderBy('id').execute();
        const permissions = await trx.selectFrom('member_permissions').selectAll().where('guild_id', '=', input.guild_id).orderBy('user_id').execute();
        if (signal?.aborted) throw cancelled();
        await audit(trx, { guildId: input.guild_id, action: 'data_access', actor, origin, at: ctx.now(), details: `Exported guild data (${items.length} action items${input.include_audit ? ', with audit log' : ''})` });
        const auditRows = input.include_audit
          ? await trx.selectFrom('privacy_audit').selectAll().where('guild_id', '=', input.guild_id).orderBy('created_at').orderBy('id').execute() : null;
        return {
          guild_id: input.guild_id, exported_at: iso(ctx.now()),
          config: {
            active: config.active, privacy_mode_enabled: config.privacy_mode_enabled, channels_to_monitor: await monitoredChannelIds(trx, input.guild_id),
            todo_channel_id: config.todo_channel_id, sweep_output_channel_id: config.sweep_output_channel_id, sweep_interval_hours: config.sweep_interval_hours,
            last_sweep_time: isoOrNull(config.last_sweep_time),
          },
          action_items: items.map(itemView),
          sweeps: sweeps.map((s) => ({ id: s.id, triggered_at: iso(s.triggered_at), status: s.status, channels_processed: s.channels_processed, messages_processed: s.messages_processed, action_items_found: s.action_items_found, duration_seconds: s.duration_seconds })),
          permissions: permissions.map((p) => ({ user_id: p.user_id, can_configure_bot: p.can_configure_bot, can_manage_action_items: p.can_manage_action_items, can_view_analytics: p.can_view_analytics, can_trigger_sweeps: p.can_trigger_sweeps })),
          ...(auditRows ? { audit_logs: auditRows.map((r) => ({ id: r.id, action: r.action, user_id: r.user_id, details: r.details, timestamp: iso(r.created_at), ip_address: r.ip_address })) } : {}),
        };
      });
    },
  };
}
