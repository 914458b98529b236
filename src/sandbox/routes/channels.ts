// Guild channels: create (with permission overwrites, category and guild limits), get, modify
// (threads included), delete, and editing/deleting single permission overwrites.
import { z } from 'zod';
import type { SandboxContext } from '../context.js';
import { blankChannel } from '../demo.js';
import {
  DiscordError,
  fieldError,
  maxGuildChannels,
  missingAccess,
  missingPermissions,
  wrongChannelType,
} from '../errors.js';
import { emitChannel } from '../events.js';
import { newId } from '../ids.js';
import { canView } from '../messaging.js';
import type { ChannelRec, GuildRec, OverwriteRec } from '../model.js';
import { isThreadType } from '../model.js';
import { ALL_PERMISSIONS, P, basePermissions, has } from '../permissions.js';
import { BUCKETS } from '../rate-limits.js';
import { param, route } from '../router.js';
import type { Req, Res, RouteDef } from '../router.js';
import { checkCommunityName } from '../name-filter.js';
import { channelJson } from '../serialize.js';
import { lengthBetween, maxChars, parseBody, permissionBits, snowflake } from '../validation.js';

export const MAX_GUILD_CHANNELS = 500;
export const MAX_CATEGORY_CHANNELS = 50;
const CREATABLE_TYPES = [0, 2, 4, 5, 13, 15, 16] as const;
export const ARCHIVE_DURATIONS = [60, 1440, 4320, 10080] as const;

export const OverwriteSchema = z.object({
  id: snowflake,
  type: z
    .union([z.literal(0), z.literal(1), z.literal('0'), z.literal('1'), z.literal('role'), z.literal('member')])
    .transform((t): 0 | 1 => (t === 1 || t === '1' || t === 'member' ? 1 : 0)),
  allow: permissionBits.nullish().transform((v) => v ?? 0n),
  deny: permissionBits.nullish().transform((v) => v ?? 0n),
});

const ForumTagSchema = z.object({
  id: snowflake.nullish(),
  name: lengthBetween(0, 20),
  moderated: z.boolean().nullish(),
  emoji_id: snowflake.nullish(),
  emoji_name: z.string().nullish(),
});

const CreateChannel = z.object({
  name: lengthBetween(1, 100),
  type: z.literal(CREATABLE_TYPES).nullish(),
  topic: maxChars(4096).nullish(),
  parent_id: snowflake.nullish(),
  position: z.number().int().nullish(),
  permission_overwrites: z.array(OverwriteSchema).max(100).nullish(),
  nsfw: z.boolean().nullish(),
  rate_limit_per_user: z.number().int().min(0).max(21600).nullish(),
  default_auto_archive_duration: z.literal(ARCHIVE_DURATIONS).nullish(),
  available_tags: z.array(ForumTagSchema).max(20).nullish(),
  bitrate: z.number().int().nullish(),
  user_limit: z.number().int().nullish(),
});

const ModifyChannel = z.object({
  name: lengthBetween(1, 100).optional(),
  type: z.union([z.literal(0), z.literal(5)]).optional(),
  topic: maxChars(4096).nullish(),
  parent_id: snowflake.nullish(),
  position: z.number().int().nullish(),
  permission_overwrites: z.array(OverwriteSchema).max(100).nullish(),
  lock_permissions: z.boolean().nullish(),
  nsfw: z.boolean().nullish(),
  rate_limit_per_user: z.number().int().min(0).max(21600).nullish(),
  default_auto_archive_duration: z.literal(ARCHIVE_DURATIONS).nullish(),
  available_tags: z.array(ForumTagSchema).max(20).nullish(),
  // threads
  archived: z.boolean().optional(),
  locked: z.boolean().optional(),
  invitable: z.boolean().optional(),
  auto_archive_duration: z.literal(ARCHIVE_DURATIONS).optional(),
  applied_tags: z.array(snowflake).max(5).optional(),
  flags: z.number().int().optional(),
});

