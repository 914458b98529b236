/**
 * channel.message.send / .edit (Ticketeer's Channel endpoints): plain bot messages (nonce +
 * enforce_nonce), webhook messages with username/avatar_url through one reused webhook per channel,
 * forum posts (thread_name, applied_tags), thread channels through the parent's webhook with
 * thread_id, and edits of either kind.
 */
import { ChannelType, Routes } from 'discord.js';
import { z } from 'zod';
import { discordCode } from '../errors.js';
import { isMessageKey, t, type MessageKey } from '../../i18n/catalogue.js';
import { pickLocale } from '../../i18n/locales.js';
import { listContent } from '../render.js';
import { ApiChannel, ApiMessage, checkpoint, snowflakeTime, type JobContext, type JobHandler } from './context.js';

const Payload = z.object({
  channel_id: z.string(),
  channel_type: z.number().nullish(),
  message_id: z.string().nullish(),
  via: z.enum(['bot', 'webhook']).default('bot'),
  webhook: z.object({ username: z.string().nullish(), avatar_url: z.string().nullish() }).nullish(),
  thread: z.object({ name: z.string(), applied_tags: z.array(z.string()).default([]) }).nullish(),
  message: z.record(z.string(), z.unknown()).default({}),
  nonce: z.string().nullish(),
  /** Set when the message is someone's line in a ticket: reported back once posted. */
  reply: z.object({ ticket_id: z.string(), author_id: z.string().nullable() }).nullish(),
  /** A list the engine announces (sweep summary, new action item): said in the server's language. */
  list: z.object({
    head: z.object({ key: z.string(), params: z.record(z.string(), z.union([z.string(), z.number()])).default({}) }),
    /** Action items: priority named here, text as written. */
    items: z.array(z.object({ priority: z.enum(['low', 'medium', 'high']), text: z.string(), channel: z.string() })).optional(),
    /** Lines already written (jobs queued before items were given as data). */
    lines: z.array(z.string()).optional(),
  }).nullish(),
});
type Payload = z.infer<typeof Payload>;

const Webhook = z.looseObject({ id: z.string(), token: z.string().nullish(), user: z.looseObject({ id: z.string() }).nullish() });
const WEBHOOK_NAME = 'TicketBridge';
const THREAD_TYPES: readonly number[] = [ChannelType.PublicThread, ChannelType.PrivateThread, ChannelType.AnnouncementThread];
const FORUM_TYPES: readonly number[] = [ChannelType.GuildForum, ChannelType.GuildMedia];

/** One webhook per channel, reused across sends (and across processes: found by owner before creating). */
const webhookCaches = new WeakMap<object, Map<string, { id: string; token: string }>>();
const UNKNOWN_WEBHOOK = 10015;

function cacheOf(c: JobContext): Map<string, { id: string; token: string }> {
  let cache = webhookCaches.get(c.rest);
  if (!cache) webhookCaches.set(c.rest, (cache = new Map()));
  return cache;
}

/** Runs `fn` with the channel's webhook; a webhook deleted meanwhile is forgotten and replaced once. */
async function withWebhook<T>(c: JobContext, channelId: string, fn: (hook: { id: string; token: string }) => Promise<T>): Promise<T> {
  try {
    return await fn(await webhookFor(c, channelId));
  } catch (err) {
    if (discordCode(err) !== UNKNOWN_WEBHOOK) throw err;
    cacheOf(c).delete(channelId);
    return fn(await webhookFor(c, channelId));
  }
}

async function webhookFor(c: JobContext, channelId: string): Promise<{ id: string; token: string }> {
  const webhookCache = cacheOf(c);
  const cached = webhookCache.get(channelId);
  if (cached) return cached;
  const existing = Webhook.array().parse(await c.rest.get(Routes.channelWebhooks(channelId)))
    .find((w) => w.token && w.user?.id === c.botUserId);
  const hook = existing ?? Webhook.parse(await c.rest.post(Routes.channelWebhooks(channelId), { body: { name: WEBHOOK_NAME } }));
  if (!hook.token) throw new Error(`Webhook ${hook.id} of channel ${channelId} came back without a token`);
  const entry = { id: hook.id, token: hook.token };
  webhookCache.set(channelId, entry);
  return entry;
}

/** The channel's type and parent, from the payload when the engine knew it, else from Discord. */
async function shape(c: JobContext, p: Payload): Promise<{ type: number; parentId: string | null }> {
  if (p.channel_type !== null && p.channel_type !== undefined && !THREAD_TYPES.includes(p.channel_type)) return { type: p.channel_type, parentId: null };
  const ch = ApiChannel.parse(await c.rest.get(Routes.channel(p.channel_id)));
  return { type: ch.type, parentId: ch.parent_id ?? null };
}

function webhookBody(p: Payload): Record<string, unknown> {
  return {
    ...p.message,
    ...(p.webhook?.username ? { username: p.webhook.username } : {}),
    ...(p.webhook?.avatar_url ? { avatar_url: p.webhook.avatar_url } : {}),
  };
}

