// Threads: private and public threads, threads from messages, forum posts (thread + starter
// message + applied tags), thread members, active and archived thread lists.
import { z } from 'zod';
import type { SandboxContext } from '../context.js';
import { blankChannel } from '../demo.js';
import {
  fieldError,
  maxActiveThreads,
  missingAccess,
  missingPermissions,
  threadArchived,
  unknownMember,
  wrongChannelType,
} from '../errors.js';
import { emitChannel, emitThreadMembers } from '../events.js';
import { newId } from '../ids.js';
import { MessagePayloadSchema } from '../message-payload.js';
import { canView, requirePerm, sendMessage } from '../messaging.js';
import type { ChannelRec } from '../model.js';
import { isThreadType } from '../model.js';
import { P, has } from '../permissions.js';
import { BUCKETS } from '../rate-limits.js';
import { param, route } from '../router.js';
import type { Req, Res, RouteDef } from '../router.js';
import { checkCommunityName } from '../name-filter.js';
import { channelJson, messageJson, threadMemberJson } from '../serialize.js';
import { lengthBetween, parseBody, queryInt, snowflake } from '../validation.js';
import { ARCHIVE_DURATIONS } from './channels.js';

export const MAX_ACTIVE_THREADS = 1000;
export const MAX_THREAD_MEMBERS = 1000;

const CreateThread = z.object({
  name: lengthBetween(1, 100),
  auto_archive_duration: z.literal(ARCHIVE_DURATIONS).nullish(),
  type: z.union([z.literal(10), z.literal(11), z.literal(12)]).nullish(),
  invitable: z.boolean().nullish(),
  rate_limit_per_user: z.number().int().min(0).max(21600).nullish(),
  message: MessagePayloadSchema.nullish(),
  applied_tags: z.array(snowflake).max(5).nullish(),
});

function newThread(ctx: SandboxContext, parent: ChannelRec, id: string, type: number, name: string, duration: number): ChannelRec {
  checkCommunityName(name);
  if (ctx.store.threadsOf(parent.guildId ?? '').filter((t) => !t.thread?.archived).length >= MAX_ACTIVE_THREADS) {
    throw maxActiveThreads();
  }
  const now = new Date().toISOString();
  const t = blankChannel(id, type, parent.guildId, name);
  t.parentId = parent.id;
  t.ownerId = ctx.store.botUserId;
  t.thread = { archived: false, locked: false, autoArchiveDuration: duration, archiveTimestamp: now, createTimestamp: now };
  t.threadMembers = new Map([[ctx.store.botUserId, now]]);
  return t;
}

function announceThread(ctx: SandboxContext, t: ChannelRec): void {
  const joined = t.threadMembers?.get(ctx.store.botUserId);
  emitChannel(ctx, 'CREATE', t, {
    newly_created: true,
    ...(joined ? { member: threadMemberJson(ctx.store, t, ctx.store.botUserId, joined, false) } : {}),
  });
}

function checkTags(parent: ChannelRec, tags: readonly string[]): void {
  const known = new Set(parent.availableTags.map((x) => x.id));
  const bad = tags.findIndex((x) => !known.has(x));
  if (bad >= 0) throw fieldError(['applied_tags', bad], 'BASE_TYPE_CHOICES', 'Unknown tag');
}

function createThread(req: Req, ctx: SandboxContext): Res {
  const parent = ctx.store.channel(param(req, 'channel_id'));
  if (!canView(ctx, parent, ctx.store.botUserId)) throw missingAccess();
  const body = parseBody(CreateThread, req.body);
  const bot = ctx.store.botUserId;
  const perms = ctx.store.permissionsIn(parent, bot);
  const duration = body.auto_archive_duration ?? parent.defaultAutoArchiveDuration ?? 4320;

  if (parent.type === 15 || parent.type === 16) {
    if (!has(perms, P.SendMessages)) throw missingPermissions();
    if (!body.message) throw fieldError(['message'], 'BASE_TYPE_REQUIRED', 'This field is required');
    const tags = body.applied_tags ?? [];
    checkTags(parent, tags);
    const t = newThread(ctx, parent, newId(), 11, body.name, duration);
    t.appliedTags = [...tags];
    ctx.store.channels.set(t.id, t);
    announceThread(ctx, t);
    // The starter message shares the thread's id, as on Discord.
    const { message } = sendMessage(ctx, t, {
      author: { kind: 'user', userId: bot },
      payload: body.message,
      files: req.files,
      checkPermissions: false,
      id: t.id,
    });
    return {
      status: 201,
      body: { ...channelJson(ctx.store, t), message: messageJson(ctx.store, message, { baseUrl: ctx.baseUrl() }) },
    };
  }
  if (parent.type !== 0 && parent.type !== 5) throw wrongChannelType();
  const type = body.type ?? 12;
  if (type === 12 && parent.type !== 0) throw wrongChannelType();
  if (!has(perms, type === 12 ? P.CreatePrivateThreads : P.CreatePublicThreads)) throw missingPermissions();
  const t = newThread(ctx, parent, newId(), type === 10 && parent.type !== 5 ? 11 : type, body.name, duration);
  if (t.type === 12 && t.thread) t.thread.invitable = body.invitable ?? true;
  t.rateLimitPerUser = body.rate_limit_per_user ?? 0;
  ctx.store.channels.set(t.id, t);
  announceThread(ctx, t);
  return { status: 201, body: channelJson(ctx.store, t) };
}

