// Creating and editing messages: the one path every author (bot REST, webhook, interaction
// response, sandbox user) goes through, so limits, mentions, attachments and events agree.
import type { SandboxContext } from './context.js';
import {
  DiscordError,
  cannotMessageUser,
  emptyMessage,
  fieldError,
  missingAccess,
  missingPermissions,
  threadArchived,
  tooLarge,
} from './errors.js';
import { emitChannel, emitMessage } from './events.js';
import { newId } from './ids.js';
import { EPHEMERAL, IS_COMPONENTS_V2, LOADING, SUPPRESS_EMBEDS, checkPayloadLimits, normaliseEmbeds } from './message-payload.js';
import type { AllowedMentions, MessagePayload } from './message-payload.js';
import type { AttachmentRec, AuthorRec, ChannelRec, MessageRec } from './model.js';
import { isThreadType } from './model.js';
import { P, has } from './permissions.js';
import type { UploadedFile } from './router.js';

export const MAX_FILE_BYTES = 10 * 1024 * 1024;
export const MAX_REQUEST_FILE_BYTES = 25 * 1024 * 1024;
const NONCE_WINDOW_MS = 5 * 60_000;

const TEXT_TYPES = new Set([0, 1, 2, 5, 10, 11, 12, 13]);

export const cannotSendHere = (): DiscordError =>
  new DiscordError(400, 50008, 'Cannot send messages in a non-text channel');

/** Can `userId` read this channel at all? (private threads also need membership or ManageThreads) */
export function canView(ctx: SandboxContext, c: ChannelRec, userId: string): boolean {
  if (c.type === 1) return userId === ctx.store.botUserId || c.recipients.includes(userId);
  const perms = ctx.store.permissionsIn(c, userId);
  if (!has(perms, P.ViewChannel)) return false;
  if (c.type === 12 && !c.threadMembers?.has(userId) && !has(perms, P.ManageThreads)) return false;
  return true;
}

/** 50001 when the channel is invisible to the user, 50013 when `flag` is missing. */
export function requirePerm(ctx: SandboxContext, c: ChannelRec, userId: string, flag: bigint): void {
  if (!canView(ctx, c, userId)) throw missingAccess();
  if (c.type === 1) return;
  if (!has(ctx.store.permissionsIn(c, userId), flag)) throw missingPermissions();
}

export function sharesGuildWithBot(ctx: SandboxContext, userId: string): boolean {
  for (const g of ctx.store.guilds.values()) {
    if (g.members.has(userId) && g.members.has(ctx.store.botUserId)) return true;
  }
  return false;
}

export function buildAttachments(
  payload: MessagePayload,
  files: readonly UploadedFile[],
  existing: readonly AttachmentRec[] = [],
): AttachmentRec[] {
  let total = 0;
  const out: AttachmentRec[] = [];
  const described = new Map((payload.attachments ?? []).map((a) => [a.id, a]));
  if (payload.attachments) {
    for (const a of existing) if (described.has(a.id)) out.push(a);
  } else {
    out.push(...existing);
  }
  for (const f of files) {
    if (f.data.length > MAX_FILE_BYTES) throw tooLarge();
    total += f.data.length;
    const meta = described.get(String(f.index));
    const a: AttachmentRec = {
      id: newId(),
      filename: meta?.filename ?? f.filename,
      contentType: f.contentType || 'application/octet-stream',
      size: f.data.length,
      data: f.data,
    };
    if (meta?.description) a.description = meta.description;
    out.push(a);
  }
  if (total > MAX_REQUEST_FILE_BYTES) throw tooLarge();
  return out;
}

interface Mentions {
  users: string[];
  roles: string[];
  everyone: boolean;
}

