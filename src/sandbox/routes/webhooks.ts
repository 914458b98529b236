// Webhooks: create/list/modify/delete, execute (username, avatar_url, thread_id, thread_name for
// forum posts, wait=true) and the webhook's own messages. Tokens in the path stand in for auth;
// an application id in place of a webhook id means interaction follow-ups (interactions.ts).
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { SandboxContext } from '../context.js';
import { blankChannel } from '../demo.js';
import {
  DiscordError,
  fieldError,
  maxWebhooks,
  missingAccess,
  missingPermissions,
  unknownChannel,
  unknownMessage,
  unknownWebhook,
} from '../errors.js';
import { emitChannel, emitMessageDelete } from '../events.js';
import { newId, newToken } from '../ids.js';
import { MessagePayloadSchema } from '../message-payload.js';
import { canView, editMessage, sendMessage } from '../messaging.js';
import type { AuthorRec, ChannelRec, MessageRec, WebhookRec } from '../model.js';
import { isThreadType } from '../model.js';
import { P, has } from '../permissions.js';
import { BUCKETS } from '../rate-limits.js';
import { param, route } from '../router.js';
import type { Req, Res, RouteDef } from '../router.js';
import { messageJson, webhookJson } from '../serialize.js';
import { parseBody } from '../validation.js';
import { followupDelete, followupEdit, followupExecute, followupGet } from './interactions.js';

const MAX_WEBHOOKS_PER_CHANNEL = 15;

const WebhookBody = z.object({
  name: z
    .string()
    .min(1)
    .max(80)
    .refine((n) => !/clyde|discord/i.test(n), { message: 'reserved name' }),
  avatar: z.string().nullish(),
  channel_id: z.string().nullish(),
});

function manageable(ctx: SandboxContext, c: ChannelRec): void {
  if (!canView(ctx, c, ctx.store.botUserId)) throw missingAccess();
  if (!has(ctx.store.permissionsIn(c, ctx.store.botUserId), P.ManageWebhooks)) throw missingPermissions();
}

function createWebhook(req: Req, ctx: SandboxContext): Res {
  const c = ctx.store.channel(param(req, 'channel_id'));
  if (c.type === 1 || isThreadType(c.type) || c.type === 4) throw new DiscordError(400, 50024, 'Cannot execute action on this channel type');
  manageable(ctx, c);
  const body = parseBody(WebhookBody, req.body);
  const count = [...ctx.store.webhooks.values()].filter((w) => w.channelId === c.id).length;
  if (count >= MAX_WEBHOOKS_PER_CHANNEL) throw maxWebhooks();
  const w: WebhookRec = {
    id: newId(),
    token: newToken(48),
    type: 1,
    guildId: c.guildId ?? '',
    channelId: c.id,
    name: body.name,
    avatar: body.avatar ? createHash('md5').update(body.avatar).digest('hex') : null,
    creatorId: ctx.store.botUserId,
    applicationId: ctx.store.applicationId,
  };
  ctx.store.webhooks.set(w.id, w);
  ctx.gateway.dispatch('WEBHOOKS_UPDATE', { guild_id: w.guildId, channel_id: w.channelId }, { guildId: w.guildId });
  return { status: 200, body: webhookJson(ctx.store, w, ctx.baseUrl()) };
}

function channelWebhooks(req: Req, ctx: SandboxContext): Res {
  const c = ctx.store.channel(param(req, 'channel_id'));
  manageable(ctx, c);
  const list = [...ctx.store.webhooks.values()].filter((w) => w.channelId === c.id);
  return { status: 200, body: list.map((w) => webhookJson(ctx.store, w, ctx.baseUrl())) };
}

function guildWebhooks(req: Req, ctx: SandboxContext): Res {
  const g = ctx.store.guild(param(req, 'guild_id'));
  const list = [...ctx.store.webhooks.values()].filter((w) => w.guildId === g.id);
  const first = list[0] ? ctx.store.channels.get(list[0].channelId) : undefined;
  if (first) manageable(ctx, first);
  return { status: 200, body: list.map((w) => webhookJson(ctx.store, w, ctx.baseUrl())) };
}