const FromMessage = z.object({
  name: lengthBetween(1, 100),
  auto_archive_duration: z.literal(ARCHIVE_DURATIONS).nullish(),
  rate_limit_per_user: z.number().int().min(0).max(21600).nullish(),
});

function threadFromMessage(req: Req, ctx: SandboxContext): Res {
  const parent = ctx.store.channel(param(req, 'channel_id'));
  if (!canView(ctx, parent, ctx.store.botUserId)) throw missingAccess();
  if (parent.type !== 0 && parent.type !== 5) throw wrongChannelType();
  const m = ctx.store.message(parent.id, param(req, 'message_id'));
  const body = parseBody(FromMessage, req.body);
  if (!has(ctx.store.permissionsIn(parent, ctx.store.botUserId), P.CreatePublicThreads)) throw missingPermissions();
  if (m.threadId) throw fieldError(['message_id'], 'THREAD_ALREADY_CREATED_FOR_THIS_MESSAGE', 'A thread has already been created for this message');
  const t = newThread(ctx, parent, m.id, parent.type === 5 ? 10 : 11, body.name, body.auto_archive_duration ?? parent.defaultAutoArchiveDuration ?? 4320);
  ctx.store.channels.set(t.id, t);
  m.threadId = t.id;
  announceThread(ctx, t);
  return { status: 201, body: channelJson(ctx.store, t) };
}

function thread(ctx: SandboxContext, req: Req): ChannelRec {
  const t = ctx.store.channel(param(req, 'channel_id'));
  if (!isThreadType(t.type) || !t.threadMembers) throw wrongChannelType();
  if (!canView(ctx, t, ctx.store.botUserId)) throw missingAccess();
  return t;
}

function resolveUser(req: Req, ctx: SandboxContext): string {
  const u = param(req, 'user_id');
  return u === '@me' ? ctx.store.botUserId : u;
}

function addMember(req: Req, ctx: SandboxContext): Res {
  const t = thread(ctx, req);
  const userId = resolveUser(req, ctx);
  if (t.thread?.archived) throw threadArchived();
  if (userId !== ctx.store.botUserId) requirePerm(ctx, t, ctx.store.botUserId, P.SendMessagesInThreads);
  const guild = ctx.store.guild(t.guildId ?? '');
  if (!guild.members.has(userId)) throw unknownMember();
  const members = t.threadMembers ?? new Map<string, string>();
  if (!members.has(userId)) {
    if (members.size >= MAX_THREAD_MEMBERS) throw fieldError(['user_id'], 'MAX_THREAD_MEMBERS', 'Maximum number of thread participants reached (1000)');
    members.set(userId, new Date().toISOString());
    emitThreadMembers(ctx, t, [userId], []);
  }
  return { status: 204 };
}

function removeMember(req: Req, ctx: SandboxContext): Res {
  const t = thread(ctx, req);
  const userId = resolveUser(req, ctx);
  if (t.thread?.archived) throw threadArchived();
  const perms = ctx.store.permissionsIn(t, ctx.store.botUserId);
  const mayRemove = userId === ctx.store.botUserId || has(perms, P.ManageThreads) || (t.type === 12 && t.ownerId === ctx.store.botUserId);
  if (!mayRemove) throw missingPermissions();
  if (t.threadMembers?.delete(userId)) emitThreadMembers(ctx, t, [], [userId]);
  return { status: 204 };
}