function resolveMentions(
  ctx: SandboxContext,
  channel: ChannelRec,
  content: string,
  allowed: AllowedMentions | null | undefined,
  authorCanEveryone: boolean,
  repliedAuthor: string | null,
): Mentions {
  const parse = allowed ? new Set(allowed.parse ?? []) : new Set(['users', 'roles', 'everyone']);
  const users: string[] = [];
  const roles: string[] = [];
  const guild = channel.guildId ? ctx.store.guilds.get(channel.guildId) : undefined;
  for (const m of content.matchAll(/<@!?(\d{15,20})>/g)) {
    const id = m[1] ?? '';
    if ((parse.has('users') || allowed?.users?.includes(id)) && ctx.store.users.has(id) && !users.includes(id)) users.push(id);
  }
  for (const m of content.matchAll(/<@&(\d{15,20})>/g)) {
    const id = m[1] ?? '';
    if ((parse.has('roles') || allowed?.roles?.includes(id)) && guild?.roles.has(id) && !roles.includes(id)) roles.push(id);
  }
  if (repliedAuthor && (!allowed || allowed.replied_user === true) && !users.includes(repliedAuthor)) users.push(repliedAuthor);
  const everyone = parse.has('everyone') && authorCanEveryone && /@(everyone|here)\b/.test(content);
  return { users, roles, everyone };
}

export interface SendOptions {
  author: AuthorRec;
  payload: MessagePayload;
  files?: readonly UploadedFile[];
  type?: number;
  applicationId?: string | null;
  interactionMetadata?: Record<string, unknown> | null;
  /** Webhooks and interaction responses do not need the author's channel permissions. */
  checkPermissions: boolean;
  /** Extra flags forced on (ephemeral, loading). */
  extraFlags?: number;
  allowEmpty?: boolean;
  /** Use this id (forum starter messages share the thread's id). */
  id?: string;
}

export interface SendResult {
  message: MessageRec;
  /** enforce_nonce found an earlier message with this nonce: nothing new was created. */
  deduplicated: boolean;
}

export function sendMessage(ctx: SandboxContext, channel: ChannelRec, opts: SendOptions): SendResult {
  const { store } = ctx;
  const p = opts.payload;
  checkPayloadLimits(p);
  if (!TEXT_TYPES.has(channel.type)) throw cannotSendHere();
  const files = opts.files ?? [];
  const authorUserId = opts.author.kind === 'user' ? opts.author.userId : null;

  if (opts.checkPermissions && authorUserId) {
    if (channel.type === 1) {
      if (authorUserId === store.botUserId && !channel.recipients.every((r) => sharesGuildWithBot(ctx, r))) {
        throw cannotMessageUser();
      }
    } else {
      const flag = isThreadType(channel.type) ? P.SendMessagesInThreads : P.SendMessages;
      requirePerm(ctx, channel, authorUserId, flag);
      if (files.length > 0) requirePerm(ctx, channel, authorUserId, P.AttachFiles);
      if (p.message_reference) requirePerm(ctx, channel, authorUserId, P.ReadMessageHistory);
    }
  }
  if (channel.thread?.archived) {
    const perms = authorUserId ? store.permissionsIn(channel, authorUserId) : 0n;
    if (channel.thread.locked && !has(perms, P.ManageThreads) && opts.checkPermissions) throw threadArchived();
  }

  const hasBody =
    (p.content ?? '').length > 0 ||
    (p.embeds?.length ?? 0) > 0 ||
    (p.components?.length ?? 0) > 0 ||
    files.length > 0 ||
    (p.sticker_ids?.length ?? 0) > 0 ||
    p.poll !== undefined;
  if (!hasBody && !opts.allowEmpty) throw emptyMessage();

  if (p.nonce !== null && p.nonce !== undefined && p.enforce_nonce) {
    const cutoff = Date.now() - NONCE_WINDOW_MS;
    const dup = store
      .channelMessages(channel.id)
      .find(
        (m) =>
          m.nonce === p.nonce &&
          Date.parse(m.timestamp) >= cutoff &&
          JSON.stringify(m.author) === JSON.stringify(opts.author),
      );
    if (dup) return { message: dup, deduplicated: true };
  }

  let reference: MessageRec['reference'] = null;
  let repliedAuthor: string | null = null;
  if (p.message_reference) {
    const refChannelId = p.message_reference.channel_id ?? channel.id;
    const ref = store.messageIndex.get(p.message_reference.message_id);
    if (!ref || ref.channelId !== refChannelId) {
      if (p.message_reference.fail_if_not_exists !== false) {
        throw fieldError(['message_reference'], 'MESSAGE_REFERENCE_UNKNOWN_MESSAGE', 'Unknown message');
      }
    } else {
      reference = { message_id: ref.id, channel_id: ref.channelId };
      if (channel.guildId) reference.guild_id = channel.guildId;
      repliedAuthor = ref.author.kind === 'user' ? ref.author.userId : null;
    }
  }

  const canEveryone =
    !authorUserId || channel.type === 1 || has(store.permissionsIn(channel, authorUserId), P.MentionEveryone);
  const content = p.content ?? '';
  const mentions = resolveMentions(ctx, channel, content, p.allowed_mentions, canEveryone, repliedAuthor);
  const now = new Date().toISOString();
  const allowedFlags = SUPPRESS_EMBEDS | (1 << 12) /* suppress notifications */ | (1 << 15) | EPHEMERAL | (1 << 13);
  const m: MessageRec = {
    id: opts.id ?? newId(),
    channelId: channel.id,
    author: opts.author,
    content,
    embeds: normaliseEmbeds(p.embeds ?? []),
    components: p.components ?? [],
    attachments: buildAttachments(p, files),
    timestamp: now,
    editedTimestamp: null,
    flags: ((p.flags ?? 0) & allowedFlags) | (opts.extraFlags ?? 0),
    type: opts.type ?? (reference ? 19 : 0),
    tts: p.tts ?? false,
    pinned: false,
    pinnedAt: null,
    reactions: new Map(),
    nonce: p.nonce ?? null,
    mentions: mentions.users,
    mentionRoles: mentions.roles,
    mentionEveryone: mentions.everyone,
    reference,
    webhookId: opts.author.kind === 'webhook' ? opts.author.webhookId : null,
    applicationId: opts.applicationId ?? null,
    interactionMetadata: opts.interactionMetadata ?? null,
    position: null,
    threadId: null,
  };
  if ((m.flags & EPHEMERAL) === 0) {
    channel.lastMessageId = m.id;
    if (isThreadType(channel.type)) {
      m.position = channel.totalMessageSent;
      channel.messageCount += 1;
      channel.totalMessageSent += 1;
    }
  }
  store.addMessage(m);
  if (channel.thread?.archived && !channel.thread.locked) {
    // Sending into an archived (unlocked) thread unarchives it.
    channel.thread.archived = false;
    channel.thread.archiveTimestamp = now;
    emitChannel(ctx, 'UPDATE', channel);
  }
  emitMessage(ctx, 'MESSAGE_CREATE', m);
  return { message: m, deduplicated: false };
}

