/**
 * Action items: list with filters, sort and offset paging, read, create, change, set status, delete.
 * Reads are written to the privacy audit when the guild's privacy mode is on; deletions always are.
 */
import { sql, type SelectQueryBuilder } from 'kysely';
import type { ActionItemPriority, ActionItemRow, ActionItemStatus, DB, GuildRow } from '../../db/schema.js';
import type { Actor } from '../actor.js';
import type { EngineContext } from '../context.js';
import { invalid, notFound } from '../errors.js';
import { checkChannelRefs } from '../guild-refs.js';
import { requireGuild } from '../guards.js';
import { newId } from '../ids.js';
import { inTransaction, type Db, type Tx } from '../tx.js';
import { audit, requirePermission, type AuditOrigin } from './access.js';
import { loadConfig } from './config.js';
import { iso, type ActionItemView } from './views.js';
import { enqueueItemCreated } from './webhooks.js';
import { announce, itemLine, listItem } from './announce.js';

export interface ListItemsInput {
  guild_id: string;
  status?: ActionItemStatus | undefined;
  priority?: ActionItemPriority | undefined;
  channel_id?: string | undefined;
  assigned_to?: string | undefined;
  limit?: number | undefined;
  offset?: number | undefined;
  sort?: 'created_at' | 'priority' | 'updated_at' | undefined;
  order?: 'asc' | 'desc' | undefined;
}

export interface NewItemInput {
  guild_id: string; channel_id: string; text: string; summary?: string | null | undefined;
  priority?: ActionItemPriority | undefined; category?: string | undefined; status?: ActionItemStatus | undefined; assigned_to?: string | null | undefined;
}

export interface ItemChange {
  guild_id: string; item_id: string; text?: string | undefined; summary?: string | null | undefined; priority?: ActionItemPriority | undefined;
  category?: string | undefined; status?: ActionItemStatus | undefined; assigned_to?: string | null | undefined;
}

type ItemQuery = SelectQueryBuilder<DB & { c: DB['channels'] }, 'action_items' | 'c', ActionItemRow & { channel_name: string | null }>;

function itemsQuery(db: Db | Tx, guildId: string): ItemQuery {
  return db.selectFrom('action_items')
    .leftJoin('channels as c', (j) => j.onRef('c.id', '=', 'action_items.channel_id').on('c.guild_id', '=', guildId))
    .selectAll('action_items').select('c.name as channel_name')
    .where('action_items.guild_id', '=', guildId) as unknown as ItemQuery;
}

export function itemView(r: ActionItemRow & { channel_name: string | null }): ActionItemView {
  return {
    id: r.id, guild_id: r.guild_id, channel_id: r.channel_id, channel_name: r.channel_name, summary: r.summary, text: r.text,
    priority: r.priority, category: r.category, status: r.status, assigned_to: r.assigned_to, created_at: iso(r.created_at), updated_at: iso(r.updated_at),
  };
}

const PRIORITY_RANK = sql<number>`CASE action_items.priority WHEN 'high' THEN 3 WHEN 'medium' THEN 2 ELSE 1 END`;

async function loadItem(db: Db | Tx, guildId: string, itemId: string, forUpdate = false): Promise<ActionItemView> {
  const row = await itemsQuery(db, guildId).where('action_items.id', '=', itemId).$if(forUpdate, (q) => q.forUpdate('action_items')).executeTakeFirst();
  if (!row) throw notFound(`Action item ${itemId} does not exist in guild ${guildId}. List the guild's items with list_action_items.`);
  return itemView(row);
}

/** Audits a read when privacy mode is on. */
async function auditRead(ctx: EngineContext, guild: GuildRow, actor: Actor, details: string, origin?: AuditOrigin): Promise<void> {
  if ((await loadConfig(ctx.db, guild)).privacy_mode_enabled) await audit(ctx.db, { guildId: guild.id, action: 'data_access', actor, details, origin, at: ctx.now() });
}