/** Text-like channel names are lower-cased with spaces turned into dashes, as Discord does. */
export function normaliseName(type: number, name: string): string {
  if (type === 0 || type === 5 || type === 15 || type === 16) return name.toLowerCase().replace(/\s+/g, '-');
  return name;
}

function botPermsFor(ctx: SandboxContext, guild: GuildRec, parent: ChannelRec | null): bigint {
  const bot = ctx.store.botUserId;
  if (parent) return ctx.store.permissionsIn(parent, bot);
  return basePermissions(ctx.store.subject(guild, bot));
}

/**
 * Setting overwrites needs ManageRoles, and a bot may only allow or deny permissions it holds
 * itself (Administrator excepted).
 */
function checkOverwriteRights(perms: bigint, overwrites: readonly OverwriteRec[]): void {
  if (perms === ALL_PERMISSIONS) return;
  if (overwrites.length === 0) return;
  if (!has(perms, P.ManageRoles)) throw missingPermissions();
  for (const o of overwrites) {
    if (((o.allow | o.deny) & ~perms) !== 0n) throw missingPermissions();
  }
}

function checkParent(ctx: SandboxContext, guild: GuildRec, parentId: string, movingId: string | null): ChannelRec {
  const parent = ctx.store.channels.get(parentId);
  if (!parent || parent.guildId !== guild.id || parent.type !== 4) {
    throw fieldError(['parent_id'], 'CHANNEL_PARENT_INVALID_TYPE', 'Not a category');
  }
  const children = ctx.store.guildChannels(guild.id).filter((c) => c.parentId === parentId && c.id !== movingId);
  if (children.length >= MAX_CATEGORY_CHANNELS) {
    throw fieldError(['parent_id'], 'CHANNEL_PARENT_MAX_CHANNELS', `Maximum number of channels in category reached (${MAX_CATEGORY_CHANNELS})`);
  }
  return parent;
}

function toOverwrites(list: z.output<typeof OverwriteSchema>[]): OverwriteRec[] {
  const byId = new Map<string, OverwriteRec>();
  for (const o of list) byId.set(o.id, { id: o.id, type: o.type, allow: o.allow, deny: o.deny });
  return [...byId.values()];
}

function createChannel(req: Req, ctx: SandboxContext): Res {
  const guild = ctx.store.guild(param(req, 'guild_id'));
  const body = parseBody(CreateChannel, req.body);
  const type = body.type ?? 0;
  let parent: ChannelRec | null = null;
  if (body.parent_id) {
    if (type === 4) throw fieldError(['parent_id'], 'CHANNEL_PARENT_INVALID_TYPE', 'Categories cannot have subcategories');
    parent = checkParent(ctx, guild, body.parent_id, null);
  }
  const perms = botPermsFor(ctx, guild, parent);
  if (!has(perms, P.ManageChannels)) throw missingPermissions();
  const overwrites = body.permission_overwrites ? toOverwrites(body.permission_overwrites) : (parent?.overwrites.map((o) => ({ ...o })) ?? []);
  if (body.permission_overwrites) checkOverwriteRights(perms, overwrites);
  if (ctx.store.guildChannels(guild.id).length >= MAX_GUILD_CHANNELS) throw maxGuildChannels();
  if (body.topic && body.topic.length > 1024 && type !== 15 && type !== 16) {
    throw fieldError(['topic'], 'BASE_TYPE_MAX_LENGTH', 'Must be 1024 or fewer in length.');
  }
  checkCommunityName(body.name);
  const c = blankChannel(newId(), type, guild.id, normaliseName(type, body.name));
  c.parentId = parent?.id ?? null;
  c.topic = body.topic ?? null;
  c.nsfw = body.nsfw ?? false;
  c.rateLimitPerUser = body.rate_limit_per_user ?? 0;
  c.overwrites = overwrites;
  const siblings = ctx.store.guildChannels(guild.id).filter((s) => s.parentId === c.parentId && (s.type === 4) === (type === 4));
  c.position = body.position ?? siblings.reduce((n, s) => Math.max(n, s.position + 1), 0);
  if (type === 15 || type === 16) {
    c.defaultAutoArchiveDuration = body.default_auto_archive_duration ?? null;
    c.availableTags = (body.available_tags ?? []).map((t) => ({
      id: newId(),
      name: t.name,
      moderated: t.moderated ?? false,
      emoji_id: t.emoji_id ?? null,
      emoji_name: t.emoji_name ?? null,
    }));
  }
  ctx.store.channels.set(c.id, c);
  emitChannel(ctx, 'CREATE', c);
  return { status: 201, body: channelJson(ctx.store, c) };
}

