/**
 * The transcript store's write side: every message, edit and delete of a ticket channel, notes
 * thread or ticket thread, recorded as it happens, each in one transaction with its effects on the
 * ticket (activity, first staff response, clearable expiry). Recording is idempotent per message id,
 * so a gateway that replays events after a reconnect never duplicates a line.
 */
import type { TicketRow, WaitingOn } from '../../db/schema.js';
import type { Actor } from '../actor.js';
import type { EngineContext } from '../context.js';
import { appendEvent } from '../events.js';
import { inTransaction, json, translateDbError, type Tx } from '../tx.js';
import {
  RecordDeleteInput, RecordEditInput, RecordMessageInput, parseInput,
  type RecordDeleteInput as RecordDeleteRaw, type RecordEditInput as RecordEditRaw, type RecordMessageInput as RecordMessageRaw,
} from './inputs.js';
import { isStaffAuthor } from './staff.js';
import { queueAutoReplies } from '../auto-replies.js';

export interface RecordedMessage {
  ticket_id: string;
  guild_id: string;
  message_id: string;
  /** true when the message was written in the ticket's staff notes thread. */
  in_notes: boolean;
  /** false when this message id was already recorded (a replay): nothing was written. */
  recorded: boolean;
  /** true when this message set the ticket's first_response_at. */
  first_response: boolean;
  /** true when this message cleared a clearable expiry. */
  expiry_cleared: boolean;
  /** Auto replies this message queued. */
  auto_replies?: number;
}

export interface ChangedMessage { ticket_id: string; guild_id: string; message_id: string }

/**
 * The ticket whose channel, thread or notes thread is `channelId`, locked for the rest of the
 * transaction, with its group's staff roles (who answers it), in one read.
 */
async function ticketOfChannel(trx: Tx, guildId: string, channelId: string): Promise<(TicketRow & { staff_role_ids: string[] | null }) | undefined> {
  return trx.selectFrom('tickets').selectAll('tickets')
    .select((eb) => eb.selectFrom('ticket_groups').select('staff_role_ids').whereRef('ticket_groups.id', '=', 'tickets.group_id').as('staff_role_ids'))
    .where('guild_id', '=', guildId)
    .where((eb) => eb.or([eb('channel_id', '=', channelId), eb('thread_id', '=', channelId), eb('notes_thread_id', '=', channelId)]))
    .where('deleted_at', 'is', null)
    .orderBy('created_at', 'desc')
    .forUpdate()
    .executeTakeFirst();
}

type TurnPatch = { waiting_on?: WaitingOn; waiting_since?: Date };

/** Staff's first answer in a ticket: its history row; the caller puts first_response_at in its patch and counts the event. */
async function recordFirstResponse(trx: Tx, actor: Actor, ticket: Pick<TicketRow, 'id' | 'guild_id'>, at: Date, messageId: string): Promise<void> {
  await appendEvent(trx, actor, {
    ticketId: ticket.id, guildId: ticket.guild_id, kind: 'first_response',
    data: { changes: { first_response_at: at.toISOString() }, message_id: messageId },
  });
}

/**
 * Whose turn it is after a line written at `at`: staff's line hands the turn to the owner, anyone
 * else's to staff. Only an open ticket's turn moves, and only forward in time (a backfilled older
 * line changes nothing).
 */
export function turnAfter(ticket: Pick<TicketRow, 'status' | 'waiting_on' | 'waiting_since'>, turn: WaitingOn, at: Date): TurnPatch {
  if (ticket.status !== 'open' || ticket.waiting_on === turn || at < ticket.waiting_since) return {};
  return { waiting_on: turn, waiting_since: at };
}

/** The author of a message stands as the actor of the events the message causes. */
function authorActor(userId: string | null, guildId: string): Actor {
  return { userId, tokenId: null, abilities: new Set(), guilds: [guildId], asBot: false };
}

