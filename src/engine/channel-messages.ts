/**
 * Sending and editing messages in guild channels (Ticketeer's Channel endpoints). Nothing is sent
 * here: a channel.message.send / channel.message.edit job carrying the whole payload is committed,
 * and the Discord driver performs it (with the nonce, so a retry never posts twice).
 */
import type { Actor } from './actor.js';
import type { EngineContext } from './context.js';
import { invalid } from './errors.js';
import { requireGuild } from './guards.js';
import { CHANNEL_TYPE, findGuildChannel, ticketOfConversation } from './guild-refs.js';
import { newId } from './ids.js';
import { enqueueJobs } from './jobs.js';
import { checkEmbedTotal, checkFlags } from './message-shapes.js';
import { loadCustomMessage, renderCustomMessage } from './custom-messages.js';
import type { TemplateContext } from './templates.js';
import { inTransaction, type Tx } from './tx.js';

type Loose = Record<string, unknown>;

export interface ChannelMessageBody {
  content?: string | undefined;
  embeds?: Loose[] | undefined;
  components?: Loose[] | undefined;
  allowed_mentions?: Loose | undefined;
  flags?: number | undefined;
  tts?: boolean | undefined;
  poll?: Loose | undefined;
}

export interface Delivery {
  /** Sends through a webhook with this name (a bot message otherwise). */
  username?: string | undefined;
  avatar_url?: string | undefined;
  /** Forum channels: the post (thread) to create; required there. */
  thread_name?: string | undefined;
  applied_tags?: string[] | undefined;
}

export interface ChannelMessageInput extends ChannelMessageBody, Delivery {
  guild_id: string;
  channel_id: string;
  /** Edit this message instead of sending a new one. */
  message_id?: string | undefined;
}

export interface QueuedMessage { job_id: string; status: 'queued'; channel_id: string; message_id: string | null }

const FORUM_TYPES: readonly number[] = [CHANNEL_TYPE.forum, CHANNEL_TYPE.media];

function checkDelivery(input: ChannelMessageInput, channelType: number | null): void {
  const editing = input.message_id !== undefined;
  if (input.username !== undefined && /discord|clyde/i.test(input.username)) {
    throw invalid('username may not contain "discord" or "clyde"; Discord refuses such webhook names. Pick another name.', [{ path: 'username', message: 'reserved word' }]);
  }
  if (editing && input.poll) throw invalid('A poll cannot be edited once sent. Leave poll out, or send a new message.', [{ path: 'poll', message: 'polls cannot be edited' }]);
  const forum = channelType !== null && FORUM_TYPES.includes(channelType);
  if (!editing && forum && !input.thread_name) {
    throw invalid(`Channel ${input.channel_id} is a forum channel: a message there starts a post, so give thread_name (the post title).`, [{ path: 'thread_name', message: 'required for forum channels' }]);
  }
  if (channelType !== null && !forum) {
    if (input.applied_tags?.length) throw invalid('applied_tags only apply to forum channels; leave them out for this channel.', [{ path: 'applied_tags', message: 'not a forum channel' }]);
    if (!editing && input.thread_name) throw invalid('thread_name only applies to forum channels (it names the new post); leave it out for this channel.', [{ path: 'thread_name', message: 'not a forum channel' }]);
  }
}

function checkBody(body: ChannelMessageBody): void {
  const empty = !body.content && !(body.embeds?.length) && !(body.components?.length) && !body.poll;
  if (empty) throw invalid('The message is empty: give content, embeds, components or a poll.', [{ path: 'content', message: 'message is empty' }]);
  if (body.content && body.content.length > 2000) throw invalid(`content is ${body.content.length} characters; Discord allows 2000.`, [{ path: 'content', message: 'longer than 2000 characters' }]);
  checkFlags(body.flags);
  checkEmbedTotal(body.embeds as Parameters<typeof checkEmbedTotal>[0]);
}

/**
 * A send into a ticket's own channel or thread (not its staff notes) by someone, not the system:
 * the job reports the posted message as that person's line in the ticket (see recordReply).
 */