function listGuildChannels(req: Req, ctx: SandboxContext): Res {
  const guild = ctx.store.guild(param(req, 'guild_id'));
  return { status: 200, body: ctx.store.guildChannels(guild.id).map((c) => channelJson(ctx.store, c)) };
}

const Positions = z.array(
  z.object({ id: snowflake, position: z.number().int().nullish(), parent_id: snowflake.nullish(), lock_permissions: z.boolean().nullish() }),
);

function reorder(req: Req, ctx: SandboxContext): Res {
  const guild = ctx.store.guild(param(req, 'guild_id'));
  if (!has(botPermsFor(ctx, guild, null), P.ManageChannels)) throw missingPermissions();
  const items = parseBody(Positions, req.body);
  for (const item of items) {
    const c = ctx.store.channel(item.id);
    if (c.guildId !== guild.id || isThreadType(c.type)) continue;
    if (item.position !== undefined && item.position !== null) c.position = item.position;
    if (item.parent_id !== undefined) {
      c.parentId = item.parent_id ? checkParent(ctx, guild, item.parent_id, c.id).id : null;
      if (item.lock_permissions && c.parentId) c.overwrites = (ctx.store.channels.get(c.parentId)?.overwrites ?? []).map((o) => ({ ...o }));
    }
    emitChannel(ctx, 'UPDATE', c);
  }
  return { status: 204 };
}

function getChannel(req: Req, ctx: SandboxContext): Res {
  const c = ctx.store.channel(param(req, 'channel_id'));
  if (!canView(ctx, c, ctx.store.botUserId)) throw missingAccess();
  return { status: 200, body: channelJson(ctx.store, c) };
}

function modifyThread(ctx: SandboxContext, c: ChannelRec, body: z.output<typeof ModifyChannel>): void {
  const bot = ctx.store.botUserId;
  const perms = ctx.store.permissionsIn(c, bot);
  const manage = has(perms, P.ManageThreads);
  const owner = c.ownerId === bot;
  const meta = c.thread;
  if (!meta) return;
  const needsManage =
    body.locked !== undefined ||
    body.invitable !== undefined ||
    body.rate_limit_per_user !== undefined ||
    (meta.locked && body.archived === false);
  if (needsManage && !manage) throw missingPermissions();
  if (!manage && !owner && (body.name !== undefined || body.archived !== undefined || body.auto_archive_duration !== undefined)) {
    throw missingPermissions();
  }
  if (body.name !== undefined) { checkCommunityName(body.name); c.name = body.name; }
  if (body.auto_archive_duration !== undefined) meta.autoArchiveDuration = body.auto_archive_duration;
  if (body.locked !== undefined) meta.locked = body.locked;
  if (body.invitable !== undefined && c.type === 12) meta.invitable = body.invitable;
  if (body.rate_limit_per_user !== undefined && body.rate_limit_per_user !== null) c.rateLimitPerUser = body.rate_limit_per_user;
  if (body.applied_tags !== undefined) {
    const parent = c.parentId ? ctx.store.channels.get(c.parentId) : undefined;
    const known = new Set(parent?.availableTags.map((t) => t.id) ?? []);
    const bad = body.applied_tags.findIndex((t) => !known.has(t));
    if (bad >= 0) throw fieldError(['applied_tags', bad], 'BASE_TYPE_CHOICES', 'Unknown tag');
    c.appliedTags = [...body.applied_tags];
  }
  if (body.archived !== undefined && body.archived !== meta.archived) {
    meta.archived = body.archived;
    meta.archiveTimestamp = new Date().toISOString();
  }
}

