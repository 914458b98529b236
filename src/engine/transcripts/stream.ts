/**
 * The transcript store's read side. Messages are read in keyset batches ordered by (created_at, id),
 * so a 50k-message transcript streams in constant memory: nothing here ever loads a whole ticket.
 */
import type { EngineContext } from '../context.js';
import { invalid } from '../errors.js';
import { iso } from '../views.js';

export type TranscriptScope = 'all' | 'channel' | 'notes';

export interface TranscriptAttachment {
  id: string;
  message_id: string;
  filename: string;
  content_type: string | null;
  size: number;
  url: string;
}

export interface TranscriptMessage {
  id: string;
  ticket_id: string;
  channel_id: string;
  /** true for the staff notes thread, false for the ticket channel or thread. */
  in_notes: boolean;
  author: { id: string; name: string; avatar: string | null; bot: boolean };
  content: string;
  embeds: unknown[];
  attachments: TranscriptAttachment[];
  created_at: string;
  edited_at: string | null;
  /** Deleted messages stay in the transcript, marked. */
  deleted_at: string | null;
}

export interface StreamOptions {
  /** Messages per database round trip (1–5000, default 500). */
  batchSize?: number | undefined;
  scope?: TranscriptScope | undefined;
  /** Keyset start: only messages after this position. */
  after?: MessageCursor | undefined;
  /** Stops the stream early (between batches) when aborted. */
  signal?: AbortSignal | undefined;
}

export interface MessageCursor { created_at: string; id: string }

export function encodeMessageCursor(c: MessageCursor): string {
  return Buffer.from(JSON.stringify([c.created_at, c.id])).toString('base64url');
}

export function decodeMessageCursor(cursor: string): MessageCursor {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && typeof v[0] === 'string' && typeof v[1] === 'string' && !Number.isNaN(Date.parse(v[0]))) {
      return { created_at: v[0], id: v[1] };
    }
  } catch { /* fall through */ }
  throw invalid('cursor is not one this server handed out; pass the next_cursor of a previous page, or omit it.', [{ path: 'cursor', message: 'invalid cursor' }]);
}

export function createTranscriptReader(ctx: EngineContext) {
  async function readBatch(ticketId: string, scope: TranscriptScope, after: MessageCursor | undefined, limit: number): Promise<TranscriptMessage[]> {
    let q = ctx.db.selectFrom('messages').selectAll().where('ticket_id', '=', ticketId);
    if (scope !== 'all') q = q.where('in_notes', '=', scope === 'notes');
    if (after) {
      const at = new Date(after.created_at);
      q = q.where((eb) => eb(eb.refTuple('created_at', 'id'), '>', eb.tuple(at, after.id)));
    }
    const rows = await q.orderBy('created_at', 'asc').orderBy('id', 'asc').limit(limit).execute();
    if (rows.length === 0) return [];
    const files = await ctx.db.selectFrom('attachments').selectAll()
      .where('message_id', 'in', rows.map((r) => r.id)).orderBy('id', 'asc').execute();
    const byMessage = new Map<string, TranscriptAttachment[]>();
    for (const f of files) {
      const list = byMessage.get(f.message_id) ?? [];
      list.push({ id: f.id, message_id: f.message_id, filename: f.filename, content_type: f.content_type, size: f.size, url: f.url });
      byMessage.set(f.message_id, list);
    }
    return rows.map((r) => ({
      id: r.id, ticket_id: r.ticket_id, channel_id: r.channel_id, in_notes: r.in_notes,
      author: { id: r.author_id, name: r.author_name, avatar: r.author_avatar, bot: r.author_bot },
      content: r.content, embeds: r.embeds, attachments: byMessage.get(r.id) ?? [],
      created_at: r.created_at.toISOString(), edited_at: iso(r.edited_at), deleted_at: iso(r.deleted_at),
    }));
  }

  /** Batches of messages in transcript order; each batch is one query (plus one for its attachments). */
  async function* streamBatches(ticketId: string, opts: StreamOptions = {}): AsyncGenerator<TranscriptMessage[], void, undefined> {
    const size = Math.min(Math.max(Math.trunc(opts.batchSize ?? 500), 1), 5000);
    let after = opts.after;
    for (;;) {
      if (opts.signal?.aborted) return;
      const batch = await readBatch(ticketId, opts.scope ?? 'all', after, size);
      if (batch.length > 0) yield batch;
      const last = batch.at(-1);
      if (!last || batch.length < size) return;
      after = { created_at: last.created_at, id: last.id };
    }
  }

  /** Every message of a ticket in order, one at a time, read `batchSize` at a time. */
  async function* streamMessages(ticketId: string, opts: StreamOptions = {}): AsyncGenerator<TranscriptMessage, void, undefined> {
    for await (const batch of streamBatches(ticketId, opts)) yield* batch;
  }

  return {
    streamBatches,
    streamMessages,

    /** One page of messages plus the cursor of the next page (null at the end). */
    async page(ticketId: string, opts: { scope?: TranscriptScope | undefined; cursor?: string | undefined; limit?: number | undefined }) {
      const limit = Math.min(Math.max(opts.limit ?? 100, 1), 500);
      const after = opts.cursor ? decodeMessageCursor(opts.cursor) : undefined;
      const rows = await readBatch(ticketId, opts.scope ?? 'all', after, limit + 1);
      const messages = rows.slice(0, limit);
      const last = messages.at(-1);
      return { messages, next_cursor: rows.length > limit && last ? encodeMessageCursor({ created_at: last.created_at, id: last.id }) : null };
    },

    async count(ticketId: string, scope: TranscriptScope = 'all'): Promise<number> {
      let q = ctx.db.selectFrom('messages').select((eb) => eb.fn.countAll<string>().as('n')).where('ticket_id', '=', ticketId);
      if (scope !== 'all') q = q.where('in_notes', '=', scope === 'notes');
      return Number((await q.executeTakeFirstOrThrow()).n);
    },
  };
}
