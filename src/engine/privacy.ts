/**
 * What an outside bot (Husqy) tells us about ticket messages, and what a member may ask about their
 * own data: linking a message to a ticket (its content is fetched from Discord by a job), unlinking
 * one, counting a member's references in a guild's tickets, and removing them.
 */
import { sql } from 'kysely';
import type { Actor } from './actor.js';
import type { EngineContext } from './context.js';
import { invalid, notFound } from './errors.js';
import { appendEvent } from './events.js';
import { requireGuild, requireTicketsModule } from './guards.js';
import { enqueueJobs, type JobInput } from './jobs.js';
import type { Outbox } from './outbox.js';
import { mutateTicket } from './tickets/mutate.js';
import { inTransaction, json, type Db, type Tx } from './tx.js';
import { iso } from './views.js';

export interface MessageRef { guild_id: string; channel_id: string; message_id: string }
export interface UserRef { guild_id: string; user_id: string }

export type LinkStatus = 'recorded' | 'already_recorded' | 'queued' | 'not_captured';
export interface LinkedMessage { ticket_id: string; channel_id: string; message_id: string; in_notes: boolean; status: LinkStatus; detail: string }
export interface UnlinkedMessage { ticket_id: string; channel_id: string; message_id: string; deleted_at: string; changed: boolean }

export interface UserTicketData {
  guild_id: string; user_id: string;
  tickets_owned: number; tickets_assigned: number; ticket_memberships: number; notes_memberships: number;
  messages: number; attachments: number; total: number;
}
export interface DeletedUserTicketData {
  guild_id: string; user_id: string;
  tickets_affected: number;
  deleted: { messages_redacted: number; attachments: number; ticket_memberships: number; notes_memberships: number; webhook_deliveries: number };
  kept: { tickets_owned: number; tickets_assigned: number };
}

export const CAPTURE = 'message.capture';
/** Discord's own placeholder account for deleted users: redacted lines point at it instead of the member. */
export const DELETED_USER_ID = '456226577798135808';
export const DELETED_USER_NAME = 'Deleted user';

/**
 * The ticket whose channel, thread or notes thread is `channelId`, an undeleted one first (NULLs sort
 * first in DESC); a deleted one still answers, so linking can say why it cannot.
 */
async function ticketOfChannel(db: Db | Tx, guildId: string, channelId: string) {
  return db.selectFrom('tickets').select(['id', 'channel_id', 'thread_id', 'notes_thread_id'])
    .where('guild_id', '=', guildId)
    .where((eb) => eb.or([eb('channel_id', '=', channelId), eb('thread_id', '=', channelId), eb('notes_thread_id', '=', channelId)]))
    .orderBy('deleted_at', 'desc').orderBy('created_at', 'desc')
    .executeTakeFirst();
}

/** The newest capture job of a message in a ticket. */
async function captureJob(db: Db | Tx, ticketId: string, messageId: string) {
  return db.selectFrom('discord_jobs').select(['id', 'status', 'last_error', 'result'])
    .where('ticket_id', '=', ticketId).where('kind', '=', CAPTURE)
    .where(sql<string>`payload->>'message_id'`, '=', messageId)
    .orderBy('id', 'desc').executeTakeFirst();
}

