// Pins (the current /messages/pins routes and the legacy /pins ones) and reactions.
import type { SandboxContext } from '../context.js';
import { DiscordError, missingAccess, missingPermissions, unknownEmoji } from '../errors.js';
import { emitMessage } from '../events.js';
import { newId } from '../ids.js';
import { canView, requirePerm } from '../messaging.js';
import type { ChannelRec, MessageRec } from '../model.js';
import { P, has } from '../permissions.js';
import { param, route } from '../router.js';
import type { Req, Res, RouteDef } from '../router.js';
import { emojiFromKey, memberJson, messageJson, userJson } from '../serialize.js';
import { queryInt } from '../validation.js';

const MAX_PINS = 250;
const MAX_REACTION_EMOJIS = 20;

function target(req: Req, ctx: SandboxContext): { c: ChannelRec; m: MessageRec } {
  const c = ctx.store.channel(param(req, 'channel_id'));
  if (!canView(ctx, c, ctx.store.botUserId)) throw missingAccess();
  return { c, m: ctx.store.message(c.id, param(req, 'message_id')) };
}

function pinsUpdate(ctx: SandboxContext, c: ChannelRec): void {
  const pinned = ctx.store.channelMessages(c.id).filter((m) => m.pinned);
  const last = pinned.map((m) => m.pinnedAt ?? '').sort().at(-1) ?? null;
  const d: Record<string, unknown> = { channel_id: c.id, last_pin_timestamp: last };
  if (c.guildId) d.guild_id = c.guildId;
  ctx.gateway.dispatch('CHANNEL_PINS_UPDATE', d, { guildId: c.guildId, dm: c.type === 1 });
}

function pin(req: Req, ctx: SandboxContext): Res {
  const { c, m } = target(req, ctx);
  if (c.type !== 1) requirePerm(ctx, c, ctx.store.botUserId, P.ManageMessages);
  if (m.pinned) return { status: 204 };
  if (ctx.store.channelMessages(c.id).filter((x) => x.pinned).length >= MAX_PINS) {
    throw new DiscordError(400, 30003, `Maximum number of pins reached (${MAX_PINS})`);
  }
  m.pinned = true;
  m.pinnedAt = new Date().toISOString();
  emitMessage(ctx, 'MESSAGE_UPDATE', m);
  // Discord posts a "pinned a message" system message (type 6) referencing the pin.
  const sys: MessageRec = {
    ...m,
    id: newId(),
    author: { kind: 'user', userId: ctx.store.botUserId },
    content: '',
    embeds: [],
    components: [],
    attachments: [],
    timestamp: new Date().toISOString(),
    editedTimestamp: null,
    flags: 0,
    type: 6,
    pinned: false,
    pinnedAt: null,
    reactions: new Map(),
    nonce: null,
    mentions: [],
    mentionRoles: [],
    mentionEveryone: false,
    reference: { message_id: m.id, channel_id: c.id, ...(c.guildId ? { guild_id: c.guildId } : {}) },
    webhookId: null,
    applicationId: null,
    interactionMetadata: null,
    position: null,
    threadId: null,
  };
  ctx.store.addMessage(sys);
  c.lastMessageId = sys.id;
  emitMessage(ctx, 'MESSAGE_CREATE', sys);
  pinsUpdate(ctx, c);
  return { status: 204 };
}

function unpin(req: Req, ctx: SandboxContext): Res {
  const { c, m } = target(req, ctx);
  if (c.type !== 1) requirePerm(ctx, c, ctx.store.botUserId, P.ManageMessages);
  if (!m.pinned) return { status: 204 };
  m.pinned = false;
  m.pinnedAt = null;
  emitMessage(ctx, 'MESSAGE_UPDATE', m);
  pinsUpdate(ctx, c);
  return { status: 204 };
}

function pinnedMessages(ctx: SandboxContext, c: ChannelRec): MessageRec[] {
  return ctx.store
    .channelMessages(c.id)
    .filter((m) => m.pinned)
    .sort((a, b) => (b.pinnedAt ?? '').localeCompare(a.pinnedAt ?? ''));
}

function listPins(req: Req, ctx: SandboxContext): Res {
  const c = ctx.store.channel(param(req, 'channel_id'));
  if (!canView(ctx, c, ctx.store.botUserId)) throw missingAccess();
  const limit = queryInt(req.query.get('limit'), 'limit', 1, 50, 50);
  const before = req.query.get('before');
  const all = pinnedMessages(ctx, c).filter((m) => !before || (m.pinnedAt ?? '') < new Date(before).toISOString());
  const page = all.slice(0, limit);
  return {
    status: 200,
    body: {
      items: page.map((m) => ({ pinned_at: m.pinnedAt, message: messageJson(ctx.store, m, { baseUrl: ctx.baseUrl() }) })),
      has_more: all.length > page.length,
    },
  };
}

function listPinsLegacy(req: Req, ctx: SandboxContext): Res {
  const c = ctx.store.channel(param(req, 'channel_id'));
  if (!canView(ctx, c, ctx.store.botUserId)) throw missingAccess();
  return { status: 200, body: pinnedMessages(ctx, c).map((m) => messageJson(ctx.store, m, { baseUrl: ctx.baseUrl() })) };
}

/** The emoji in the path: a unicode emoji or name:id of a guild emoji. */
export function emojiKey(ctx: SandboxContext, raw: string): string {
  const key = raw.replace(/^a:/, '');
  const e = emojiFromKey(key);
  if (e.id !== null) {
    const known = [...ctx.store.guilds.values()].some((g) => g.emojis.has(e.id ?? ''));
    if (!known) throw unknownEmoji();
  } else if (key.length === 0 || key.length > 32 || /^[\w\s]+$/.test(key)) {
    throw unknownEmoji();
  }
  return key;
}