/** A webhook addressed by id (bot auth) or id + token (no auth). */
function resolve(req: Req, ctx: SandboxContext): WebhookRec {
  const w = ctx.store.webhook(param(req, 'webhook_id'));
  const token = req.params.token;
  if (token !== undefined) {
    if (token !== w.token) throw new DiscordError(401, 50027, 'Invalid Webhook Token');
  } else {
    manageable(ctx, ctx.store.channel(w.channelId));
  }
  return w;
}

function getWebhook(req: Req, ctx: SandboxContext): Res {
  if (isInteractionToken(req, ctx)) throw unknownWebhook();
  const w = resolve(req, ctx);
  return { status: 200, body: webhookJson(ctx.store, w, ctx.baseUrl(), req.params.token === undefined) };
}

function modifyWebhook(req: Req, ctx: SandboxContext): Res {
  if (isInteractionToken(req, ctx)) throw unknownWebhook();
  const w = resolve(req, ctx);
  const body = parseBody(WebhookBody.partial(), req.body);
  if (body.name) w.name = body.name;
  if (body.avatar !== undefined) w.avatar = body.avatar ? createHash('md5').update(body.avatar).digest('hex') : null;
  if (body.channel_id && req.params.token === undefined) {
    const c = ctx.store.channel(body.channel_id);
    manageable(ctx, c);
    w.channelId = c.id;
  }
  ctx.gateway.dispatch('WEBHOOKS_UPDATE', { guild_id: w.guildId, channel_id: w.channelId }, { guildId: w.guildId });
  return { status: 200, body: webhookJson(ctx.store, w, ctx.baseUrl(), req.params.token === undefined) };
}

function deleteWebhook(req: Req, ctx: SandboxContext): Res {
  if (isInteractionToken(req, ctx)) throw unknownWebhook();
  const w = resolve(req, ctx);
  ctx.store.webhooks.delete(w.id);
  ctx.gateway.dispatch('WEBHOOKS_UPDATE', { guild_id: w.guildId, channel_id: w.channelId }, { guildId: w.guildId });
  return { status: 204 };
}

function isInteractionToken(req: Req, ctx: SandboxContext): boolean {
  return req.params.token !== undefined && param(req, 'webhook_id') === ctx.store.applicationId;
}

function targetChannel(req: Req, ctx: SandboxContext, w: WebhookRec): ChannelRec {
  const base = ctx.store.channel(w.channelId);
  const threadId = req.query.get('thread_id');
  if (!threadId) return base;
  const t = ctx.store.channels.get(threadId);
  if (!t || t.parentId !== base.id || !isThreadType(t.type)) throw unknownChannel();
  return t;
}

function execute(req: Req, ctx: SandboxContext): Res {
  if (isInteractionToken(req, ctx)) return followupExecute(req, ctx);
  const w = resolve(req, ctx);
  const payload = parseBody(MessagePayloadSchema, req.body);
  const base = ctx.store.channel(w.channelId);
  let channel = targetChannel(req, ctx, w);
  const avatarUrl = payload.avatar_url ?? null;
  const author: AuthorRec = {
    kind: 'webhook',
    webhookId: w.id,
    username: payload.username ?? w.name,
    avatar: avatarUrl ? createHash('md5').update(avatarUrl).digest('hex') : w.avatar,
    avatarUrl,
  };
  let threadStarterId: string | undefined;
  if (base.type === 15 || base.type === 16) {
    if (channel === base) {
      if (!payload.thread_name) {
        throw new DiscordError(400, 220001, 'Webhooks posted to forum channels must have a thread_name or thread_id');
      }
      const tags = payload.applied_tags ?? [];
      const known = new Set(base.availableTags.map((t) => t.id));
      const bad = tags.findIndex((t) => !known.has(t));
      if (bad >= 0) throw fieldError(['applied_tags', bad], 'BASE_TYPE_CHOICES', 'Unknown tag');
      const now = new Date().toISOString();
      const t = blankChannel(newId(), 11, base.guildId, payload.thread_name);
      t.parentId = base.id;
      t.ownerId = w.id;
      t.appliedTags = [...tags];
      t.thread = {
        archived: false,
        locked: false,
        autoArchiveDuration: base.defaultAutoArchiveDuration ?? 4320,
        archiveTimestamp: now,
        createTimestamp: now,
      };
      t.threadMembers = new Map();
      ctx.store.channels.set(t.id, t);
      emitChannel(ctx, 'CREATE', t, { newly_created: true });
      channel = t;
      threadStarterId = t.id;
    }
  } else if (payload.thread_name) {
    throw fieldError(['thread_name'], 'BASE_TYPE_INVALID', 'thread_name requires a forum or media channel');
  }
  const opts: Parameters<typeof sendMessage>[2] = {
    author,
    payload,
    files: req.files,
    checkPermissions: false,
    applicationId: w.applicationId,
  };
  if (threadStarterId) opts.id = threadStarterId;
  const { message } = sendMessage(ctx, channel, opts);
  if (req.query.get('wait') === 'true') {
    return { status: 200, body: messageJson(ctx.store, message, { baseUrl: ctx.baseUrl() }) };
  }
  return { status: 204 };
}

