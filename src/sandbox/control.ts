// The sandbox control API: inspect the state, act as users (speak, click, leave, join), change
// roles, inject faults. The TypeScript methods on Sandbox and the /_sandbox/ HTTP routes both
// call these functions.
import { z } from 'zod';
import type { SandboxContext } from './context.js';
import { DiscordError, unknownMember } from './errors.js';
import { emitRole } from './events.js';
import { FaultInput } from './faults.js';
import { DEMO, seedDemo, seedGuild } from './demo.js';
import type { GuildIds } from './demo.js';
import type { SessionInfo } from './gateway.js';
import { ShardingInput, idOnShard, recommendedShards } from './sharding.js';
import type { IdentifyCounts } from './gateway.js';
import type { ShardingInputT } from './sharding.js';
import type { Fault, FaultInputT } from './faults.js';
import { newId } from './ids.js';
import { MessagePayloadSchema } from './message-payload.js';
import { canView, sendMessage } from './messaging.js';
import { addReaction, emojiKey, removeReaction } from './routes/pins-reactions.js';
import type { UploadedFile } from './router.js';
import { removeMember } from './routes/guilds.js';
import { dmChannel } from './routes/users.js';
import {
  channelJson,
  commandJson,
  guildJson,
  memberJson,
  messageJson,
  userJson,
  webhookJson,
} from './serialize.js';
import type { Json } from './serialize.js';
import { isThreadType } from './model.js';
import { DISCORD_LOCALE_CODES } from './locales.js';
import { permissionBits, snowflake } from './validation.js';

export const ActMessageInput = z.object({
  user_id: snowflake,
  /** Omit to DM the bot. */
  channel_id: snowflake.optional(),
  content: z.string().max(4000).default(''),
  embeds: z.array(z.record(z.string(), z.unknown())).max(10).optional(),
  message_reference: z.object({ message_id: snowflake }).optional(),
  /** Files the user uploads: text `content` or `content_base64`. */
  attachments: z
    .array(
      z.object({
        filename: z.string().min(1).max(1024),
        content_type: z.string().optional(),
        content: z.string().optional(),
        content_base64: z.string().optional(),
      }),
    )
    .max(10)
    .optional(),
});
export type ActMessageInputT = z.input<typeof ActMessageInput>;

export const ActReactionInput = z.object({
  user_id: snowflake,
  channel_id: snowflake,
  message_id: snowflake,
  /** A unicode emoji ("👍") or a guild emoji as name:id. */
  emoji: z.string().min(1).max(100),
  remove: z.boolean().optional(),
});
export type ActReactionInputT = z.input<typeof ActReactionInput>;

export const ActLeaveInput = z.object({ user_id: snowflake, guild_id: snowflake.optional() });
export type ActLeaveInputT = z.input<typeof ActLeaveInput>;

export const ActJoinInput = z.object({
  user_id: snowflake.optional(),
  username: z.string().min(2).max(32).optional(),
  global_name: z.string().max(32).optional(),
  guild_id: snowflake.optional(),
  roles: z.array(snowflake).optional(),
});
export type ActJoinInputT = z.input<typeof ActJoinInput>;

export const UpdateRoleInput = z.object({
  permissions: permissionBits.optional(),
  name: z.string().min(1).max(100).optional(),
});
export type UpdateRoleInputT = z.input<typeof UpdateRoleInput>;

export const UpdateGuildInput = z.object({
  /** The server's language, one of Discord's locale codes (Server Settings → Community → Server Primary Language). */
  preferred_locale: z.enum(DISCORD_LOCALE_CODES).optional(),
  name: z.string().min(2).max(100).optional(),
});
export type UpdateGuildInputT = z.input<typeof UpdateGuildInput>;

export interface SandboxState {
  guilds: Json[];
  channels: Json[];
  threads: Json[];
  messages: Json[];
  members: Json[];
  users: Json[];
  webhooks: Json[];
  commands: Json[];
  interactions: Json[];
  modals: Json[];
  faults: Fault[];
  gateway: {
    sessions: number;
    connected: number;
    /** Each session's shard and how many dispatches it was sent. */
    shards: SessionInfo[];
    recommended_shards: number;
    max_guilds_per_session: number;
    /** Session starts allowed per 5 s, one per bucket (shard_id % max_concurrency). */
    max_concurrency: number;
    /** Whether IDENTIFYs over the limit are refused. */
    identify_limit: boolean;
    identifies: IdentifyCounts;
  };
}

