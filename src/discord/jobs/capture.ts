/**
 * message.capture: a message linked to a ticket from outside (Husqy's link endpoint) is fetched from
 * Discord and recorded in the transcript. Recording is idempotent per message id, so a retried or
 * repeated capture writes one line. A message or channel Discord no longer has ends the job quietly:
 * there is nothing to capture, and the ticket's Discord state is fine.
 */
import { Routes } from 'discord.js';
import { z } from 'zod';
import { UNKNOWN_CHANNEL, UNKNOWN_MESSAGE, unlessGone } from '../errors.js';
import { PermanentJobError, type JobHandler } from './context.js';
import { HistoryMessage as ApiMessage } from './transcripts.js';

const Payload = z.object({ channel_id: z.string(), message_id: z.string() });


export const captureMessage: JobHandler = async (c) => {
  const payload = Payload.safeParse(c.job.payload);
  if (!payload.success) throw new PermanentJobError(`message.capture job ${c.job.id} has no channel_id/message_id in its payload`);
  const { channel_id: channelId, message_id: messageId } = payload.data;
  const m = await unlessGone(async () => ApiMessage.parse(await c.rest.get(Routes.channelMessage(channelId, messageId))), [UNKNOWN_MESSAGE, UNKNOWN_CHANNEL], null);
  if (!m) return { result: { captured: false, reason: `Discord has no message ${messageId} in channel ${channelId} (deleted, or never there)` } };
  const recorded = await c.engine.transcripts.recordMessage({
    guild_id: c.job.guild_id, channel_id: channelId,
    message: {
      id: m.id, content: m.content, embeds: m.embeds, created_at: m.timestamp,
      author: { id: m.author.id, username: m.author.username, global_name: m.author.global_name ?? null, avatar: m.author.avatar ?? null, bot: m.author.bot ?? false },
      attachments: m.attachments.map((a) => ({ id: a.id, filename: a.filename, content_type: a.content_type ?? null, size: a.size, url: a.url })),
    },
  });
  if (!recorded) return { result: { captured: false, reason: `channel ${channelId} no longer belongs to an undeleted ticket` } };
  return { result: { captured: true, ticket_id: recorded.ticket_id, newly_recorded: recorded.recorded } };
};