export function createActionItemStore(ctx: EngineContext) {
  const changed = (guildId: string) => ctx.changes.emit('guild', { guildId });

  return {
    async list(actor: Actor, input: ListItemsInput, origin?: AuditOrigin) {
      const limit = Math.min(Math.max(input.limit ?? 50, 1), 100);
      const offset = Math.max(input.offset ?? 0, 0);
      const filtered = (q: ItemQuery): ItemQuery => q
        .$if(input.status !== undefined, (w) => w.where('action_items.status', '=', input.status!))
        .$if(input.priority !== undefined, (w) => w.where('action_items.priority', '=', input.priority!))
        .$if(input.channel_id !== undefined, (w) => w.where('action_items.channel_id', '=', input.channel_id!))
        .$if(input.assigned_to !== undefined, (w) => w.where('action_items.assigned_to', '=', input.assigned_to!));
      const guild = await requireGuild(ctx.db, input.guild_id);
      const dir = input.order ?? 'desc';
      let q = filtered(itemsQuery(ctx.db, input.guild_id));
      q = input.sort === 'priority' ? q.orderBy(PRIORITY_RANK, dir).orderBy('action_items.created_at', dir)
        : q.orderBy(input.sort === 'updated_at' ? 'action_items.updated_at' : 'action_items.created_at', dir);
      const rows = await q.orderBy('action_items.id', dir).limit(limit).offset(offset).execute();
      const total = await filtered(itemsQuery(ctx.db, input.guild_id)).clearSelect().select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
      await auditRead(ctx, guild, actor, `Listed action items (${rows.length} of ${Number(total.n)})`, origin);
      return { action_items: rows.map(itemView), total: Number(total.n), limit, offset };
    },

    async get(actor: Actor, input: { guild_id: string; item_id: string }, origin?: AuditOrigin): Promise<ActionItemView> {
      const guild = await requireGuild(ctx.db, input.guild_id);
      const item = await loadItem(ctx.db, input.guild_id, input.item_id);
      await auditRead(ctx, guild, actor, `Read action item ${input.item_id}`, origin);
      return item;
    },

    async create(actor: Actor, input: NewItemInput): Promise<ActionItemView> {
      const item = await inTransaction(ctx.db, async (trx) => {
        await requirePermission(trx, actor, input.guild_id, 'can_manage_action_items');
        const guild = await requireGuild(trx, input.guild_id);
        await checkChannelRefs(trx, input.guild_id, [{ path: 'channel_id', id: input.channel_id, kind: 'text' }]);
        const now = ctx.now();
        const id = newId();
        await trx.insertInto('action_items').values({
          id, guild_id: input.guild_id, channel_id: input.channel_id, summary: input.summary ?? null, text: input.text,
          priority: input.priority ?? 'medium', category: input.category ?? 'general', status: input.status ?? 'pending',
          assigned_to: input.assigned_to ?? null, created_by: actor.userId, created_at: now, updated_at: now,
        }).execute();
        const view = await loadItem(trx, input.guild_id, id);
        const config = await loadConfig(trx, guild);
        // An item added by hand is announced in the to-do channel (sweeps post one summary instead).
        if (config.todo_channel_id) {
          const channel = view.channel_name ? `#${view.channel_name}` : `<#${view.channel_id}>`;
          await announce(trx, input.guild_id, config.todo_channel_id, `New action item:\n${itemLine(view, channel)}`, { head: { key: 'sweep.newItem', params: {} }, items: [listItem(view, channel)] });
        }
        const hooks = await enqueueItemCreated(trx, config, [view], now);
        return { view, hooks, announced: config.todo_channel_id !== null };
      });
      changed(input.guild_id);
      if (item.announced) ctx.changes.emit('jobs', { count: 1 });
      if (item.hooks) ctx.changes.emit('webhooks', { count: item.hooks });
      return item.view;
    },

    async update(actor: Actor, input: ItemChange): Promise<ActionItemView> {
      const fields = (['text', 'summary', 'priority', 'category', 'status', 'assigned_to'] as const).filter((k) => input[k] !== undefined);
      if (fields.length === 0) {
        throw invalid('Nothing to change: give at least one of text, summary, priority, category, status, assigned_to.', [{ path: 'text', message: 'no field to change' }]);
      }
      const item = await inTransaction(ctx.db, async (trx) => {
        await requirePermission(trx, actor, input.guild_id, 'can_manage_action_items');
        await requireGuild(trx, input.guild_id);
        await loadItem(trx, input.guild_id, input.item_id, true);
        await trx.updateTable('action_items').set({
          ...(input.text !== undefined ? { text: input.text } : {}),
          ...(input.summary !== undefined ? { summary: input.summary } : {}),
          ...(input.priority !== undefined ? { priority: input.priority } : {}),
          ...(input.category !== undefined ? { category: input.category } : {}),
          ...(input.status !== undefined ? { status: input.status } : {}),
          ...(input.assigned_to !== undefined ? { assigned_to: input.assigned_to } : {}),
          updated_at: ctx.now(),
        }).where('guild_id', '=', input.guild_id).where('id', '=', input.item_id).execute();
        return loadItem(trx, input.guild_id, input.item_id);
      });
      changed(input.guild_id);
      return item;
    },

    async remove(actor: Actor, input: { guild_id: string; item_id: string }, origin?: AuditOrigin): Promise<{ deleted: true; id: string }> {
      await inTransaction(ctx.db, async (trx) => {
        await requirePermission(trx, actor, input.guild_id, 'can_manage_action_items');
        await requireGuild(trx, input.guild_id);
        const gone = await trx.deleteFrom('action_items').where('guild_id', '=', input.guild_id).where('id', '=', input.item_id).returning('id').executeTakeFirst();
        if (!gone) throw notFound(`Action item ${input.item_id} does not exist in guild ${input.guild_id}. List the guild's items with list_action_items.`);
        await audit(trx, { guildId: input.guild_id, action: 'data_deletion', actor, origin, at: ctx.now(), details: `Deleted action item ${input.item_id}` });
      });
      changed(input.guild_id);
      return { deleted: true, id: input.item_id };
    },
  };
}
