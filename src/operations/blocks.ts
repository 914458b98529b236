/** Ticket block operations: who may not open tickets in a guild. */
import { z } from 'zod';
import { destructive, idempotentWrite, read } from './annotations.js';
import { defineOperation } from './define.js';
import { GuildId, Snowflake, Timestamp, UserId } from './schemas.js';

const Block = z.object({
  guild_id: Snowflake,
  type: z.enum(['user', 'role']).describe('user: one member; role: everyone with the role'),
  id: Snowflake.describe('The member\'s user ID or the role ID'),
  reason: z.string().nullable(), added_by: Snowflake.nullable(), created_at: Timestamp,
});

const Target = {
  guild_id: GuildId,
  user_id: UserId.optional().describe('The member to block (or role_id)'),
  role_id: Snowflake.optional().describe('The role whose members to block (or user_id)'),
};

export const listTicketBlocks = defineOperation({
  name: 'list_ticket_blocks', title: 'List ticket blocks', toolset: 'admin', ability: 'guild:read', annotations: read,
  description: 'List the members and roles blocked from opening tickets in a guild, with the reason and who blocked them.',
  input: z.object({ guild_id: GuildId }).strict(),
  output: z.object({ blocks: z.array(Block), total: z.number().int() }),
  run: (ctx, input) => ctx.engine.blocks.list(input),
});

export const addTicketBlock = defineOperation({
  name: 'add_ticket_block', title: 'Block from opening tickets', toolset: 'admin', ability: 'guild:admin', annotations: idempotentWrite,
  description: 'Stop a member (user_id), or everyone with a role (role_id), from opening tickets in the guild, by any route: panels, /ticket open, the APIs. Their open tickets stay open. Blocking again updates the reason.',
  input: z.object({ ...Target, reason: z.string().max(500).nullable().optional().describe('Why, for the other staff') }).strict(),
  output: Block,
  run: (ctx, input) => ctx.engine.blocks.add(ctx.actor, input),
});

export const removeTicketBlock = defineOperation({
  name: 'remove_ticket_block', title: 'Lift a ticket block', toolset: 'admin', ability: 'guild:admin', annotations: destructive,
  description: 'Lift the block on a member (user_id) or a role (role_id), so they can open tickets again. Fails when there is no such block.',
  input: z.object(Target).strict(),
  output: Block,
  run: (ctx, input) => ctx.engine.blocks.remove(ctx.actor, input),
});

export const blockOperations = [listTicketBlocks, addTicketBlock, removeTicketBlock];