export interface EditOptions {
  payload: MessagePayload;
  files?: readonly UploadedFile[];
}

/** Apply an edit; the caller has checked who may edit. Emits MESSAGE_UPDATE. */
export function editMessage(ctx: SandboxContext, m: MessageRec, opts: EditOptions): MessageRec {
  const p = opts.payload;
  // A components-v2 message stays v2 when an edit does not repeat the flag.
  checkPayloadLimits({ ...p, flags: (p.flags ?? 0) | (m.flags & IS_COMPONENTS_V2) });
  const channel = ctx.store.channel(m.channelId);
  const next = { ...m };
  if (p.content !== undefined) next.content = p.content ?? '';
  if (p.embeds !== undefined) next.embeds = normaliseEmbeds(p.embeds ?? []);
  if (p.components !== undefined) next.components = p.components ?? [];
  if (p.flags !== undefined && p.flags !== null) {
    next.flags = (m.flags & ~SUPPRESS_EMBEDS) | (p.flags & SUPPRESS_EMBEDS);
  }
  if (p.attachments !== undefined || (opts.files?.length ?? 0) > 0) {
    next.attachments = buildAttachments(p, opts.files ?? [], m.attachments);
  }
  next.flags &= ~LOADING; // editing a deferred reply resolves its "thinking…" state
  const hasBody =
    next.content.length > 0 || next.embeds.length > 0 || next.components.length > 0 || next.attachments.length > 0;
  if (!hasBody) throw emptyMessage();
  if (p.content !== undefined || p.allowed_mentions !== undefined) {
    const canEveryone = m.author.kind !== 'user' || channel.type === 1 || has(ctx.store.permissionsIn(channel, m.author.userId), P.MentionEveryone);
    const mentions = resolveMentions(ctx, channel, next.content, p.allowed_mentions, canEveryone, null);
    next.mentions = mentions.users;
    next.mentionRoles = mentions.roles;
    next.mentionEveryone = mentions.everyone;
  }
  next.editedTimestamp = new Date().toISOString();
  Object.assign(m, next);
  emitMessage(ctx, 'MESSAGE_UPDATE', m);
  return m;
}