function modifyChannel(req: Req, ctx: SandboxContext): Res {
  const c = ctx.store.channel(param(req, 'channel_id'));
  if (!canView(ctx, c, ctx.store.botUserId)) throw missingAccess();
  if (c.type === 1) throw wrongChannelType();
  const body = parseBody(ModifyChannel, req.body);
  if (isThreadType(c.type)) {
    modifyThread(ctx, c, body);
    emitChannel(ctx, 'UPDATE', c);
    return { status: 200, body: channelJson(ctx.store, c) };
  }
  const guild = ctx.store.guild(c.guildId ?? '');
  const perms = ctx.store.permissionsIn(c, ctx.store.botUserId);
  if (!has(perms, P.ManageChannels)) throw missingPermissions();
  let overwrites: OverwriteRec[] | null = null;
  if (body.permission_overwrites) {
    overwrites = toOverwrites(body.permission_overwrites);
    checkOverwriteRights(perms, overwrites);
  }
  let parentId: string | null | undefined;
  if (body.parent_id !== undefined) {
    if (body.parent_id !== null && c.type === 4) throw fieldError(['parent_id'], 'CHANNEL_PARENT_INVALID_TYPE', 'Categories cannot have subcategories');
    parentId = body.parent_id === null ? null : body.parent_id === c.parentId ? c.parentId : checkParent(ctx, guild, body.parent_id, c.id).id;
  }
  if (body.topic && body.topic.length > 1024 && c.type !== 15 && c.type !== 16) {
    throw fieldError(['topic'], 'BASE_TYPE_MAX_LENGTH', 'Must be 1024 or fewer in length.');
  }
  if (body.name !== undefined) { checkCommunityName(body.name); c.name = normaliseName(c.type, body.name); }
  if (body.type !== undefined && (c.type === 0 || c.type === 5)) c.type = body.type;
  if (body.topic !== undefined) c.topic = body.topic ?? null;
  if (body.nsfw !== undefined && body.nsfw !== null) c.nsfw = body.nsfw;
  if (body.rate_limit_per_user !== undefined && body.rate_limit_per_user !== null) c.rateLimitPerUser = body.rate_limit_per_user;
  if (body.position !== undefined && body.position !== null) c.position = body.position;
  if (body.default_auto_archive_duration !== undefined) c.defaultAutoArchiveDuration = body.default_auto_archive_duration ?? null;
  if (body.available_tags && (c.type === 15 || c.type === 16)) {
    c.availableTags = body.available_tags.map((t) => ({
      id: t.id ?? newId(),
      name: t.name,
      moderated: t.moderated ?? false,
      emoji_id: t.emoji_id ?? null,
      emoji_name: t.emoji_name ?? null,
    }));
  }
  if (parentId !== undefined) c.parentId = parentId;
  if (overwrites) c.overwrites = overwrites;
  else if (body.lock_permissions && c.parentId) {
    c.overwrites = (ctx.store.channels.get(c.parentId)?.overwrites ?? []).map((o) => ({ ...o }));
  }
  emitChannel(ctx, 'UPDATE', c);
  return { status: 200, body: channelJson(ctx.store, c) };
}

/** Remove a channel with its messages, threads and webhooks (emitting the matching events). */
export function destroyChannel(ctx: SandboxContext, c: ChannelRec): void {
  const { store } = ctx;
  for (const t of [...store.channels.values()]) {
    if (t.parentId === c.id && isThreadType(t.type)) destroyChannel(ctx, t);
  }
  for (const m of store.channelMessages(c.id)) store.messageIndex.delete(m.id);
  store.messages.delete(c.id);
  for (const w of [...store.webhooks.values()]) if (w.channelId === c.id) store.webhooks.delete(w.id);
  store.channels.delete(c.id);
  emitChannel(ctx, 'DELETE', c);
  if (c.type === 4) {
    for (const child of store.guildChannels(c.guildId ?? '')) {
      if (child.parentId === c.id) {
        child.parentId = null;
        emitChannel(ctx, 'UPDATE', child);
      }
    }
  }
}

