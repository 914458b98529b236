/**
 * The transcript store: recording (gateway → store), reading (keyset streams and pages), the
 * Ticketeer transcript document, and the save / send requests that hand a transcript to Discord.
 */
import type { GroupRow, TicketRow } from '../../db/schema.js';
import type { Actor } from '../actor.js';
import type { EngineContext } from '../context.js';
import { cancelled, EngineError } from '../errors.js';
import { requireTicketsModule } from '../guards.js';
import type { Db } from '../tx.js';
import type { TicketView } from '../views.js';
import type { TicketTarget } from '../tickets/actions.js';
import { findTicket } from '../tickets/lookup.js';
import { mutateTicket } from '../tickets/mutate.js';
import { createTranscriptRecorder } from './record.js';
import { createTranscriptReader, type TranscriptScope } from './stream.js';
import { buildTicketeerHead, buildTicketeerTranscript, type TicketeerHead, type TicketeerTranscript } from './ticketeer.js';

export type { RecordedMessage, ChangedMessage } from './record.js';
export type { TranscriptMessage, TranscriptAttachment, TranscriptScope, StreamOptions, MessageCursor } from './stream.js';
export type { TicketeerHead, TicketeerTranscript } from './ticketeer.js';

export type { TicketTarget };

export interface LongRunOptions {
  signal?: AbortSignal | undefined;
  /** Progress of the call: `done` of `total` steps (messages read, plus the save itself). */
  onProgress?: ((done: number, total: number, message: string) => void) | undefined;
  batchSize?: number | undefined;
}

async function groupOf(db: Db, ticket: TicketRow): Promise<GroupRow> {
  // A ticket keeps its group's settings for its transcript even after the group is deleted.
  return db.selectFrom('ticket_groups').selectAll().where('id', '=', ticket.group_id).executeTakeFirstOrThrow();
}

export function createTranscripts(ctx: EngineContext) {
  const reader = createTranscriptReader(ctx);

  async function document(ticket: TicketRow, opts: LongRunOptions, stepsBefore: number): Promise<TicketeerTranscript> {
    const total = stepsBefore + await reader.count(ticket.id);
    opts.onProgress?.(stepsBefore, total, 'Reading the transcript');
    const doc = await buildTicketeerTranscript(ctx, ticket, await groupOf(ctx.db, ticket), {
      reader, batchSize: opts.batchSize, signal: opts.signal,
      onBatch: (read) => opts.onProgress?.(Math.min(stepsBefore + read, total), total, `Read ${read} of ${total - stepsBefore} messages`),
    });
    opts.onProgress?.(total, total, 'Transcript ready');
    return doc;
  }

  return {
    ...createTranscriptRecorder(ctx),
    streamMessages: reader.streamMessages,
    streamBatches: reader.streamBatches,
    countMessages: reader.count,

    /** A page of a ticket's messages (oldest first) and the cursor of the next page. */
    async listMessages(input: TicketTarget & { scope?: TranscriptScope | undefined; cursor?: string | undefined; limit?: number | undefined }) {
      await requireTicketsModule(ctx.db, input.guild_id);
      const ticket = await findTicket(ctx.db, input.guild_id, input.ticket);
      const page = await reader.page(ticket.id, input);
      return { ticket_id: ticket.id, total: await reader.count(ticket.id, input.scope ?? 'all'), ...page };
    },

    /** The Ticketeer transcript document of a ticket (deleted tickets included: that is when it matters). */
    async get(input: TicketTarget, opts: LongRunOptions = {}): Promise<TicketeerTranscript> {
      await requireTicketsModule(ctx.db, input.guild_id);
      const ticket = await findTicket(ctx.db, input.guild_id, input.ticket);
      return document(ticket, opts, 0);
    },

    /** The Ticketeer document without its messages (guild, group, ticket, members), for writers that stream the messages themselves. */
    async head(input: TicketTarget): Promise<TicketeerHead> {
      await requireTicketsModule(ctx.db, input.guild_id);
      const ticket = await findTicket(ctx.db, input.guild_id, input.ticket);
      return buildTicketeerHead(ctx.db, ticket, await groupOf(ctx.db, ticket));
    },

    /**
     * Marks the transcript saved and queues the Discord job that fetches the channel's whole history
     * and posts the file to the group's transcript channel — one transaction with its event. Aborting
     * before the commit writes nothing. Returns the updated transcript document.
     */
    async save(actor: Actor, input: TicketTarget, opts: LongRunOptions = {}): Promise<TicketeerTranscript> {
      if (opts.signal?.aborted) throw cancelled();
      opts.onProgress?.(0, 1, 'Saving the transcript');
      const view = await mutateTicket(ctx, actor, input.guild_id, input.ticket, (s) => {
        if (opts.signal?.aborted) throw cancelled();
        return {
          kind: 'transcript_saved',
          patch: { transcript_saved_at: s.now },
          jobs: [{
            kind: 'transcript.post',
            payload: {
              transcript_channel_id: s.group.transcript_channel_id, channel_id: s.ticket.channel_id,
              thread_id: s.ticket.thread_id, notes_thread_id: s.ticket.notes_thread_id, requested_by: actor.userId,
            },
          }],
        };
      });
      const ticket = await ctx.db.selectFrom('tickets').selectAll().where('id', '=', view.id).executeTakeFirstOrThrow();
      try {
        return await document(ticket, opts, 1);
      } catch (err) {
        if (err instanceof EngineError && err.details['cancelled']) {
          throw new EngineError('unavailable', 'The request was cancelled after the transcript save was recorded; the save stands. Call get_transcript to read it.', { cancelled: true });
        }
        throw err;
      }
    },

    /** Queues a DM of the ticket's transcript to a user (a Discord job plus its event). */
    async send(actor: Actor, input: TicketTarget & { user_id: string }, opts: { signal?: AbortSignal | undefined } = {}): Promise<{ queued: true; user_id: string; ticket: TicketView }> {
      if (opts.signal?.aborted) throw cancelled();
      // A deleted ticket's transcript is still worth sending: its channel is gone, the store is not.
      const ticket = await mutateTicket(ctx, actor, input.guild_id, input.ticket, () => {
        if (opts.signal?.aborted) throw cancelled();
        return {
          kind: 'transcript_sent',
          data: { user_id: input.user_id },
          jobs: [{ kind: 'transcript.send', payload: { user_id: input.user_id, requested_by: actor.userId } }],
        };
      }, { allowDeleted: true });
      return { queued: true, user_id: input.user_id, ticket };
    },
  };
}

export type Transcripts = ReturnType<typeof createTranscripts>;