/** Tells the ticket that its line was posted (idempotent, so a retried job may tell it again). */
async function reportReply(c: JobContext, p: Payload, messageId: string): Promise<void> {
  if (p.reply) await c.engine.transcripts.recordReply({ ...p.reply, message_id: messageId, at: new Date(snowflakeTime(messageId)) });
}

const PRIORITY: Record<'low' | 'medium' | 'high', MessageKey> = { low: 'actionItem.priority.low', medium: 'actionItem.priority.medium', high: 'actionItem.priority.high' };

/** The engine's list announcement in the server's language (its English content stays when the key is unknown). */
async function localized(c: JobContext, p: Payload): Promise<Payload> {
  if (!p.list || !isMessageKey(p.list.head.key)) return p;
  const locale = pickLocale(...(await c.engine.outbox.localesOf(c.job.guild_id, null)));
  const head = t(locale, p.list.head.key as MessageKey, p.list.head.params);
  const lines = p.list.items?.map((i) => `• [${t(locale, PRIORITY[i.priority])}] ${i.text} (${i.channel})`) ?? p.list.lines ?? [];
  return { ...p, message: { ...p.message, content: listContent(head, lines, locale) } };
}

export const sendChannelMessage: JobHandler = async (c) => {
  const p = await localized(c, Payload.parse(c.job.payload));
  const posted = c.job.checkpoint['message_id'];
  if (typeof posted === 'string') {
    await reportReply(c, p, posted);
    return { result: { ...c.job.checkpoint } };
  }
  const { type, parentId } = await shape(c, p);
  const nonce = p.nonce ? p.nonce.slice(0, 25) : undefined;
  let result: Record<string, unknown>;
  if (FORUM_TYPES.includes(type)) {
    if (!p.thread) throw new Error(`Channel ${p.channel_id} is a forum channel and the job has no thread_name`);
    if (p.via === 'webhook') {
      const thread = p.thread;
      const m = await withWebhook(c, p.channel_id, async (hook) => ApiMessage.parse(await c.rest.post(Routes.webhook(hook.id, hook.token), {
        body: { ...webhookBody(p), thread_name: thread.name, applied_tags: thread.applied_tags }, query: new URLSearchParams({ wait: 'true' }), auth: false,
      })));
      result = { message_id: m.id, channel_id: m.channel_id, thread_id: m.channel_id };
    } else {
      const t = ApiChannel.parse(await c.rest.post(Routes.threads(p.channel_id), {
        body: { name: p.thread.name, applied_tags: p.thread.applied_tags, message: p.message },
      }));
      const first = (t as { message?: { id?: string } }).message?.id ?? t.id;
      result = { message_id: first, channel_id: t.id, thread_id: t.id };
    }
  } else if (p.via === 'webhook') {
    const inThread = THREAD_TYPES.includes(type);
    const query = new URLSearchParams({ wait: 'true', ...(inThread ? { thread_id: p.channel_id } : {}) });
    const m = await withWebhook(c, inThread && parentId ? parentId : p.channel_id, async (hook) => ApiMessage.parse(await c.rest.post(Routes.webhook(hook.id, hook.token), { body: webhookBody(p), query, auth: false })));
    result = { message_id: m.id, channel_id: m.channel_id, via: 'webhook' };
  } else {
    const m = ApiMessage.parse(await c.rest.post(Routes.channelMessages(p.channel_id), {
      body: { ...p.message, ...(nonce ? { nonce, enforce_nonce: true } : {}) },
    }));
    result = { message_id: m.id, channel_id: m.channel_id };
  }
  await checkpoint(c, result);
  await reportReply(c, p, String(result['message_id']));
  return { result };
};

export const editChannelMessage: JobHandler = async (c) => {
  const p = Payload.parse(c.job.payload);
  if (!p.message_id) throw new Error('channel.message.edit needs message_id');
  const messageId = p.message_id;
  const { type, parentId } = await shape(c, p);
  const inThread = THREAD_TYPES.includes(type);
  const viaWebhook = () => withWebhook(c, inThread && parentId ? parentId : p.channel_id, async (hook) => {
    const query = new URLSearchParams(inThread ? { thread_id: p.channel_id } : {});
    return ApiMessage.parse(await c.rest.patch(Routes.webhookMessage(hook.id, hook.token, messageId), { body: p.message, query, auth: false }));
  });
  let m;
  if (p.via === 'webhook') m = await viaWebhook();
  else {
    try {
      m = ApiMessage.parse(await c.rest.patch(Routes.channelMessage(p.channel_id, messageId), { body: p.message }));
    } catch (err) {
      // 50005: the message was written by our webhook, not the bot; edit it through the webhook.
      if (discordCode(err) !== 50005) throw err;
      m = await viaWebhook();
    }
  }
  return { result: { message_id: m.id, channel_id: m.channel_id } };
};
