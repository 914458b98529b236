/**
 * Message linking (an outside bot tells us which Discord messages belong to a ticket) and a member's
 * privacy requests: how often they appear in a guild's tickets, and removing those references.
 */
import { z } from 'zod';
import { destructive, idempotentWrite, read } from './annotations.js';
import { defineOperation } from './define.js';
import { GuildId, Snowflake, Timestamp, UserId } from './schemas.js';

const MessageInput = z.object({
  guild_id: GuildId,
  channel_id: Snowflake.describe('The ticket channel, thread or notes thread'),
  message_id: Snowflake.describe('The Discord message ID'),
}).strict();

const UserInput = z.object({ guild_id: GuildId, user_id: UserId.describe('The member whose references are meant') }).strict();

const Count = z.number().int();

export const linkTicketMessage = defineOperation({
  name: 'link_ticket_message', title: 'Link a message to a ticket', toolset: 'transcripts', ability: 'tickets:write', annotations: idempotentWrite,
  description: "Add a message of a ticket's channel, thread or notes thread to its transcript (one the bot missed); the bot fetches it from Discord. Linking a recorded or queued message changes nothing.",
  input: MessageInput,
  output: z.object({
    ticket_id: Snowflake, message_id: Snowflake, in_notes: z.boolean(),
    status: z.enum(['recorded', 'already_recorded', 'queued', 'not_captured']), detail: z.string(),
  }),
  run: (ctx, input) => ctx.engine.privacy.linkMessage(ctx.actor, input),
});

export const unlinkTicketMessage = defineOperation({
  name: 'unlink_ticket_message', title: 'Unlink a message from a ticket', toolset: 'transcripts', ability: 'tickets:write', annotations: idempotentWrite,
  description: 'Mark a transcript message deleted, as a delete in Discord does (the line stays, marked). Repeating it changes nothing.',
  input: MessageInput,
  output: z.object({ ticket_id: Snowflake, message_id: Snowflake, deleted_at: Timestamp, changed: z.boolean() }),
  run: (ctx, input) => ctx.engine.privacy.unlinkMessage(ctx.actor, input),
});

export const getUserTicketData = defineOperation({
  // Read ability: a transcripts:read token can already see every fact counted here (owner, assignee, members, lines).
  name: 'get_user_ticket_data', title: "Count a member's ticket data", toolset: 'admin', ability: 'transcripts:read', annotations: read,
  description: "How often a member appears in a guild's tickets (deleted tickets included): tickets they own or are assigned to, ticket and notes-thread memberships, messages they wrote and their attachments. Works while the tickets module is off.",
  input: UserInput,
  output: z.object({
    guild_id: Snowflake, user_id: Snowflake,
    tickets_owned: Count, tickets_assigned: Count, ticket_memberships: Count, notes_memberships: Count,
    messages: Count, attachments: Count, total: Count.describe('Sum of the counts'),
  }),
  run: (ctx, input) => ctx.engine.privacy.userData(input),
});

export const deleteUserTicketData = defineOperation({
  name: 'delete_user_ticket_data', title: "Delete a member's ticket data", toolset: 'admin', ability: 'guild:admin', annotations: destructive,
  description: "Remove a member's references from a guild's tickets in one step: their transcript messages are redacted (content, embeds and attachments removed; author shown as Deleted user), their ticket and notes-thread memberships removed (access in Discord too), ticket-webhook deliveries of their lines deleted, and each affected ticket's history notes it without personal data. Tickets they own or are assigned to stay as they are (a ticket needs its owner; unassign separately); earlier history entries are kept. Cannot be undone.",
  input: UserInput,
  output: z.object({
    guild_id: Snowflake, user_id: Snowflake, tickets_affected: Count,
    deleted: z.object({ messages_redacted: Count, attachments: Count, ticket_memberships: Count, notes_memberships: Count, webhook_deliveries: Count.describe('Ticket-webhook deliveries of their lines, sent or queued') }),
    kept: z.object({ tickets_owned: Count, tickets_assigned: Count }).describe('References left in place'),
  }),
  run: (ctx, input) => ctx.engine.privacy.deleteUserData(ctx.actor, input),
});

export const messageLinkOperations = [linkTicketMessage, unlinkTicketMessage];
export const privacyOperations = [getUserTicketData, deleteUserTicketData];