function getMember(req: Req, ctx: SandboxContext): Res {
  const t = thread(ctx, req);
  const userId = resolveUser(req, ctx);
  const joined = t.threadMembers?.get(userId);
  if (!joined) throw unknownMember();
  return { status: 200, body: threadMemberJson(ctx.store, t, userId, joined, req.query.get('with_member') === 'true') };
}

function listMembers(req: Req, ctx: SandboxContext): Res {
  const t = thread(ctx, req);
  const withMember = req.query.get('with_member') === 'true';
  const limit = queryInt(req.query.get('limit'), 'limit', 1, 100, 100);
  const after = req.query.get('after');
  const list = [...(t.threadMembers ?? new Map<string, string>()).entries()]
    .sort((a, b) => (BigInt(a[0]) < BigInt(b[0]) ? -1 : 1))
    .filter(([id]) => !after || BigInt(id) > BigInt(after))
    .slice(0, limit);
  return { status: 200, body: list.map(([id, at]) => threadMemberJson(ctx.store, t, id, at, withMember)) };
}

function memberEntry(ctx: SandboxContext, t: ChannelRec): Record<string, unknown>[] {
  const joined = t.threadMembers?.get(ctx.store.botUserId);
  return joined ? [threadMemberJson(ctx.store, t, ctx.store.botUserId, joined, false)] : [];
}

function activeThreads(req: Req, ctx: SandboxContext): Res {
  const guild = ctx.store.guild(param(req, 'guild_id'));
  const threads = ctx.store.threadsOf(guild.id).filter((t) => !t.thread?.archived && canView(ctx, t, ctx.store.botUserId));
  return {
    status: 200,
    body: { threads: threads.map((t) => channelJson(ctx.store, t)), members: threads.flatMap((t) => memberEntry(ctx, t)) },
  };
}

function archived(kind: 'public' | 'private' | 'joined') {
  return (req: Req, ctx: SandboxContext): Res => {
    const parent = ctx.store.channel(param(req, 'channel_id'));
    if (!canView(ctx, parent, ctx.store.botUserId)) throw missingAccess();
    const perms = ctx.store.permissionsIn(parent, ctx.store.botUserId);
    if (!has(perms, P.ReadMessageHistory)) throw missingAccess();
    if (kind === 'private' && !has(perms, P.ManageThreads)) throw missingPermissions();
    const limit = queryInt(req.query.get('limit'), 'limit', 2, 100, 50);
    const before = req.query.get('before');
    const beforeTs = before ? (/^\d+$/.test(before) ? Number.POSITIVE_INFINITY : Date.parse(before)) : Number.POSITIVE_INFINITY;
    const list = [...ctx.store.channels.values()]
      .filter((t) => t.parentId === parent.id && t.thread?.archived)
      .filter((t) => (kind === 'public' ? t.type !== 12 : t.type === 12))
      .filter((t) => kind !== 'joined' || t.threadMembers?.has(ctx.store.botUserId))
      .filter((t) => Date.parse(t.thread?.archiveTimestamp ?? '') < beforeTs)
      .sort((a, b) => Date.parse(b.thread?.archiveTimestamp ?? '') - Date.parse(a.thread?.archiveTimestamp ?? ''));
    const page = list.slice(0, limit);
    return {
      status: 200,
      body: {
        threads: page.map((t) => channelJson(ctx.store, t)),
        members: page.flatMap((t) => memberEntry(ctx, t)),
        has_more: list.length > page.length,
      },
    };
  };
}

export const threadRoutes: RouteDef[] = [
  route('POST', '/channels/:channel_id/threads', createThread, { bucket: BUCKETS.threadCreate }),
  route('POST', '/channels/:channel_id/messages/:message_id/threads', threadFromMessage, { bucket: BUCKETS.threadCreate }),
  route('GET', '/channels/:channel_id/thread-members', listMembers),
  route('GET', '/channels/:channel_id/thread-members/:user_id', getMember),
  route('PUT', '/channels/:channel_id/thread-members/:user_id', addMember, { bucket: BUCKETS.threadMembers }),
  route('DELETE', '/channels/:channel_id/thread-members/:user_id', removeMember, { bucket: BUCKETS.threadMembers }),
  route('GET', '/guilds/:guild_id/threads/active', activeThreads),
  route('GET', '/channels/:channel_id/threads/archived/public', archived('public')),
  route('GET', '/channels/:channel_id/threads/archived/private', archived('private')),
  route('GET', '/channels/:channel_id/users/@me/threads/archived/private', archived('joined')),
];