/** Counts of a member's references in a guild's tickets, in one query. */
async function countUserData(db: Db | Tx, input: UserRef): Promise<UserTicketData> {
  const { guild_id: g, user_id: u } = input;
  const n = (v: unknown) => Number(v ?? 0);
  const row = await db.selectNoFrom((eb) => [
    eb.selectFrom('tickets').select((e) => e.fn.countAll<string>().as('n')).where('guild_id', '=', g).where('owner_id', '=', u).as('owned'),
    eb.selectFrom('tickets').select((e) => e.fn.countAll<string>().as('n')).where('guild_id', '=', g).where('assigned_id', '=', u).as('assigned'),
    eb.selectFrom('ticket_members').innerJoin('tickets', 'tickets.id', 'ticket_members.ticket_id').select((e) => e.fn.countAll<string>().as('n'))
      .where('tickets.guild_id', '=', g).where('ticket_members.user_id', '=', u).where('ticket_members.scope', '=', 'channel').as('channel'),
    eb.selectFrom('ticket_members').innerJoin('tickets', 'tickets.id', 'ticket_members.ticket_id').select((e) => e.fn.countAll<string>().as('n'))
      .where('tickets.guild_id', '=', g).where('ticket_members.user_id', '=', u).where('ticket_members.scope', '=', 'notes').as('notes'),
    eb.selectFrom('messages').select((e) => e.fn.countAll<string>().as('n')).where('guild_id', '=', g).where('author_id', '=', u).as('messages'),
    eb.selectFrom('attachments').innerJoin('messages', 'messages.id', 'attachments.message_id').select((e) => e.fn.countAll<string>().as('n'))
      .where('messages.guild_id', '=', g).where('messages.author_id', '=', u).as('attachments'),
  ]).executeTakeFirstOrThrow();
  const counts = {
    tickets_owned: n(row.owned), tickets_assigned: n(row.assigned), ticket_memberships: n(row.channel), notes_memberships: n(row.notes),
    messages: n(row.messages), attachments: n(row.attachments),
  };
  return { guild_id: g, user_id: u, ...counts, total: Object.values(counts).reduce((a, b) => a + b, 0) };
}