async function replyOf(trx: Tx, actor: Actor, input: ChannelMessageInput): Promise<{ ticket_id: string; author_id: string | null } | null> {
  if (input.message_id !== undefined || (actor.userId === null && actor.asBot)) return null;
  const ticket = await ticketOfConversation(trx, input.guild_id, input.channel_id);
  return ticket && ticket.notes_thread_id !== input.channel_id ? { ticket_id: ticket.id, author_id: actor.userId } : null;
}

export async function enqueueChannelMessage(trx: Tx, actor: Actor, input: ChannelMessageInput, channelType: number | null): Promise<QueuedMessage> {
  const editing = input.message_id !== undefined;
  const message: Loose = {};
  for (const key of ['content', 'embeds', 'components', 'allowed_mentions', 'flags', 'tts', 'poll'] as const) {
    if (input[key] !== undefined && !(editing && (key === 'tts' || key === 'poll'))) message[key] = input[key];
  }
  const viaWebhook = input.username !== undefined || input.avatar_url !== undefined;
  const payload = {
    channel_id: input.channel_id,
    channel_type: channelType,
    message_id: input.message_id ?? null,
    via: viaWebhook ? 'webhook' : 'bot',
    webhook: viaWebhook ? { username: input.username ?? null, avatar_url: input.avatar_url ?? null } : null,
    thread: !editing && input.thread_name ? { name: input.thread_name, applied_tags: input.applied_tags ?? [] } : null,
    message,
    // Discord's nonce (with enforce_nonce) makes a retried send land once.
    nonce: editing ? null : newId(),
    reply: await replyOf(trx, actor, input),
  };
  const [jobId] = await enqueueJobs(trx, [{ guildId: input.guild_id, kind: editing ? 'channel.message.edit' : 'channel.message.send', payload }]);
  return { job_id: jobId as string, status: 'queued', channel_id: input.channel_id, message_id: input.message_id ?? null };
}

export function createChannelMessages(ctx: EngineContext) {
  const done = () => { ctx.changes.emit('jobs', { count: 1 }); };

  /** Sends (or with message_id, edits) a message. */
  const send = async (actor: Actor, input: ChannelMessageInput): Promise<QueuedMessage> => {
    checkBody(input);
    const queued = await inTransaction(ctx.db, async (trx) => {
      await requireGuild(trx, input.guild_id);
      const channel = await findGuildChannel(trx, input.guild_id, input.channel_id);
      checkDelivery(input, channel?.type ?? null);
      return enqueueChannelMessage(trx, actor, input, channel?.type ?? null);
    });
    done();
    return queued;
  };

  return {
    send,
    edit: (actor: Actor, input: ChannelMessageInput & { message_id: string }): Promise<QueuedMessage> => send(actor, input),

    /** Renders a custom message with `context` and sends it (or edits message_id with it). */
    async sendCustom(actor: Actor, input: Delivery & {
      guild_id: string; channel_id: string; custom_message_id: string; message_id?: string | undefined; context?: TemplateContext | undefined;
    }): Promise<QueuedMessage> {
      const queued = await inTransaction(ctx.db, async (trx) => {
        const guild = await requireGuild(trx, input.guild_id);
        const row = await loadCustomMessage(trx, input.guild_id, input.custom_message_id);
        const channel = await findGuildChannel(trx, input.guild_id, input.channel_id);
        const rendered = renderCustomMessage(guild, row, input.context ?? {});
        const full: ChannelMessageInput = {
          guild_id: input.guild_id, channel_id: input.channel_id, message_id: input.message_id,
          content: rendered.content ?? undefined, embeds: rendered.embeds, components: rendered.components,
          username: input.username, avatar_url: input.avatar_url, thread_name: input.thread_name, applied_tags: input.applied_tags,
        };
        checkBody(full);
        checkDelivery(full, channel?.type ?? null);
        return enqueueChannelMessage(trx, actor, full, channel?.type ?? null);
      });
      done();
      return queued;
    },
  };
}
