// The bot's side of interactions: the callback (types 4, 5, 6, 7, 9; 1 for pings) within the
// 3-second deadline and exactly once, then follow-ups and edits of the original response via
// /webhooks/{application_id}/{token} for 15 minutes.
import { z } from 'zod';
import type { SandboxContext } from '../context.js';
import {
  DiscordError,
  alreadyAcknowledged,
  fieldError,
  unknownInteraction,
  unknownMessage,
  unknownWebhook,
} from '../errors.js';
import { emitMessageDelete } from '../events.js';
import { validateModal } from '../components.js';
import { EPHEMERAL, LOADING, MessagePayloadSchema } from '../message-payload.js';
import { editMessage, sendMessage } from '../messaging.js';
import type { InteractionRec, MessageRec } from '../model.js';
import { param, route } from '../router.js';
import type { Req, Res, RouteDef } from '../router.js';
import { messageJson } from '../serialize.js';
import { lengthBetween, parseBody } from '../validation.js';

export const INTERACTION_DEADLINE_MS = 3_000;
export const INTERACTION_TOKEN_TTL_MS = 15 * 60_000;

const Callback = z.object({ type: z.number().int(), data: z.record(z.string(), z.unknown()).nullish() });

const ModalData = z.object({
  custom_id: lengthBetween(1, 100),
  title: lengthBetween(1, 45),
  components: z.array(z.looseObject({ type: z.number().int() })).min(1).max(5),
});

function interactionMetadata(ctx: SandboxContext, i: InteractionRec): Record<string, unknown> {
  const user = ctx.store.users.get(i.userId);
  const meta: Record<string, unknown> = {
    id: i.id,
    type: i.type,
    user: user ? { id: user.id, username: user.username, discriminator: '0', global_name: user.global_name, avatar: user.avatar } : { id: i.userId },
    authorizing_integration_owners: i.guildId ? { '0': i.guildId } : { '1': i.userId },
  };
  if (i.type === 2) meta.name = (i.payload.data as { name?: string } | undefined)?.name;
  if (i.messageId) meta.interacted_message_id = i.messageId;
  return meta;
}

function botReply(
  ctx: SandboxContext,
  i: InteractionRec,
  payload: z.output<typeof MessagePayloadSchema>,
  extraFlags: number,
  allowEmpty: boolean,
  files: Req['files'] = [],
): MessageRec {
  const channel = ctx.store.channel(i.channelId);
  return sendMessage(ctx, channel, {
    author: { kind: 'user', userId: ctx.store.botUserId },
    payload: { ...payload, nonce: null, enforce_nonce: null },
    files,
    checkPermissions: false,
    type: i.type === 2 ? 20 : 0,
    applicationId: ctx.store.applicationId,
    interactionMetadata: interactionMetadata(ctx, i),
    extraFlags,
    allowEmpty,
  }).message;
}

function callback(req: Req, ctx: SandboxContext): Res {
  const i = ctx.store.interactions.get(param(req, 'interaction_id'));
  if (!i || i.token !== param(req, 'token')) throw unknownInteraction();
  i.callbackAttempts += 1; // refused ones too: a bot answering twice shows here
  if (i.response) throw alreadyAcknowledged();
  if (Date.now() - i.createdAt > ctx.interactionDeadlineMs) throw unknownInteraction();
  const body = parseBody(Callback, req.body);
  const fromMessage = i.messageId !== null;
  const allowed =
    i.type === 1 ? [1] : i.type === 5 ? (fromMessage ? [4, 5, 6, 7] : [4, 5]) : i.type === 3 ? [4, 5, 6, 7, 9] : [4, 5, 9];
  if (!allowed.includes(body.type)) {
    throw fieldError(['type'], 'INTERACTION_RESPONSE_TYPE_INVALID', 'Interaction response type is not valid for this interaction');
  }
  let message: MessageRec | null = null;
  switch (body.type) {
    case 4: {
      const payload = parseBody(MessagePayloadSchema, body.data ?? {});
      message = botReply(ctx, i, payload, 0, false, req.files);
      i.originalMessageId = message.id;
      i.ephemeral = (message.flags & EPHEMERAL) !== 0;
      break;
    }
    case 5: {
      const flags = Number((body.data as { flags?: unknown } | null | undefined)?.flags ?? 0) & EPHEMERAL;
      message = botReply(ctx, i, {} as z.output<typeof MessagePayloadSchema>, LOADING | flags, true);
      i.originalMessageId = message.id;
      i.ephemeral = flags !== 0;
      break;
    }
    case 6:
      i.originalMessageId = i.messageId;
      break;
    case 7: {
      const payload = parseBody(MessagePayloadSchema, body.data ?? {});
      const target = i.messageId ? ctx.store.messageIndex.get(i.messageId) : undefined;
      if (!target) throw unknownMessage();
      message = editMessage(ctx, target, { payload, files: req.files });
      i.originalMessageId = target.id;
      break;
    }
    case 9: {
      const modal = parseBody(ModalData, body.data ?? {});
      validateModal(modal.components);
      ctx.store.modals.push({
        userId: i.userId,
        channelId: i.channelId,
        customId: modal.custom_id,
        title: modal.title,
        components: modal.components,
        messageId: i.messageId,
      });
      break;
    }
    default:
      break;
  }
  i.response = { type: body.type, data: body.data ?? null };
  i.respondedAt = Date.now();
  ctx.interactionWaiters.get(i.id)?.(i);
  if (req.query.get('with_response') === 'true') {
    const resource: Record<string, unknown> = { type: body.type };
    if (message) resource.message = messageJson(ctx.store, message, { baseUrl: ctx.baseUrl() });
    return {
      status: 200,
      body: {
        interaction: {
          id: i.id,
          type: i.type,
          activity_instance_id: null,
          response_message_id: message?.id ?? null,
          response_message_loading: body.type === 5,
          response_message_ephemeral: message ? (message.flags & EPHEMERAL) !== 0 : false,
        },
        resource,
      },
    };
  }
  return { status: 204 };
}

