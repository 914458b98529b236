/**
 * transcript.post: fetch the ticket's whole history through REST (pages of 100) to fill any gap in
 * what the gateway captured, then post the transcript file to the transcript channel.
 * transcript.send: DM the transcript file to a user.
 */
import { Routes } from 'discord.js';
import { z } from 'zod';
import type { TicketContext } from '../../engine/outbox.js';
import { transcriptParts } from '../transcript-file.js';
import { t } from '../../i18n/catalogue.js';
import { pickLocale, staffLocale, ticketLocale, type Locale } from '../../i18n/locales.js';
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

/**
 * Posts the transcript file to a channel: one message with `intro` when it fits in one part, else one
 * message per part (the next part is read before a part is posted, so a lone part is never labelled).
 * Each part is its own idempotent step, so a retry posts only the parts not yet posted.
 */
async function postFile(c: JobContext, tc: TicketContext, channelId: string, step: string, intro: string, locale: Locale): Promise<{ message_id: string; parts: number }> {
  const n = tc.ticket.number;
  const post = (index: number, data: Buffer, last: boolean) => {
    const single = index === 1 && last;
    const name = single ? `transcript-${n}.txt` : `transcript-${n}-part${index}.txt`;
    const text = index === 1 ? (single ? intro : t(locale, 'transcript.firstPart', { intro }))
      : last ? t(locale, 'transcript.lastPart', { number: n, index, total: index }) : t(locale, 'transcript.part', { number: n, index });
    return sendOnce(c, channelId, index === 1 ? step : `${step}_part${index}`, notice(text), [{ name, data, contentType: 'text/plain' }]);
  };
  let pending: Buffer | null = null;
  let index = 0;
  let first = '';
  for await (const part of transcriptParts(c.engine, tc.ticket, tc.group.name, locale)) {
    if (pending) {
      const id = await post(index, pending, false);
      if (index === 1) first = id;
    }
    pending = part;
    index++;
  }
  const id = await post(index, pending ?? Buffer.alloc(0), true);
  return { message_id: index === 1 ? id : first, parts: index };
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
  // The transcript channel is for staff: the group's language, else the server's.
  const l = staffLocale(tc);
  const params = { number: tc.ticket.number, owner: `<@${tc.ticket.owner_id}>` };
  const intro = tc.ticket.closed_reason ? t(l, 'transcript.postedClosed', { ...params, reason: tc.ticket.closed_reason }) : t(l, 'transcript.posted', params);
  const posted = await postFile(c, tc, target, 'transcript', intro, l);
  return { result: { posted: true, channel_id: target, ...posted } };
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
  // A DM speaks its reader's language: the owner's as in their ticket; anyone else's (staff asking
  // for it) their own last known one, else the group's, else the server's.
  const l = userId === tc.ticket.owner_id ? ticketLocale(tc) : pickLocale(await c.engine.outbox.userLocale(userId), tc.group.locale, tc.guildLocale);
  const sent = await postFile(c, tc, dmId as string, 'dm', t(l, 'transcript.dm', { number: tc.ticket.number }), l);
  return { result: { sent: true, channel_id: dmId, ...sent } };
};