function defaultGuildId(ctx: SandboxContext): string {
  const g = [...ctx.store.guilds.values()][0];
  if (!g) throw new DiscordError(404, 10004, 'Unknown Guild');
  return g.id;
}

export function state(ctx: SandboxContext, filter: { channel_id?: string } = {}): SandboxState {
  const { store } = ctx;
  const base = ctx.baseUrl();
  const channels = [...store.channels.values()];
  return {
    guilds: [...store.guilds.values()].map((g) => ({ ...guildJson(store, g, true), member_count: g.members.size })),
    channels: channels.filter((c) => !isThreadType(c.type)).map((c) => channelJson(store, c)),
    threads: channels
      .filter((c) => isThreadType(c.type))
      .map((c) => ({ ...channelJson(store, c), member_ids: [...(c.threadMembers?.keys() ?? [])] })),
    messages: [...store.messages.entries()]
      .filter(([cid]) => !filter.channel_id || cid === filter.channel_id)
      .flatMap(([, list]) => list.map((m) => ({ ...messageJson(store, m, { baseUrl: base }), ...(m.author.kind === 'webhook' && m.author.avatarUrl ? { avatar_url: m.author.avatarUrl } : {}) }))),
    members: [...store.guilds.values()].flatMap((g) =>
      [...g.members.values()].map((m) => ({ guild_id: g.id, ...memberJson(store, m) })),
    ),
    users: [...store.users.values()].map(userJson),
    webhooks: [...store.webhooks.values()].map((w) => webhookJson(store, w, base)),
    commands: [...store.commands.values()].map(commandJson),
    interactions: [...store.interactions.values()].map((i) => ({
      id: i.id,
      kind: i.kind,
      type: i.type,
      user_id: i.userId,
      channel_id: i.channelId,
      custom_id: i.customId,
      response: i.response,
      original_message_id: i.originalMessageId,
      followup_ids: i.followupIds,
      callback_attempts: i.callbackAttempts,
      created_at: new Date(i.createdAt).toISOString(),
    })),
    modals: store.modals.map((m) => ({ user_id: m.userId, channel_id: m.channelId, custom_id: m.customId, title: m.title, components: m.components })),
    faults: ctx.faults.active(),
    gateway: {
      sessions: ctx.gateway.sessionCount,
      connected: ctx.gateway.connectedCount,
      shards: ctx.gateway.sessionInfo(),
      recommended_shards: recommendedShards(ctx.sharding, [...store.guilds.values()].filter((g) => g.members.has(store.botUserId)).length),
      max_guilds_per_session: ctx.sharding.maxGuildsPerSession,
      max_concurrency: ctx.sharding.maxConcurrency,
      identify_limit: ctx.sharding.identifyLimit,
      identifies: ctx.gateway.identifies(),
    },
  };
}

/** A user speaks in a channel (or DMs the bot). Their permissions are checked as Discord would. */
export function actMessage(ctx: SandboxContext, raw: ActMessageInputT): Json {
  const input = ActMessageInput.parse(raw);
  const { store } = ctx;
  const user = store.user(input.user_id);
  const channelId = input.channel_id ?? dmChannel(ctx, user.id);
  const channel = store.channel(channelId);
  if (channel.type === 1 && !channel.recipients.includes(user.id)) throw new DiscordError(403, 50001, 'Missing Access');
  const files: UploadedFile[] = (input.attachments ?? []).map((a, index) => ({
    field: `files[${index}]`,
    index,
    filename: a.filename,
    contentType: a.content_type ?? 'application/octet-stream',
    data: a.content_base64 !== undefined ? Buffer.from(a.content_base64, 'base64') : Buffer.from(a.content ?? '', 'utf8'),
  }));
  const payload = MessagePayloadSchema.parse({
    content: input.content,
    embeds: input.embeds,
    message_reference: input.message_reference,
  });
  const { message } = sendMessage(ctx, channel, {
    author: { kind: 'user', userId: user.id },
    payload,
    files,
    checkPermissions: true,
  });
  return messageJson(store, message, { baseUrl: ctx.baseUrl() });
}

