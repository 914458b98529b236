/**
 * The tickets module switch of a guild (Husqy's status/enable/disable) and wiping a guild's ticket data.
 * A disabled module makes every ticket operation of the guild answer module_disabled
 * (requireTicketsModule); the guild itself and its synced channels stay.
 */
import type { Actor } from './actor.js';
import type { EngineContext } from './context.js';
import { EngineError } from './errors.js';
import { requireGuild } from './guards.js';
import { inTransaction, type Tx } from './tx.js';

export interface ModuleStatus { guild_id: string; enabled: boolean }

export interface DeletedTicketData {
  guild_id: string;
  deleted: { tickets: number; events: number; messages: number; groups: number; panels: number; custom_messages: number; jobs: number; blocks: number; webhooks: number };
}

const lockGuild = (trx: Tx, guildId: string) => requireGuild(trx, guildId, { forUpdate: true });

async function count(trx: Tx, table: 'tickets' | 'ticket_events' | 'messages' | 'ticket_groups' | 'panels' | 'custom_messages' | 'discord_jobs' | 'ticket_blocks' | 'ticket_webhooks', guildId: string): Promise<number> {
  const row = await trx.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n')).where('guild_id', '=', guildId).executeTakeFirstOrThrow();
  return Number(row.n);
}

export function createGuildModule(ctx: EngineContext) {
  const setEnabled = async (guildId: string, enabled: boolean): Promise<ModuleStatus> => {
    await inTransaction(ctx.db, async (trx) => {
      const guild = await lockGuild(trx, guildId);
      if (guild.module_enabled === enabled) {
        if (enabled) {
          throw new EngineError('conflict', `The tickets module is already enabled for guild ${guildId}; nothing to do.`, { reason: 'module_enabled' });
        }
        throw new EngineError('module_disabled', `The tickets module is already disabled for guild ${guildId}; nothing to do. Enable it with enable_tickets_module.`, { reason: 'module_disabled' });
      }
      await trx.updateTable('guilds').set({ module_enabled: enabled, updated_at: ctx.now() }).where('id', '=', guildId).execute();
    });
    ctx.changes.emit('guild', { guildId });
    return { guild_id: guildId, enabled };
  };

  return {
    async moduleStatus(guildId: string): Promise<ModuleStatus> {
      const guild = await requireGuild(ctx.db, guildId);
      return { guild_id: guildId, enabled: guild.module_enabled };
    },

    enableModule: (_actor: Actor, guildId: string) => setEnabled(guildId, true),
    disableModule: (_actor: Actor, guildId: string) => setEnabled(guildId, false),

    /**
     * Deletes every ticket-module row of the guild in one transaction: tickets (with their members,
     * transcript messages, attachments and history), groups, panels and options, custom messages,
     * blocks, ticket webhooks with their deliveries, pending Discord jobs and stats. The guild row, its synced channels/roles/members and its module
     * switch stay; the ticket counter starts again at 1. Discord itself is not touched.
     */
    async deleteTicketData(_actor: Actor, guildId: string): Promise<DeletedTicketData> {
      const deleted = await inTransaction(ctx.db, async (trx) => {
        await lockGuild(trx, guildId);
        const counts = {
          tickets: await count(trx, 'tickets', guildId),
          events: await count(trx, 'ticket_events', guildId),
          messages: await count(trx, 'messages', guildId),
          groups: await count(trx, 'ticket_groups', guildId),
          panels: await count(trx, 'panels', guildId),
          custom_messages: await count(trx, 'custom_messages', guildId),
          jobs: await count(trx, 'discord_jobs', guildId),
          blocks: await count(trx, 'ticket_blocks', guildId),
          webhooks: await count(trx, 'ticket_webhooks', guildId),
        };
        // Tickets first: their rows cascade to members, messages, attachments and events.
        await trx.deleteFrom('tickets').where('guild_id', '=', guildId).execute();
        await trx.deleteFrom('discord_jobs').where('guild_id', '=', guildId).execute();
        await trx.deleteFrom('panel_options').where('guild_id', '=', guildId).execute();
        await trx.deleteFrom('panels').where('guild_id', '=', guildId).execute();
        await trx.deleteFrom('custom_messages').where('guild_id', '=', guildId).execute();
        await trx.deleteFrom('ticket_blocks').where('guild_id', '=', guildId).execute();
        // Ticket webhooks and what they carried (action-item webhooks belong to the monitoring module).
        await trx.deleteFrom('ticket_webhooks').where('guild_id', '=', guildId).execute();
        await trx.deleteFrom('webhook_deliveries').where('guild_id', '=', guildId).where('event', 'like', 'ticket.%').execute();
        await trx.updateTable('guilds').set({ default_group_id: null, ticket_counter: 0, updated_at: ctx.now() }).where('id', '=', guildId).execute();
        await trx.deleteFrom('ticket_groups').where('guild_id', '=', guildId).execute();
        // The stats triggers ran for each deleted ticket; what remains are zeroed rows. Drop them too.
        await trx.deleteFrom('guild_stats').where('guild_id', '=', guildId).execute();
        await trx.deleteFrom('guild_stat_counts').where('guild_id', '=', guildId).execute();
        await trx.deleteFrom('guild_daily_stats').where('guild_id', '=', guildId).execute();
        return counts;
      });
      ctx.changes.emit('guild', { guildId });
      return { guild_id: guildId, deleted };
    },
  };
}

