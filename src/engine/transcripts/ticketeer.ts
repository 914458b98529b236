/**
 * A ticket's transcript in Ticketeer's shape: the guild's roles and channels (to resolve mentions),
 * the ticket group, the ticket, and for the ticket channel and the staff notes thread their members,
 * messages and attachments. Messages are read through the keyset stream, batch by batch.
 */
import { createHash } from 'node:crypto';
import type { FormAnswer, FormField, GroupRow, Level, TicketRow, TicketStatus, WeekSchedule } from '../../db/schema.js';
import type { EngineContext } from '../context.js';
import { cancelled } from '../errors.js';
import { avatarUrl, iso } from '../views.js';
import type { Db, Tx } from '../tx.js';
import type { TranscriptMessage, createTranscriptReader } from './stream.js';

export interface TicketeerMember {
  id: string; avatar: string; name: string; bot: boolean; joined_at: string | null; roles: string[]; rating: number | null;
}
export interface TicketeerAttachment {
  id: string; message_id: string; name: string; hash: string; mime: string; size: number; url: string; encrypted: boolean;
}
export interface TicketeerMessage {
  id: string; channel_id: string; author_id: string;
  author: { id: string; name: string; avatar: string; bot: boolean };
  content: string; embeds: unknown[]; attachments: string[];
  created_at: string; edited_at: string | null; deleted: boolean; deleted_at: string | null;
}
export interface TicketeerTranscript {
  guild: {
    id: string; name: string; premium: boolean;
    roles: Array<{ id: string; name: string; color: string; position: number; hoist: boolean }>;
    channels: Array<{ id: string; name: string; type: number; parent_id: string | null; position: number | null }>;
  };
  group: {
    id: string; name: string; form_title: string; form_fields: FormField[]; schedule: WeekSchedule; schedule_timezone: string;
    priority_levels: Level[]; rating_levels: Level[];
  };
  ticket: {
    id: string; uuid: string; status: TicketStatus; owner_id: string; channel_id: string | null; thread_id: string | null;
    assigned_id: string | null; number: number; priority: number | null; rating: number | null; private: boolean;
    form: FormAnswer[]; locked_at: string | null; opened_at: string | null; closed_reason: string | null;
    closed_at: string | null; created_at: string; deleted_at: string | null; transcript_saved_at: string | null;
  };
  channel_members: TicketeerMember[];
  channel_messages: TicketeerMessage[];
  channel_message_attachments: TicketeerAttachment[];
  thread_members: TicketeerMember[];
  thread_messages: TicketeerMessage[];
  thread_message_attachments: TicketeerAttachment[];
}

const hex = (color: number) => `#${color.toString(16).padStart(6, '0')}`;

export interface BuildOptions {
  reader: ReturnType<typeof createTranscriptReader>;
  batchSize?: number | undefined;
  signal?: AbortSignal | undefined;
  /** Called after each batch with the number of messages read so far. */
  onBatch?: ((read: number) => void) | undefined;
}

/** Everything of the document but the messages and their attachments. */
export type TicketeerHead = Pick<TicketeerTranscript, 'guild' | 'group' | 'ticket' | 'channel_members' | 'thread_members'>;

export async function buildTicketeerHead(db: Db | Tx, ticket: TicketRow, group: GroupRow): Promise<TicketeerHead> {
  const guild = await db.selectFrom('guilds').select(['id', 'name', 'premium']).where('id', '=', ticket.guild_id).executeTakeFirstOrThrow();
  const roles = await db.selectFrom('roles').select(['id', 'name', 'color', 'position', 'hoist'])
    .where('guild_id', '=', ticket.guild_id).where('deleted_at', 'is', null).orderBy('position', 'desc').orderBy('id').execute();
  const channels = await db.selectFrom('channels').select(['id', 'name', 'type', 'parent_id', 'position'])
    .where('guild_id', '=', ticket.guild_id).where('deleted_at', 'is', null).orderBy('position').orderBy('id').execute();
  return {
    guild: {
      id: guild.id, name: guild.name, premium: guild.premium,
      roles: roles.map((r) => ({ id: r.id, name: r.name, color: hex(r.color), position: r.position, hoist: r.hoist })),
      channels: channels.map((c) => ({ id: c.id, name: c.name, type: c.type, parent_id: c.parent_id, position: c.position })),
    },
    group: {
      id: group.id, name: group.name, form_title: group.form_title ?? '', form_fields: group.form_fields,
      schedule: group.schedule ?? {}, schedule_timezone: group.schedule_timezone ?? 'UTC',
      priority_levels: group.priority_levels, rating_levels: group.rating_levels,
    },
    ticket: {
      id: ticket.id, uuid: ticket.uuid, status: ticket.status, owner_id: ticket.owner_id, channel_id: ticket.channel_id,
      thread_id: ticket.thread_id, assigned_id: ticket.assigned_id, number: ticket.number, priority: ticket.priority,
      rating: ticket.rating, private: group.private, form: ticket.form, locked_at: iso(ticket.locked_at),
      opened_at: iso(ticket.opened_at), closed_reason: ticket.closed_reason, closed_at: iso(ticket.closed_at),
      created_at: ticket.created_at.toISOString(), deleted_at: iso(ticket.deleted_at), transcript_saved_at: iso(ticket.transcript_saved_at),
    },
    channel_members: await members(db, ticket, 'channel'),
    thread_members: await members(db, ticket, 'notes'),
  };
}