/** A user adds (or removes) a reaction: MESSAGE_REACTION_ADD / _REMOVE. */
export function actReaction(ctx: SandboxContext, raw: ActReactionInputT): Json {
  const input = ActReactionInput.parse(raw);
  const { store } = ctx;
  store.user(input.user_id);
  const channel = store.channel(input.channel_id);
  if (!canView(ctx, channel, input.user_id)) throw new DiscordError(403, 50001, 'Missing Access');
  const message = store.message(channel.id, input.message_id);
  const key = emojiKey(ctx, input.emoji);
  if (input.remove) removeReaction(ctx, channel, message, key, input.user_id);
  else addReaction(ctx, channel, message, key, input.user_id);
  return messageJson(store, message, { baseUrl: ctx.baseUrl() });
}

/** A member leaves the guild (GUILD_MEMBER_REMOVE, thread memberships dropped). */
export function actLeave(ctx: SandboxContext, raw: ActLeaveInputT): { ok: true } {
  const input = ActLeaveInput.parse(raw);
  const g = ctx.store.guild(input.guild_id ?? defaultGuildId(ctx));
  if (!g.members.has(input.user_id)) throw unknownMember();
  if (input.user_id === ctx.store.botUserId) throw new DiscordError(400, 50035, 'The bot cannot leave through the control API');
  removeMember(ctx, g, input.user_id);
  return { ok: true };
}

/** A user joins the guild (created if new): GUILD_MEMBER_ADD. */
export function actJoin(ctx: SandboxContext, raw: ActJoinInputT): Json {
  const input = ActJoinInput.parse(raw);
  const { store } = ctx;
  const g = store.guild(input.guild_id ?? defaultGuildId(ctx));
  const id = input.user_id ?? newId();
  if (!store.users.has(id)) {
    store.users.set(id, { id, username: input.username ?? `user${id.slice(-4)}`, global_name: input.global_name ?? null, avatar: null, bot: false });
  }
  for (const r of input.roles ?? []) store.role(g, r);
  const member = { userId: id, nick: null, roles: input.roles ?? [], joinedAt: new Date().toISOString() };
  g.members.set(id, member);
  ctx.gateway.dispatch('GUILD_MEMBER_ADD', { guild_id: g.id, ...memberJson(store, member) }, { guildId: g.id });
  return { guild_id: g.id, ...memberJson(store, member) };
}

/** Change a guild's preferred locale or name, as its owner would in Discord: GUILD_UPDATE follows. */
export function updateGuild(ctx: SandboxContext, guildId: string, raw: UpdateGuildInputT): Json {
  const input = UpdateGuildInput.parse(raw);
  const g = ctx.store.guild(guildId);
  if (input.preferred_locale !== undefined) g.preferredLocale = input.preferred_locale;
  if (input.name !== undefined) g.name = input.name;
  const json = guildJson(ctx.store, g);
  ctx.gateway.dispatch('GUILD_UPDATE', json, { guildId: g.id });
  return json;
}

/** Change a role's permissions or name (e.g. take ManageChannels from the bot's role). */
export function updateRole(ctx: SandboxContext, roleId: string, raw: UpdateRoleInputT): Json {
  const input = UpdateRoleInput.parse(raw);
  for (const g of ctx.store.guilds.values()) {
    const r = g.roles.get(roleId);
    if (!r) continue;
    if (input.permissions !== undefined) r.permissions = input.permissions;
    if (input.name !== undefined) r.name = input.name;
    emitRole(ctx, 'UPDATE', g.id, r.id);
    return { guild_id: g.id, id: r.id, name: r.name, permissions: r.permissions.toString() };
  }
  throw new DiscordError(404, 10011, 'Unknown Role');
}

export interface FaultResult {
  fault?: Fault;
  gateway?: { action: string; affected: number };
}

