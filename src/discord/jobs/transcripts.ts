/**
 * transcript.post: fetch the ticket's whole history through REST (pages of 100) to fill any gap in
 * what the gateway captured, then post the transcript file to the transcript channel.
 * transcript.send: DM the transcript file to a user.
 */
import { Routes } from 'discord.js';
import { z } from 'zod';
import type { TicketContext } from '../../engine/outbox.js';
import { transcriptText } from '../transcript-file.js';
import { notice } from '../render.js';
import { UNKNOWN_CHANNEL, unlessGone } from '../errors.js';
import { sendOnce, type JobContext, type JobHandler } from './context.js';

/** A message as Discord's REST API returns it: the fields the transcript store keeps. */
export const HistoryMessage = z.looseObject({
  id: z.string(),
  content: z.string().default(''),
  timestamp: z.string(),
  author: z.looseObject({ id: z.string(), username: z.string(), global_name: z.string().nullish(), avatar: z.string().nullish(), bot: z.boolean().optional() }),
  embeds: z.array(z.unknown()).default([]),
  attachments: z.array(z.looseObject({ id: z.string(), filename: z.string(), content_type: z.string().nullish(), size: z.number(), url: z.string() })).default([]),
});

/** Reads a channel's history newest-first, 100 at a time, and records every message (known ones are no-ops). */
export async function backfillChannel(c: JobContext, guildId: string, channelId: string): Promise<number> {
  let before: string | undefined;
  let seen = 0;
  for (;;) {
    const query = new URLSearchParams({ limit: '100', ...(before ? { before } : {}) });
    const page = await unlessGone(async () => HistoryMessage.array().parse(await c.rest.get(Routes.channelMessages(channelId), { query })), [UNKNOWN_CHANNEL], []);
    for (const m of page) {
      await c.engine.transcripts.recordMessage({
        guild_id: guildId, channel_id: channelId,
        message: {
          id: m.id, content: m.content, embeds: m.embeds, created_at: m.timestamp,
          author: { id: m.author.id, username: m.author.username, global_name: m.author.global_name ?? null, avatar: m.author.avatar ?? null, bot: m.author.bot ?? false },
          attachments: m.attachments.map((a) => ({ id: a.id, filename: a.filename, content_type: a.content_type ?? null, size: a.size, url: a.url })),
        },
      });
    }
    seen += page.length;
    const last = page.at(-1);
    if (page.length < 100 || !last) return seen;
    before = last.id;
  }
}

async function load(c: JobContext): Promise<TicketContext> {
  const tc = c.job.ticket_id ? await c.engine.outbox.ticketContext(c.job.ticket_id) : null;
  if (!tc) throw new Error(`${c.job.kind} job ${c.job.id}: ticket ${c.job.ticket_id ?? '?'} not found`);
  return tc;
}

async function file(c: JobContext, tc: TicketContext) {
  const text = await transcriptText(c.engine, tc.ticket, tc.group.name);
  return [{ name: `transcript-${tc.ticket.number}.txt`, data: Buffer.from(text, 'utf8'), contentType: 'text/plain' }];
}

export const postTranscript: JobHandler = async (c) => {
  const tc = await load(c);
  const p = c.job.payload;
  const target = (typeof p['transcript_channel_id'] === 'string' ? p['transcript_channel_id'] : null) ?? tc.group.transcript_channel_id;
  if (c.job.checkpoint['backfilled'] !== true) {
    for (const id of new Set([tc.ticket.thread_id ?? tc.ticket.channel_id, tc.ticket.notes_thread_id])) {
      if (id && !tc.ticket.deleted_at) await backfillChannel(c, tc.ticket.guild_id, id);
    }
    await c.engine.outbox.checkpoint(c.job, { backfilled: true });
  }
  if (!target) return { result: { posted: false, reason: 'the ticket group has no transcript channel' } };
  const messageId = await sendOnce(c, target, 'transcript', notice(`📄 Transcript of ticket #${tc.ticket.number} (<@${tc.ticket.owner_id}>)${tc.ticket.closed_reason ? ` · closed: ${tc.ticket.closed_reason}` : ''}`), await file(c, tc));
  return { result: { posted: true, channel_id: target, message_id: messageId } };
};

export const sendTranscript: JobHandler = async (c) => {
  const tc = await load(c);
  const userId = c.job.payload['user_id'];
  if (typeof userId !== 'string') return { result: { sent: false, reason: 'no user_id' } };
  let dmId = c.job.checkpoint['dm_channel_id'];
  if (typeof dmId !== 'string') {
    const dm = z.looseObject({ id: z.string() }).parse(await c.rest.post(Routes.userChannels(), { body: { recipient_id: userId } }));
    dmId = dm.id;
    await c.engine.outbox.checkpoint(c.job, { dm_channel_id: dmId });
  }
  const messageId = await sendOnce(c, dmId as string, 'dm', notice(`📄 Here is the transcript of your ticket #${tc.ticket.number}.`), await file(c, tc));
  return { result: { sent: true, channel_id: dmId, message_id: messageId } };
};