export async function buildTicketeerTranscript(ctx: EngineContext, ticket: TicketRow, group: GroupRow, opts: BuildOptions): Promise<TicketeerTranscript> {
  let read = 0;
  const collect = async (scope: 'channel' | 'notes') => {
    const messages: TicketeerMessage[] = [];
    const attachments: TicketeerAttachment[] = [];
    for await (const batch of opts.reader.streamBatches(ticket.id, { scope, batchSize: opts.batchSize, signal: opts.signal })) {
      for (const m of batch) {
        messages.push(ticketeerMessage(m));
        for (const a of m.attachments) attachments.push(ticketeerAttachment(a));
      }
      read += batch.length;
      opts.onBatch?.(read);
    }
    if (opts.signal?.aborted) throw cancelled();
    return { messages, attachments };
  };
  const channel = await collect('channel');
  const notes = await collect('notes');
  const head = await buildTicketeerHead(ctx.db, ticket, group);
  return {
    guild: head.guild, group: head.group, ticket: head.ticket,
    channel_members: head.channel_members,
    channel_messages: channel.messages,
    channel_message_attachments: channel.attachments,
    thread_members: head.thread_members,
    thread_messages: notes.messages,
    thread_message_attachments: notes.attachments,
  };
}

export function ticketeerMessage(m: TranscriptMessage): TicketeerMessage {
  return {
    id: m.id, channel_id: m.channel_id, author_id: m.author.id,
    author: { id: m.author.id, name: m.author.name, avatar: avatarUrl(m.author.id, m.author.avatar), bot: m.author.bot },
    content: m.content, embeds: m.embeds, attachments: m.attachments.map((a) => a.id),
    created_at: m.created_at, edited_at: m.edited_at, deleted: m.deleted_at !== null, deleted_at: m.deleted_at,
  };
}

export function ticketeerAttachment(a: TranscriptMessage['attachments'][number]): TicketeerAttachment {
  return {
    id: a.id, message_id: a.message_id, name: a.filename,
    // We keep Discord's URL rather than a copy of the file, so the hash names the file by identity.
    hash: createHash('sha256').update(`${a.id}:${a.url}`).digest('hex').slice(0, 32),
    mime: a.content_type ?? 'application/octet-stream', size: a.size, url: a.url, encrypted: false,
  };
}

/**
 * Members of the ticket channel (owner, assignee, added users, anyone who wrote there) or of the
 * notes thread (added users, anyone who wrote there), with names from the users table and roles
 * from the members table. One aggregate query over the messages, not a scan into memory.
 */
async function members(db: Db | Tx, ticket: TicketRow, scope: 'channel' | 'notes'): Promise<TicketeerMember[]> {
  const joined = new Map<string, Date | null>();
  if (scope === 'channel') {
    joined.set(ticket.owner_id, ticket.created_at);
    if (ticket.assigned_id) joined.set(ticket.assigned_id, null);
  }
  const added = await db.selectFrom('ticket_members').select(['user_id', 'added_at'])
    .where('ticket_id', '=', ticket.id).where('scope', '=', scope).orderBy('added_at').execute();
  for (const a of added) if (!joined.get(a.user_id)) joined.set(a.user_id, a.added_at);
  const authors = await db.selectFrom('messages').select(['author_id', 'author_name', 'author_avatar', 'author_bot'])
    .distinctOn('author_id').where('ticket_id', '=', ticket.id).where('in_notes', '=', scope === 'notes')
    .orderBy('author_id').orderBy('created_at', 'desc').execute();
  const byAuthor = new Map(authors.map((a) => [a.author_id, a]));
  for (const a of authors) if (!joined.has(a.author_id)) joined.set(a.author_id, null);
  const ids = [...joined.keys()];
  if (ids.length === 0) return [];
  const users = new Map((await db.selectFrom('users').select(['id', 'username', 'global_name', 'avatar', 'bot']).where('id', 'in', ids).execute())
    .map((u) => [u.id, u]));
  const roles = new Map((await db.selectFrom('members').select(['user_id', 'roles']).where('guild_id', '=', ticket.guild_id).where('user_id', 'in', ids).execute())
    .map((m) => [m.user_id, m.roles]));
  return ids.map((id) => {
    const user = users.get(id);
    const author = byAuthor.get(id);
    return {
      id,
      avatar: avatarUrl(id, user?.avatar ?? author?.author_avatar ?? null),
      name: user ? (user.global_name ?? user.username) : (author?.author_name ?? id),
      bot: user?.bot ?? author?.author_bot ?? false,
      joined_at: iso(joined.get(id) ?? null),
      roles: roles.get(id) ?? [],
      rating: scope === 'channel' && id === ticket.owner_id ? ticket.rating : null,
    };
  });
}