export function addFault(ctx: SandboxContext, raw: FaultInputT): FaultResult {
  const input = FaultInput.parse(raw);
  if (input.target === 'gateway') {
    const action = input.action ?? 'drop';
    const affected =
      action === 'drop' ? ctx.gateway.dropConnections() : action === 'reconnect' ? ctx.gateway.requestReconnect() : ctx.gateway.invalidateSessions();
    return { gateway: { action, affected } };
  }
  return { fault: ctx.faults.add(input) };
}

/** Back to the state of a fresh sandbox; connected bots are told to identify again (op 9). */
export function reset(ctx: SandboxContext): { ok: true } {
  ctx.store.clear();
  seedDemo(ctx.store);
  ctx.faults.clear();
  ctx.limiter.reset();
  ctx.gateway.invalidateSessions();
  return { ok: true };
}

export function clearFaults(ctx: SandboxContext): { cleared: number } {
  return { cleared: ctx.faults.clear() };
}

export const CreateGuildInput = z.object({
  name: z.string().min(2).max(100).optional(),
  /** Put the guild on shard [id, count]: its id is chosen so that (id >> 22) % count == id. */
  shard: z.tuple([z.number().int().min(0), z.number().int().min(1).max(4096)]).refine(([id, count]) => id < count, 'shard id must be below the shard count').optional(),
  /** The server's language from the start (a server set up in another language); en-US when left out. */
  preferred_locale: z.enum(DISCORD_LOCALE_CODES).optional(),
});
export type CreateGuildInputT = z.input<typeof CreateGuildInput>;

/** A guild created by POST /_sandbox/guilds: the demo guild's layout with fresh ids, the demo users as members. */
export type CreatedGuild = GuildIds & { customerUserId: string; staffUserId: string; memberUserId: string; secondStaffUserId: string };

/** The bot joins a new guild built like the demo one; connected sessions of its shard get GUILD_CREATE. */
export function createGuild(ctx: SandboxContext, raw: CreateGuildInputT): CreatedGuild {
  const input = CreateGuildInput.parse(raw);
  const guildId = input.shard ? idOnShard(input.shard[0], input.shard[1]) : newId();
  const ids: GuildIds = {
    guildId,
    name: input.name ?? `Sandbox guild ${ctx.store.guilds.size + 1}`,
    ownerId: DEMO.ownerId,
    generalChannelId: newId(),
    supportCategoryId: newId(),
    ticketsChannelId: newId(),
    transcriptsChannelId: newId(),
    forumChannelId: newId(),
    closedCategoryId: newId(),
    forumTags: { open: newId(), waiting: newId(), resolved: newId() },
    adminRoleId: newId(),
    staffRoleId: newId(),
    botRoleId: newId(),
    emojiIds: { ticket: newId(), lock: newId() },
  };
  seedGuild(ctx.store, ids);
  if (input.preferred_locale) ctx.store.guild(guildId).preferredLocale = input.preferred_locale;
  ctx.gateway.guildJoined(guildId);
  return {
    ...ids,
    customerUserId: DEMO.customerUserId, staffUserId: DEMO.staffUserId,
    memberUserId: DEMO.memberUserId, secondStaffUserId: DEMO.secondStaffUserId,
  };
}

/** Change GET /gateway/bot's recommended shard count, the guild count that requires sharding, or max_concurrency. */
export function setSharding(ctx: SandboxContext, raw: ShardingInputT): { recommended_shards: number | null; max_guilds_per_session: number; max_concurrency: number; identify_limit: boolean } {
  const input = ShardingInput.parse(raw);
  if (input.recommended_shards !== undefined) ctx.sharding.recommendedShards = input.recommended_shards;
  if (input.max_guilds_per_session !== undefined) ctx.sharding.maxGuildsPerSession = input.max_guilds_per_session;
  if (input.max_concurrency !== undefined) ctx.sharding.maxConcurrency = input.max_concurrency;
  if (input.identify_limit !== undefined) ctx.sharding.identifyLimit = input.identify_limit;
  return { recommended_shards: ctx.sharding.recommendedShards, max_guilds_per_session: ctx.sharding.maxGuildsPerSession, max_concurrency: ctx.sharding.maxConcurrency, identify_limit: ctx.sharding.identifyLimit };
}