function deleteChannel(req: Req, ctx: SandboxContext): Res {
  const { store } = ctx;
  const c = store.channel(param(req, 'channel_id'));
  if (c.type === 1) {
    // Closing a DM: the channel stays, nothing is deleted.
    return { status: 200, body: channelJson(store, c) };
  }
  if (!canView(ctx, c, store.botUserId)) throw missingAccess();
  const flag = isThreadType(c.type) ? P.ManageThreads : P.ManageChannels;
  if (!has(store.permissionsIn(c, store.botUserId), flag)) throw missingPermissions();
  const body = channelJson(store, c);
  destroyChannel(ctx, c);
  return { status: 200, body };
}

const PutOverwrite = z.object({
  type: OverwriteSchema.shape.type,
  allow: permissionBits.nullish().transform((v) => v ?? 0n),
  deny: permissionBits.nullish().transform((v) => v ?? 0n),
});

function putOverwrite(req: Req, ctx: SandboxContext): Res {
  const c = ctx.store.channel(param(req, 'channel_id'));
  if (!canView(ctx, c, ctx.store.botUserId)) throw missingAccess();
  if (c.type === 1 || isThreadType(c.type)) throw wrongChannelType();
  const body = parseBody(PutOverwrite, req.body);
  const id = param(req, 'overwrite_id');
  if (!/^\d{15,20}$/.test(id)) throw new DiscordError(404, 0, '404: Not Found');
  const o: OverwriteRec = { id, type: body.type, allow: body.allow, deny: body.deny };
  const perms = ctx.store.permissionsIn(c, ctx.store.botUserId);
  if (!has(perms, P.ManageRoles)) throw missingPermissions();
  checkOverwriteRights(perms, [o]);
  const i = c.overwrites.findIndex((x) => x.id === id);
  if (i >= 0) c.overwrites[i] = o;
  else c.overwrites.push(o);
  emitChannel(ctx, 'UPDATE', c);
  return { status: 204 };
}

function deleteOverwrite(req: Req, ctx: SandboxContext): Res {
  const c = ctx.store.channel(param(req, 'channel_id'));
  if (!canView(ctx, c, ctx.store.botUserId)) throw missingAccess();
  if (c.type === 1 || isThreadType(c.type)) throw wrongChannelType();
  if (!has(ctx.store.permissionsIn(c, ctx.store.botUserId), P.ManageRoles)) throw missingPermissions();
  const id = param(req, 'overwrite_id');
  const before = c.overwrites.length;
  c.overwrites = c.overwrites.filter((o) => o.id !== id);
  if (c.overwrites.length !== before) emitChannel(ctx, 'UPDATE', c);
  return { status: 204 };
}

export const channelRoutes: RouteDef[] = [
  route('GET', '/guilds/:guild_id/channels', listGuildChannels),
  route('POST', '/guilds/:guild_id/channels', createChannel, { bucket: BUCKETS.channelCreate }),
  route('PATCH', '/guilds/:guild_id/channels', reorder),
  route('GET', '/channels/:channel_id', getChannel),
  route('PATCH', '/channels/:channel_id', modifyChannel, { bucket: BUCKETS.channelModify }),
  route('DELETE', '/channels/:channel_id', deleteChannel, { bucket: BUCKETS.channelDelete }),
  route('PUT', '/channels/:channel_id/permissions/:overwrite_id', putOverwrite, { bucket: BUCKETS.overwrite }),
  route('DELETE', '/channels/:channel_id/permissions/:overwrite_id', deleteOverwrite, { bucket: BUCKETS.overwrite }),
];