export function createTranscriptRecorder(ctx: EngineContext) {
  const emit = (guildId: string, ticketId: string) => ctx.changes.emit('ticket', { guildId, ticketId, transcript: true });

  return {
    /**
     * Records a message written in a ticket's channel, thread or notes thread. Returns null when the
     * channel belongs to no (undeleted) ticket of the guild.
     */
    async recordMessage(raw: RecordMessageRaw): Promise<RecordedMessage | null> {
      const input = parseInput(RecordMessageInput, raw, 'message to record');
      const m = input.message;
      const result = await inTransaction(ctx.db, async (trx): Promise<RecordedMessage | null> => {
        const ticket = await ticketOfChannel(trx, input.guild_id, input.channel_id);
        if (!ticket) return null;
        const inNotes = ticket.notes_thread_id === input.channel_id
          && ticket.channel_id !== input.channel_id && ticket.thread_id !== input.channel_id;
        const bot = m.author.bot ?? false;
        const inserted = await trx.insertInto('messages').values({
          id: m.id,
          ticket_id: ticket.id,
          guild_id: ticket.guild_id,
          channel_id: input.channel_id,
          in_notes: inNotes,
          author_id: m.author.id,
          author_name: m.author.global_name ?? m.author.username,
          author_avatar: m.author.avatar ?? null,
          author_bot: bot,
          content: m.content,
          embeds: json(m.embeds),
          created_at: m.created_at,
        }).onConflict((oc) => oc.column('id').doNothing()).returning('id').executeTakeFirst();
        const base = { ticket_id: ticket.id, guild_id: ticket.guild_id, message_id: m.id, in_notes: inNotes };
        if (!inserted) return { ...base, recorded: false, first_response: false, expiry_cleared: false };

        if (m.attachments.length > 0) {
          await trx.insertInto('attachments').values(m.attachments.map((a) => ({
            id: a.id, message_id: m.id, ticket_id: ticket.id, filename: a.filename,
            content_type: a.content_type ?? null, size: a.size, url: a.url,
          }))).onConflict((oc) => oc.column('id').doNothing()).execute();
        }
        await trx.insertInto('users').values({
          id: m.author.id, username: m.author.username, global_name: m.author.global_name ?? null,
          avatar: m.author.avatar ?? null, bot, locale: null,
        }).onConflict((oc) => oc.column('id').doUpdateSet({
          username: m.author.username, global_name: m.author.global_name ?? null, avatar: m.author.avatar ?? null, bot,
        })).execute();

        // Notes-thread talk is invisible to the owner and bot lines (our own stale warnings among
        // them) are not conversation: neither keeps a ticket alive nor answers it.
        if (inNotes || bot) return { ...base, recorded: true, first_response: false, expiry_cleared: false };

        const actor = authorActor(m.author.id, ticket.guild_id);
        let events = 0;
        let firstResponse = false;
        let expiryCleared = false;
        const patch: TurnPatch & { last_activity?: Date; first_response_at?: Date; expire_at?: null; close_request_deadline?: null } = {};
        if (!ticket.last_activity || ticket.last_activity < m.created_at) patch.last_activity = m.created_at;
        const staff = m.author.id !== ticket.owner_id
          && await isStaffAuthor(trx, ticket, { staff_role_ids: ticket.staff_role_ids ?? [] }, { id: m.author.id, bot }, m.member_roles);
        Object.assign(patch, turnAfter(ticket, staff ? 'owner' : 'staff', m.created_at));
        if (staff && !ticket.first_response_at) {
          patch.first_response_at = m.created_at;
          firstResponse = true;
          events++;
          await recordFirstResponse(trx, actor, ticket, m.created_at, m.id);
        }
        if (ticket.expiry_clearable && ticket.expire_at) {
          patch.expire_at = null;
          expiryCleared = true;
          events++;
          await appendEvent(trx, actor, {
            ticketId: ticket.id, guildId: ticket.guild_id, kind: 'expiry_cleared',
            data: { changes: { expire_at: null }, message_id: m.id },
          });
        }
        // The owner wrote after a close request: they have more to say, so it no longer closes unanswered.
        if (ticket.close_request_deadline && m.author.id === ticket.owner_id && ticket.status === 'open') {
          patch.close_request_deadline = null;
          events++;
          await appendEvent(trx, actor, {
            ticketId: ticket.id, guildId: ticket.guild_id, kind: 'close_request_deadline_cleared',
            data: { changes: { close_request_deadline: null }, message_id: m.id },
          });
        }
        // The owner's words may call for a saved auto reply (once per ticket).
        const autoReplies = m.author.id === ticket.owner_id ? await queueAutoReplies(trx, ticket, input.channel_id, { id: m.id, content: m.content }) : 0;
        events += autoReplies;
        if (Object.keys(patch).length > 0 || events > 0) {
          // version counts events, so the row stays equal to its replayed history.
          await trx.updateTable('tickets').set({ ...patch, version: ticket.version + events }).where('id', '=', ticket.id).execute();
        }
        return { ...base, recorded: true, first_response: firstResponse, expiry_cleared: expiryCleared, auto_replies: autoReplies };
      });
      if (result?.recorded) emit(result.guild_id, result.ticket_id);
      if (result?.auto_replies) ctx.changes.emit('jobs', { count: result.auto_replies });
      return result;
    },

    /**
     * A message the bot posted into a ticket on someone's behalf (send_channel_message, a custom
     * message, /ticket tag). The gateway records it as the bot's line, which answers nothing, so the
     * job that posted it reports it here: from anyone but the owner it is staff's answer (the turn
     * passes to the owner; it may be the first response), from the owner it hands the turn to staff.
     * Repeating it changes nothing.
     */
    async recordReply(input: { ticket_id: string; message_id: string; author_id: string | null; at: Date }): Promise<void> {
      const changed = await inTransaction(ctx.db, async (trx) => {
        const ticket = await trx.selectFrom('tickets').selectAll().where('id', '=', input.ticket_id).where('deleted_at', 'is', null).forUpdate().executeTakeFirst();
        if (!ticket) return null;
        const staff = input.author_id !== ticket.owner_id;
        const patch: TurnPatch & { first_response_at?: Date } = turnAfter(ticket, staff ? 'owner' : 'staff', input.at);
        let events = 0;
        if (staff && !ticket.first_response_at) {
          patch.first_response_at = input.at;
          events++;
          await recordFirstResponse(trx, authorActor(input.author_id, ticket.guild_id), ticket, input.at, input.message_id);
        }
        if (Object.keys(patch).length === 0) return null;
        await trx.updateTable('tickets').set({ ...patch, version: ticket.version + events }).where('id', '=', ticket.id).execute();
        return ticket;
      });
      if (changed) emit(changed.guild_id, changed.id);
    },

    /** Records an edit. Returns null when the message is not in any ticket's transcript. */
    async recordEdit(raw: RecordEditRaw): Promise<ChangedMessage | null> {
      const input = parseInput(RecordEditInput, raw, 'message edit');
      const set: { content?: string; embeds?: string; edited_at: Date } = { edited_at: input.edited_at ?? ctx.now() };
      if (input.content !== undefined) set.content = input.content;
      if (input.embeds !== undefined) set.embeds = json(input.embeds);
      const row = await ctx.db.updateTable('messages').set(set)
        .where('id', '=', input.message_id).where('guild_id', '=', input.guild_id).where('channel_id', '=', input.channel_id)
        .returning(['id', 'ticket_id', 'guild_id']).executeTakeFirst()
        .catch((err: unknown) => { throw translateDbError(err); });
      if (!row) return null;
      emit(row.guild_id, row.ticket_id);
      return { ticket_id: row.ticket_id, guild_id: row.guild_id, message_id: row.id };
    },

    /**
     * Records a delete. The line stays in the transcript, marked deleted (deleted_at), because a
     * transcript is a record of what was said. Returns null when the message is unknown.
     */
    async recordDelete(raw: RecordDeleteRaw): Promise<ChangedMessage | null> {
      const input = parseInput(RecordDeleteInput, raw, 'message delete');
      const row = await ctx.db.updateTable('messages')
        .set((eb) => ({ deleted_at: eb.fn.coalesce('deleted_at', eb.val(ctx.now())) }))
        .where('id', '=', input.message_id).where('guild_id', '=', input.guild_id).where('channel_id', '=', input.channel_id)
        .returning(['id', 'ticket_id', 'guild_id']).executeTakeFirst()
        .catch((err: unknown) => { throw translateDbError(err); });
      if (!row) return null;
      emit(row.guild_id, row.ticket_id);
      return { ticket_id: row.ticket_id, guild_id: row.guild_id, message_id: row.id };
    },
  };
}
