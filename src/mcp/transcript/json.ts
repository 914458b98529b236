/**
 * Transcript as JSON in the Ticketeer shape ({guild, group, ticket, channel_members, channel_messages,
 * channel_message_attachments, thread_members, thread_messages, thread_message_attachments}), written
 * message by message. Thread = the staff notes thread. Attachment rows are held until their array is
 * written (a few hundred bytes each); members are the distinct speakers.
 */
import { ticketeerAttachment, ticketeerMessage } from '../../engine/transcripts/ticketeer.js';
import { avatarUrl } from '../../engine/views.js';
import { Chunker } from './chunks.js';
import type { TranscriptMessage, TranscriptSource } from './types.js';

interface Member { id: string; avatar: string; name: string; bot: boolean; joined_at: string | null; roles: string[]; rating: number | null }

const attachmentJson = (a: TranscriptMessage['attachments'][number]) => JSON.stringify(ticketeerAttachment(a));

export async function* renderJson(src: TranscriptSource): AsyncGenerator<string, void, undefined> {
  const chunks = new Chunker();
  const t = src.ticket;
  const head: Record<string, unknown> = {
    guild: { id: src.guild.id, name: src.guild.name },
    group: { id: t.group_id },
    ticket: {
      id: t.id, uuid: t.uuid, status: t.status, owner_id: t.owner_id, channel_id: t.channel_id, thread_id: t.thread_id,
      assigned_id: t.assigned_id, number: t.number, priority: t.priority, rating: t.rating, private: src.private ?? true, form: t.form,
      locked_at: t.locked_at, opened_at: t.opened_at, closed_reason: t.closed_reason, closed_at: t.closed_at,
      created_at: t.created_at, deleted_at: t.deleted_at, transcript_saved_at: t.transcript_saved_at,
    },
    ...src.head,
  };
  const { channel_members: _cm, thread_members: _tm, channel_messages: _a, thread_messages: _b, channel_message_attachments: _c, thread_message_attachments: _d, ...fixed } = head;
  chunks.push(JSON.stringify(fixed).slice(0, -1));
  for (const [scope, prefix] of [['channel', 'channel'], ['notes', 'thread']] as const) {
    const members = new Map<string, Member>();
    const attachments: string[] = [];
    let first = true;
    let c = chunks.push(`,"${prefix}_messages":[`);
    if (c) yield c;
    for await (const m of src.messages(scope)) {
      if (!members.has(m.author.id)) members.set(m.author.id, { id: m.author.id, avatar: avatarUrl(m.author.id, m.author.avatar), name: m.author.name, bot: m.author.bot, joined_at: null, roles: [], rating: null });
      for (const a of m.attachments) attachments.push(attachmentJson(a));
      c = chunks.push(`${first ? '' : ','}${JSON.stringify(ticketeerMessage(m))}`);
      first = false;
      if (c) yield c;
    }
    const givenMembers = head[`${prefix}_members`];
    if (scope === 'channel') {
      // The owner and the assignee are members of the channel even when they never wrote.
      for (const id of [t.owner_id, t.assigned_id]) if (id && !members.has(id)) members.set(id, { id, avatar: avatarUrl(id, null), name: id, bot: false, joined_at: null, roles: [], rating: null });
      const owner = members.get(t.owner_id);
      if (owner) owner.rating = t.rating;
    }
    const memberList = Array.isArray(givenMembers) ? givenMembers : [...members.values()];
    c = chunks.push(`],"${prefix}_message_attachments":[${attachments.join(',')}],"${prefix}_members":${JSON.stringify(memberList)}`);
    if (c) yield c;
  }
  chunks.push('}');
  const rest = chunks.take();
  if (rest) yield rest;
}