/** Add a reaction as `userId` (the bot through REST, users through the control API). */
export function addReaction(ctx: SandboxContext, c: ChannelRec, m: MessageRec, key: string, userId: string): void {
  const users = m.reactions.get(key);
  if (users?.includes(userId)) return;
  if (c.type !== 1) {
    requirePerm(ctx, c, userId, P.ReadMessageHistory);
    if (!users && !has(ctx.store.permissionsIn(c, userId), P.AddReactions)) throw missingPermissions();
  }
  if (!users && m.reactions.size >= MAX_REACTION_EMOJIS) throw new DiscordError(400, 30010, 'Maximum number of reactions reached (20)');
  if (users) users.push(userId);
  else m.reactions.set(key, [userId]);
  const d: Record<string, unknown> = {
    user_id: userId,
    channel_id: c.id,
    message_id: m.id,
    emoji: emojiFromKey(key),
    burst: false,
    type: 0,
  };
  if (m.author.kind === 'user') d.message_author_id = m.author.userId;
  if (c.guildId) {
    d.guild_id = c.guildId;
    const member = ctx.store.guilds.get(c.guildId)?.members.get(userId);
    if (member) d.member = memberJson(ctx.store, member);
  }
  ctx.gateway.dispatch('MESSAGE_REACTION_ADD', d, { guildId: c.guildId, channelId: c.id, dm: c.type === 1 });
}

export function removeReaction(ctx: SandboxContext, c: ChannelRec, m: MessageRec, key: string, userId: string): void {
  const users = m.reactions.get(key);
  if (!users?.includes(userId)) return;
  const rest = users.filter((u) => u !== userId);
  if (rest.length === 0) m.reactions.delete(key);
  else m.reactions.set(key, rest);
  const d: Record<string, unknown> = { user_id: userId, channel_id: c.id, message_id: m.id, emoji: emojiFromKey(key), burst: false, type: 0 };
  if (c.guildId) d.guild_id = c.guildId;
  ctx.gateway.dispatch('MESSAGE_REACTION_REMOVE', d, { guildId: c.guildId, channelId: c.id, dm: c.type === 1 });
}

function react(req: Req, ctx: SandboxContext): Res {
  if (param(req, 'user_id') !== '@me') throw new DiscordError(404, 0, '404: Not Found');
  const { c, m } = target(req, ctx);
  addReaction(ctx, c, m, emojiKey(ctx, param(req, 'emoji')), ctx.store.botUserId);
  return { status: 204 };
}

function unreact(req: Req, ctx: SandboxContext): Res {
  const { c, m } = target(req, ctx);
  const key = emojiKey(ctx, param(req, 'emoji'));
  const who = param(req, 'user_id');
  const userId = who === '@me' ? ctx.store.botUserId : who;
  if (userId !== ctx.store.botUserId && c.type !== 1) requirePerm(ctx, c, ctx.store.botUserId, P.ManageMessages);
  removeReaction(ctx, c, m, key, userId);
  return { status: 204 };
}

function reactors(req: Req, ctx: SandboxContext): Res {
  const { m } = target(req, ctx);
  const key = emojiKey(ctx, param(req, 'emoji'));
  const limit = queryInt(req.query.get('limit'), 'limit', 1, 100, 25);
  const after = req.query.get('after');
  const users = (m.reactions.get(key) ?? [])
    .filter((u) => !after || BigInt(u) > BigInt(after))
    .slice(0, limit)
    .flatMap((u) => {
      const rec = ctx.store.users.get(u);
      return rec ? [userJson(rec)] : [];
    });
  return { status: 200, body: users };
}

function clearReactions(req: Req, ctx: SandboxContext): Res {
  const { c, m } = target(req, ctx);
  if (c.type !== 1) requirePerm(ctx, c, ctx.store.botUserId, P.ManageMessages);
  const emoji = req.params.emoji;
  const d: Record<string, unknown> = { channel_id: c.id, message_id: m.id };
  if (c.guildId) d.guild_id = c.guildId;
  if (emoji !== undefined) {
    const key = emojiKey(ctx, emoji);
    m.reactions.delete(key);
    ctx.gateway.dispatch('MESSAGE_REACTION_REMOVE_EMOJI', { ...d, emoji: emojiFromKey(key) }, { guildId: c.guildId, channelId: c.id, dm: c.type === 1 });
  } else {
    m.reactions.clear();
    ctx.gateway.dispatch('MESSAGE_REACTION_REMOVE_ALL', d, { guildId: c.guildId, channelId: c.id, dm: c.type === 1 });
  }
  return { status: 204 };
}

const REACTION_BUCKET = { name: 'reactions', limit: 1, windowMs: 250 };
const base = '/channels/:channel_id/messages/:message_id/reactions';

export const pinReactionRoutes: RouteDef[] = [
  route('GET', '/channels/:channel_id/messages/pins', listPins),
  route('PUT', '/channels/:channel_id/messages/pins/:message_id', pin),
  route('DELETE', '/channels/:channel_id/messages/pins/:message_id', unpin),
  route('GET', '/channels/:channel_id/pins', listPinsLegacy),
  route('PUT', '/channels/:channel_id/pins/:message_id', pin),
  route('DELETE', '/channels/:channel_id/pins/:message_id', unpin),
  route('PUT', `${base}/:emoji/:user_id`, react, { bucket: REACTION_BUCKET }),
  route('DELETE', `${base}/:emoji/:user_id`, unreact, { bucket: REACTION_BUCKET }),
  route('GET', `${base}/:emoji`, reactors),
  route('DELETE', `${base}/:emoji`, clearReactions),
  route('DELETE', base, clearReactions),
];