/** The interaction behind /webhooks/{application_id}/{token}. */
function byToken(req: Req, ctx: SandboxContext): InteractionRec {
  const i = ctx.store.interactionsByToken.get(param(req, 'token'));
  if (!i) throw new DiscordError(401, 50027, 'Invalid Webhook Token');
  if (Date.now() - i.createdAt > INTERACTION_TOKEN_TTL_MS) throw new DiscordError(401, 50027, 'Invalid Webhook Token');
  if (!i.response) throw unknownWebhook();
  return i;
}

function targetMessage(req: Req, ctx: SandboxContext, i: InteractionRec): MessageRec {
  const id = param(req, 'message_id');
  const resolved = id === '@original' ? i.originalMessageId : id;
  if (!resolved || (id !== '@original' && !i.followupIds.includes(resolved) && resolved !== i.originalMessageId)) {
    throw unknownMessage();
  }
  const m = ctx.store.messageIndex.get(resolved);
  if (!m) throw unknownMessage();
  return m;
}

const json = (ctx: SandboxContext, m: MessageRec): Record<string, unknown> => messageJson(ctx.store, m, { baseUrl: ctx.baseUrl() });

export function followupExecute(req: Req, ctx: SandboxContext): Res {
  const i = byToken(req, ctx);
  const payload = parseBody(MessagePayloadSchema, req.body);
  const original = i.originalMessageId ? ctx.store.messageIndex.get(i.originalMessageId) : undefined;
  // After a deferred reply the first follow-up replaces the "thinking…" message.
  if (i.response?.type === 5 && original && (original.flags & LOADING) !== 0) {
    const edited = editMessage(ctx, original, { payload, files: req.files });
    ctx.settleWaiters.get(i.id)?.();
    return { status: 200, body: json(ctx, edited) };
  }
  const channel = ctx.store.channel(i.channelId);
  const m = sendMessage(ctx, channel, {
    author: { kind: 'user', userId: ctx.store.botUserId },
    payload,
    files: req.files,
    checkPermissions: false,
    applicationId: ctx.store.applicationId,
    interactionMetadata: interactionMetadata(ctx, i),
  }).message;
  i.followupIds.push(m.id);
  ctx.settleWaiters.get(i.id)?.();
  return { status: 200, body: json(ctx, m) };
}

export function followupGet(req: Req, ctx: SandboxContext): Res {
  const i = byToken(req, ctx);
  return { status: 200, body: json(ctx, targetMessage(req, ctx, i)) };
}

export function followupEdit(req: Req, ctx: SandboxContext): Res {
  const i = byToken(req, ctx);
  const m = targetMessage(req, ctx, i);
  const payload = parseBody(MessagePayloadSchema, req.body);
  const edited = editMessage(ctx, m, { payload, files: req.files });
  ctx.settleWaiters.get(i.id)?.();
  return { status: 200, body: json(ctx, edited) };
}

export function followupDelete(req: Req, ctx: SandboxContext): Res {
  const i = byToken(req, ctx);
  const m = targetMessage(req, ctx, i);
  ctx.store.removeMessage(m);
  emitMessageDelete(ctx, m);
  return { status: 204 };
}

export const interactionRoutes: RouteDef[] = [
  route('POST', '/interactions/:interaction_id/:token/callback', callback, { auth: false, global: false }),
];
