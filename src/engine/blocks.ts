/**
 * Ticket blocks: members, or everyone with a role, who may not open tickets in a guild (spam,
 * abuse). Opening checks them in the same statement that numbers the ticket, whoever opens it.
 */
import { sql, type ExpressionBuilder } from 'kysely';
import { jsonObjectFrom } from 'kysely/helpers/postgres';
import type { DB } from '../db/schema.js';
import type { Actor } from './actor.js';
import type { EngineContext } from './context.js';
import { invalid, notFound } from './errors.js';
import { requireGuild } from './guards.js';
import { checkRoleRefs } from './guild-refs.js';
import { inTransaction } from './tx.js';

export interface TicketBlock {
  guild_id: string;
  type: 'user' | 'role';
  /** The blocked member's user id, or the role id. */
  id: string;
  reason: string | null;
  added_by: string | null;
  created_at: string;
}

export interface BlockTarget { guild_id: string; user_id?: string | undefined; role_id?: string | undefined }

const view = (r: { guild_id: string; target_type: 'user' | 'role'; target_id: string; reason: string | null; added_by: string | null; created_at: Date }): TicketBlock =>
  ({ guild_id: r.guild_id, type: r.target_type, id: r.target_id, reason: r.reason, added_by: r.added_by, created_at: r.created_at.toISOString() });

function targetOf(t: BlockTarget): { type: 'user' | 'role'; id: string } {
  if ((t.user_id === undefined) === (t.role_id === undefined)) {
    throw invalid('Give exactly one of user_id (a member) or role_id (everyone with that role).', [{ path: t.user_id === undefined ? 'user_id' : 'role_id', message: 'exactly one of user_id or role_id' }]);
  }
  return t.user_id !== undefined ? { type: 'user', id: t.user_id } : { type: 'role', id: t.role_id as string };
}

/**
 * The block that stops `userId` opening a ticket in the outer query's guild (their own block first,
 * else one of their roles'), as a subquery: `roles` are the member's live roles when the caller
 * knows them (a Discord interaction), else the synced ones.
 */
export function blockFor(eb: ExpressionBuilder<DB, 'guilds'>, userId: string, roles?: readonly string[]) {
  return eb.selectFrom('ticket_blocks').select(['ticket_blocks.target_type', 'ticket_blocks.target_id', 'ticket_blocks.reason'])
    .whereRef('ticket_blocks.guild_id', '=', 'guilds.id')
    .where((w) => w.or([
      w.and([w('ticket_blocks.target_type', '=', 'user'), w('ticket_blocks.target_id', '=', userId)]),
      w.and([w('ticket_blocks.target_type', '=', 'role'), roles === undefined
        ? w('ticket_blocks.target_id', 'in', w.selectFrom('members').select(sql<string>`jsonb_array_elements_text(members.roles)`.as('role'))
          .whereRef('members.guild_id', '=', 'guilds.id').where('members.user_id', '=', userId))
        : roles.length > 0 ? w('ticket_blocks.target_id', 'in', [...roles]) : w.lit(false)]),
    ]))
    .orderBy('ticket_blocks.target_type', 'desc')
    .limit(1);
}

/** The sentence a refused open gets. */
export function blockedMessage(userId: string, guildId: string, b: { target_type: 'user' | 'role'; target_id: string; reason: string | null }): string {
  const why = b.target_type === 'user' ? 'is blocked' : `has role ${b.target_id}, which is blocked`;
  return `User ${userId} ${why} from opening tickets in guild ${guildId}${b.reason ? ` (${b.reason})` : ''}. Lift the block with remove_ticket_block if it no longer applies.`;
}

export function createBlocks(ctx: EngineContext) {
  const changed = (guildId: string) => ctx.changes.emit('guild', { guildId });
  return {
    async list(input: { guild_id: string }): Promise<{ blocks: TicketBlock[]; total: number }> {
      await requireGuild(ctx.db, input.guild_id);
      const rows = await ctx.db.selectFrom('ticket_blocks').selectAll().where('guild_id', '=', input.guild_id)
        .orderBy('created_at').orderBy('target_type').orderBy('target_id').execute();
      return { blocks: rows.map(view), total: rows.length };
    },

    /** Blocks a member or a role; blocking again updates the reason. */
    async add(actor: Actor, input: BlockTarget & { reason?: string | null | undefined }): Promise<TicketBlock> {
      const target = targetOf(input);
      const row = await inTransaction(ctx.db, async (trx) => {
        await requireGuild(trx, input.guild_id);
        if (target.type === 'role') await checkRoleRefs(trx, input.guild_id, 'role_id', [target.id]);
        return trx.insertInto('ticket_blocks')
          .values({ guild_id: input.guild_id, target_type: target.type, target_id: target.id, reason: input.reason ?? null, added_by: actor.userId, created_at: ctx.now() })
          .onConflict((oc) => oc.columns(['guild_id', 'target_type', 'target_id']).doUpdateSet({ reason: input.reason ?? null }))
          .returningAll().executeTakeFirstOrThrow();
      });
      changed(input.guild_id);
      return view(row);
    },

    /** Lifts a block; returns what was lifted. */
    async remove(_actor: Actor, input: BlockTarget): Promise<TicketBlock> {
      const target = targetOf(input);
      await requireGuild(ctx.db, input.guild_id);
      const row = await ctx.db.deleteFrom('ticket_blocks')
        .where('guild_id', '=', input.guild_id).where('target_type', '=', target.type).where('target_id', '=', target.id)
        .returningAll().executeTakeFirst();
      if (!row) throw notFound(`${target.type === 'user' ? 'User' : 'Role'} ${target.id} is not blocked in guild ${input.guild_id}. See list_ticket_blocks.`);
      changed(input.guild_id);
      return view(row);
    },

    /** The block that stops this member opening a ticket (their live roles when known), or null. */
    async blocking(guildId: string, userId: string, roles?: readonly string[]): Promise<{ target_type: 'user' | 'role'; target_id: string; reason: string | null } | null> {
      const row = await ctx.db.selectFrom('guilds').select((eb) => jsonObjectFrom(blockFor(eb, userId, roles)).as('block'))
        .where('guilds.id', '=', guildId).executeTakeFirst();
      return row?.block ?? null;
    },
  };
}