function ownMessage(req: Req, ctx: SandboxContext, w: WebhookRec): MessageRec {
  const m = ctx.store.messageIndex.get(param(req, 'message_id'));
  if (!m || m.webhookId !== w.id) throw unknownMessage();
  if (req.query.get('thread_id')) {
    if (m.channelId !== targetChannel(req, ctx, w).id) throw unknownMessage();
  } else if (m.channelId !== w.channelId && ctx.store.channels.get(m.channelId)?.parentId !== w.channelId) {
    throw unknownMessage();
  }
  return m;
}

function getMessage(req: Req, ctx: SandboxContext): Res {
  if (isInteractionToken(req, ctx)) return followupGet(req, ctx);
  const w = resolve(req, ctx);
  return { status: 200, body: messageJson(ctx.store, ownMessage(req, ctx, w), { baseUrl: ctx.baseUrl() }) };
}

function editOwnMessage(req: Req, ctx: SandboxContext): Res {
  if (isInteractionToken(req, ctx)) return followupEdit(req, ctx);
  const w = resolve(req, ctx);
  const m = ownMessage(req, ctx, w);
  const payload = parseBody(MessagePayloadSchema, req.body);
  return { status: 200, body: messageJson(ctx.store, editMessage(ctx, m, { payload, files: req.files }), { baseUrl: ctx.baseUrl() }) };
}

function deleteOwnMessage(req: Req, ctx: SandboxContext): Res {
  if (isInteractionToken(req, ctx)) return followupDelete(req, ctx);
  const w = resolve(req, ctx);
  const m = ownMessage(req, ctx, w);
  ctx.store.removeMessage(m);
  emitMessageDelete(ctx, m);
  return { status: 204 };
}

const open = { auth: false, global: false } as const;

export const webhookRoutes: RouteDef[] = [
  route('POST', '/channels/:channel_id/webhooks', createWebhook),
  route('GET', '/channels/:channel_id/webhooks', channelWebhooks),
  route('GET', '/guilds/:guild_id/webhooks', guildWebhooks),
  route('GET', '/webhooks/:webhook_id', getWebhook),
  route('PATCH', '/webhooks/:webhook_id', modifyWebhook),
  route('DELETE', '/webhooks/:webhook_id', deleteWebhook),
  route('GET', '/webhooks/:webhook_id/:token', getWebhook, open),
  route('PATCH', '/webhooks/:webhook_id/:token', modifyWebhook, open),
  route('DELETE', '/webhooks/:webhook_id/:token', deleteWebhook, open),
  route('POST', '/webhooks/:webhook_id/:token', execute, { ...open, bucket: BUCKETS.webhookExecute }),
  route('GET', '/webhooks/:webhook_id/:token/messages/:message_id', getMessage, open),
  route('PATCH', '/webhooks/:webhook_id/:token/messages/:message_id', editOwnMessage, open),
  route('DELETE', '/webhooks/:webhook_id/:token/messages/:message_id', deleteOwnMessage, open),
];