export function createPrivacy(ctx: EngineContext, outbox: Outbox) {
  const db = ctx.db;

  /** How a link ended once its capture job had its (bounded) chance to run. */
  async function linkOutcome(ticketId: string, messageId: string): Promise<{ status: LinkStatus; detail: string }> {
    const recorded = await db.selectFrom('messages').select('id').where('id', '=', messageId).executeTakeFirst();
    if (recorded) return { status: 'recorded', detail: 'The message was fetched from Discord and added to the transcript.' };
    const job = await captureJob(db, ticketId, messageId);
    if (!job || job.status === 'pending' || job.status === 'running') {
      return { status: 'queued', detail: 'The message will be fetched from Discord and added to the transcript as soon as the bot reaches Discord.' };
    }
    const why = job.status === 'dead' ? job.last_error : (typeof job.result?.['reason'] === 'string' ? job.result['reason'] : null);
    return { status: 'not_captured', detail: `The message could not be fetched from Discord${why ? `: ${why}` : ''}. Nothing was added to the transcript.` };
  }

  return {
    /**
     * Links a message written in a ticket's channel, thread or notes thread: one transaction writes the
     * 'message_linked' event and the Discord job that fetches the message into the transcript. A message
     * already recorded, or already queued for capture, changes nothing.
     */
    async linkMessage(actor: Actor, input: MessageRef): Promise<LinkedMessage> {
      await requireTicketsModule(db, input.guild_id);
      const found = await ticketOfChannel(db, input.guild_id, input.channel_id);
      if (!found) {
        throw notFound(`Channel ${input.channel_id} is not the channel, thread or notes thread of any ticket in guild ${input.guild_id}; only messages written in a ticket can be linked to it.`);
      }
      const inNotes = found.notes_thread_id === input.channel_id && found.channel_id !== input.channel_id && found.thread_id !== input.channel_id;
      let unchanged: { status: LinkStatus; detail: string } | null = null;
      await mutateTicket(ctx, actor, input.guild_id, { ticket_id: found.id }, async (s) => {
        const known = await s.trx.selectFrom('messages').select(['ticket_id', 'channel_id']).where('id', '=', input.message_id).executeTakeFirst();
        if (known && known.channel_id !== input.channel_id) {
          throw invalid(`Message ${input.message_id} was written in channel ${known.channel_id}, not ${input.channel_id}. Link it with the channel it was written in.`,
            [{ path: 'channel_id', message: `message ${input.message_id} belongs to channel ${known.channel_id}` }]);
        }
        if (known) {
          unchanged = { status: 'already_recorded', detail: 'The message is already in the transcript; nothing changed.' };
          return null;
        }
        const job = await captureJob(s.trx, s.ticket.id, input.message_id);
        if (job && (job.status === 'pending' || job.status === 'running')) {
          unchanged = { status: 'queued', detail: 'This message is already queued to be fetched from Discord; nothing changed.' };
          return null;
        }
        return {
          kind: 'message_linked',
          data: { channel_id: input.channel_id, message_id: input.message_id, in_notes: inNotes },
          jobs: [{ kind: CAPTURE, payload: { channel_id: input.channel_id, message_id: input.message_id } }],
        };
      });
      const base = { ticket_id: found.id, channel_id: input.channel_id, message_id: input.message_id, in_notes: inNotes };
      if (unchanged) return { ...base, ...(unchanged as { status: LinkStatus; detail: string }) };
      // With a worker in this process, wait (bounded) so the caller learns whether the line landed.
      await outbox.settleTicketJobs(found.id, [CAPTURE]);
      return { ...base, ...(await linkOutcome(found.id, input.message_id)) };
    },

    /**
     * Unlinks a message: its transcript line is marked deleted (it stays, as a deleted message does),
     * with a 'message_unlinked' event. Repeating it changes nothing.
     */
    async unlinkMessage(actor: Actor, input: MessageRef): Promise<UnlinkedMessage> {
      await requireTicketsModule(db, input.guild_id);
      const known = await db.selectFrom('messages').select(['ticket_id'])
        .where('id', '=', input.message_id).where('guild_id', '=', input.guild_id).where('channel_id', '=', input.channel_id)
        .executeTakeFirst();
      if (!known) {
        throw notFound(`No recorded message ${input.message_id} in channel ${input.channel_id} of guild ${input.guild_id}. Check both ids; only messages in a ticket's transcript can be unlinked.`);
      }
      let deletedAt: Date | null = null;
      let changed = false;
      // A deleted ticket keeps its transcript, so its lines can still be marked.
      await mutateTicket(ctx, actor, input.guild_id, { ticket_id: known.ticket_id }, async (s) => {
        const row = await s.trx.selectFrom('messages').select('deleted_at').where('id', '=', input.message_id).forUpdate().executeTakeFirstOrThrow();
        if (row.deleted_at) {
          deletedAt = row.deleted_at;
          return null;
        }
        deletedAt = s.now;
        changed = true;
        return {
          kind: 'message_unlinked',
          data: { channel_id: input.channel_id, message_id: input.message_id },
          apply: async (trx) => { await trx.updateTable('messages').set({ deleted_at: s.now }).where('id', '=', input.message_id).execute(); },
        };
      }, { allowDeleted: true });
      return { ticket_id: known.ticket_id, channel_id: input.channel_id, message_id: input.message_id, deleted_at: iso(deletedAt) as string, changed };
    },

    /** How often a member appears in a guild's tickets (deleted tickets included: their data is still stored). */
    async userData(input: UserRef): Promise<UserTicketData> {
      await requireGuild(db, input.guild_id);
      return countUserData(db, input);
    },

    /**
     * Removes a member's references from a guild's tickets in one transaction: their recorded messages
     * are redacted (content and embeds emptied, attachments deleted, author replaced by Discord's
     * deleted-user account), their ticket and notes memberships removed (with the Discord jobs that
     * take their access away), and each affected ticket gets a 'user_data_deleted' event carrying
     * only counts. Tickets they own or are assigned to stay as they are.
     */
    async deleteUserData(actor: Actor, input: UserRef): Promise<DeletedUserTicketData> {
      const { guild_id: g, user_id: u } = input;
      let jobCount = 0;
      const out = await inTransaction(db, async (trx) => {
        await requireGuild(trx, g);
        const before = await countUserData(trx, input);
        // Every ticket the member's data touches, locked in id order: concurrent changes queue behind us.
        const locked = await trx.selectFrom('tickets').select(['id', 'deleted_at']).where('guild_id', '=', g)
          .where((eb) => eb.or([
            eb.exists(eb.selectFrom('messages').select('messages.id').whereRef('messages.ticket_id', '=', 'tickets.id').where('messages.author_id', '=', u)),
            eb.exists(eb.selectFrom('ticket_members').select('ticket_members.user_id').whereRef('ticket_members.ticket_id', '=', 'tickets.id').where('ticket_members.user_id', '=', u)),
          ]))
          .orderBy('id').forUpdate().execute();
        const guildTickets = trx.selectFrom('tickets').select('id').where('guild_id', '=', g);
        const files = await trx.deleteFrom('attachments')
          .where('message_id', 'in', trx.selectFrom('messages').select('id').where('guild_id', '=', g).where('author_id', '=', u))
          .returning('ticket_id').execute();
        const lines = await trx.updateTable('messages')
          .set({ content: '', embeds: json([]), author_id: DELETED_USER_ID, author_name: DELETED_USER_NAME, author_avatar: null })
          .where('guild_id', '=', g).where('author_id', '=', u)
          .returning('ticket_id').execute();
        const memberships = await trx.deleteFrom('ticket_members')
          .where('ticket_id', 'in', guildTickets).where('user_id', '=', u)
          .returning(['ticket_id', 'scope']).execute();
        // Ticket webhooks carried their lines too: queued ones are not sent, sent ones not kept.
        const deliveries = await trx.deleteFrom('webhook_deliveries')
          .where('guild_id', '=', g).where('event', '=', 'ticket.message')
          .where(sql<string>`(body::jsonb -> 'message' ->> 'author_id')`, '=', u)
          .returning('id').execute();

        // A line written meanwhile in a ticket not locked above still gets its ticket's event.
        const seen = new Set(locked.map((t) => t.id));
        const late = [...new Set([...lines, ...memberships].map((r) => r.ticket_id))].filter((id) => !seen.has(id)).sort();
        const touched = late.length === 0 ? locked : [...locked, ...await trx.selectFrom('tickets').select(['id', 'deleted_at']).where('id', 'in', late).orderBy('id').forUpdate().execute()];

        const tallyOf = (rows: Array<{ ticket_id: string }>) => {
          const m = new Map<string, number>();
          for (const r of rows) m.set(r.ticket_id, (m.get(r.ticket_id) ?? 0) + 1);
          return (id: string) => m.get(id) ?? 0;
        };
        const linesOf = tallyOf(lines);
        const filesOf = tallyOf(files);
        const jobs: JobInput[] = [];
        for (const t of touched) {
          const removed = memberships.filter((m) => m.ticket_id === t.id);
          // version counts events, so the row stays equal to its replayed history.
          await trx.updateTable('tickets').set({ version: sql<number>`version + 1` }).where('id', '=', t.id).execute();
          await appendEvent(trx, actor, {
            ticketId: t.id, guildId: g, kind: 'user_data_deleted',
            data: {
              changes: {}, messages_redacted: linesOf(t.id), attachments_deleted: filesOf(t.id),
              ticket_memberships_removed: removed.filter((m) => m.scope === 'channel').length,
              notes_memberships_removed: removed.filter((m) => m.scope === 'notes').length,
            },
          });
          // Discord access follows the membership rows (a deleted ticket has no channel left to change).
          if (!t.deleted_at) {
            for (const m of removed) {
              jobs.push({ guildId: g, ticketId: t.id, kind: m.scope === 'notes' ? 'ticket.notes.member.remove' : 'ticket.member.remove', payload: { user_id: u } });
            }
          }
        }
        await enqueueJobs(trx, jobs);
        jobCount = jobs.length;
        return {
          ids: touched.map((t) => t.id),
          kept: { tickets_owned: before.tickets_owned, tickets_assigned: before.tickets_assigned },
          deleted: {
            messages_redacted: lines.length, attachments: files.length,
            ticket_memberships: memberships.filter((m) => m.scope === 'channel').length,
            notes_memberships: memberships.filter((m) => m.scope === 'notes').length,
            webhook_deliveries: deliveries.length,
          },
        };
      });
      for (const ticketId of out.ids) ctx.changes.emit('ticket', { guildId: g, ticketId });
      if (jobCount > 0) ctx.changes.emit('jobs', { count: jobCount });
      return {
        guild_id: g, user_id: u, tickets_affected: out.ids.length, deleted: out.deleted,
        kept: out.kept,
      };
    },
  };
}

export type Privacy = ReturnType<typeof createPrivacy>;
