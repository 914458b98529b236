// Channel messages: create (JSON or multipart), get, list with before/after/around, edit,
// delete, bulk delete, typing.
import { z } from 'zod';
import type { SandboxContext } from '../context.js';
import { cannotEditOthers, fieldError, missingAccess, missingPermissions, unknownMessage } from '../errors.js';
import { emitMessageDelete } from '../events.js';
import { MessagePayloadSchema } from '../message-payload.js';
import { canView, editMessage, requirePerm, sendMessage } from '../messaging.js';
import type { ChannelRec, MessageRec } from '../model.js';
import { P, has } from '../permissions.js';
import { BUCKETS } from '../rate-limits.js';
import { param, route } from '../router.js';
import type { Req, Res, RouteDef } from '../router.js';
import { messageJson } from '../serialize.js';
import { parseBody, queryInt, snowflake } from '../validation.js';

const SNOWFLAKE = /^\d{15,20}$/;

function readableChannel(ctx: SandboxContext, req: Req): ChannelRec {
  const c = ctx.store.channel(param(req, 'channel_id'));
  if (!canView(ctx, c, ctx.store.botUserId)) throw missingAccess();
  return c;
}

const out = (ctx: SandboxContext, m: MessageRec): Record<string, unknown> => messageJson(ctx.store, m, { baseUrl: ctx.baseUrl() });

function queryId(req: Req, name: string): bigint | null {
  const v = req.query.get(name);
  if (v === null || v === '') return null;
  if (!SNOWFLAKE.test(v)) throw fieldError([name], 'NUMBER_TYPE_COERCE', `Value "${v}" is not snowflake.`);
  return BigInt(v);
}

/** Discord's history window: newest first, `limit` 1–100 (default 50). */
export function history(list: readonly MessageRec[], limit: number, before: bigint | null, after: bigint | null, around: bigint | null): MessageRec[] {
  const visible = list.filter((m) => (m.flags & (1 << 6)) === 0);
  let picked: MessageRec[];
  if (around !== null) {
    const idx = visible.findIndex((m) => BigInt(m.id) >= around);
    const pivot = idx < 0 ? visible.length : idx;
    const start = Math.max(0, pivot - Math.floor(limit / 2));
    picked = visible.slice(start, start + limit);
  } else if (before !== null) {
    const older = visible.filter((m) => BigInt(m.id) < before);
    picked = older.slice(Math.max(0, older.length - limit));
  } else if (after !== null) {
    picked = visible.filter((m) => BigInt(m.id) > after).slice(0, limit);
  } else {
    picked = visible.slice(Math.max(0, visible.length - limit));
  }
  return picked.reverse();
}

function list(req: Req, ctx: SandboxContext): Res {
  const c = readableChannel(ctx, req);
  const limit = queryInt(req.query.get('limit'), 'limit', 1, 100, 50);
  const before = queryId(req, 'before');
  const after = queryId(req, 'after');
  const around = queryId(req, 'around');
  if (c.type !== 1 && !has(ctx.store.permissionsIn(c, ctx.store.botUserId), P.ReadMessageHistory)) {
    return { status: 200, body: [] };
  }
  const msgs = history(ctx.store.channelMessages(c.id), limit, before, after, around);
  return { status: 200, body: msgs.map((m) => out(ctx, m)) };
}

function create(req: Req, ctx: SandboxContext): Res {
  const c = ctx.store.channel(param(req, 'channel_id'));
  const payload = parseBody(MessagePayloadSchema, req.body);
  const { message } = sendMessage(ctx, c, {
    author: { kind: 'user', userId: ctx.store.botUserId },
    payload,
    files: req.files,
    checkPermissions: true,
  });
  return { status: 200, body: out(ctx, message) };
}

function get(req: Req, ctx: SandboxContext): Res {
  const c = readableChannel(ctx, req);
  if (c.type !== 1 && !has(ctx.store.permissionsIn(c, ctx.store.botUserId), P.ReadMessageHistory)) throw missingAccess();
  const m = ctx.store.message(c.id, param(req, 'message_id'));
  if ((m.flags & (1 << 6)) !== 0) throw unknownMessage();
  return { status: 200, body: out(ctx, m) };
}

function edit(req: Req, ctx: SandboxContext): Res {
  const c = readableChannel(ctx, req);
  const m = ctx.store.message(c.id, param(req, 'message_id'));
  const payload = parseBody(MessagePayloadSchema, req.body);
  const own = m.author.kind === 'user' && m.author.userId === ctx.store.botUserId;
  if (!own) {
    // Others' messages: only the suppress-embeds flag, with ManageMessages.
    const onlyFlags = Object.keys(req.body ?? {}).every((k) => k === 'flags');
    if (!onlyFlags) throw cannotEditOthers();
    requirePerm(ctx, c, ctx.store.botUserId, P.ManageMessages);
  }
  return { status: 200, body: out(ctx, editMessage(ctx, m, { payload, files: req.files })) };
}

function remove(req: Req, ctx: SandboxContext): Res {
  const c = readableChannel(ctx, req);
  const m = ctx.store.message(c.id, param(req, 'message_id'));
  const own = m.author.kind === 'user' && m.author.userId === ctx.store.botUserId;
  if (!own && c.type !== 1) requirePerm(ctx, c, ctx.store.botUserId, P.ManageMessages);
  if (!own && c.type === 1) throw missingPermissions();
  ctx.store.removeMessage(m);
  emitMessageDelete(ctx, m);
  return { status: 204 };
}

const BulkDelete = z.object({ messages: z.array(snowflake).min(2).max(100) });

function bulkDelete(req: Req, ctx: SandboxContext): Res {
  const c = readableChannel(ctx, req);
  requirePerm(ctx, c, ctx.store.botUserId, P.ManageMessages);
  const { messages } = parseBody(BulkDelete, req.body);
  const found = messages.flatMap((id) => {
    const m = ctx.store.messageIndex.get(id);
    return m && m.channelId === c.id ? [m] : [];
  });
  for (const m of found) ctx.store.removeMessage(m);
  const d: Record<string, unknown> = { ids: found.map((m) => m.id), channel_id: c.id };
  if (c.guildId) d.guild_id = c.guildId;
  ctx.gateway.dispatch('MESSAGE_DELETE_BULK', d, { guildId: c.guildId, channelId: c.id });
  return { status: 204 };
}

function typing(req: Req, ctx: SandboxContext): Res {
  const c = readableChannel(ctx, req);
  if (c.type !== 1) requirePerm(ctx, c, ctx.store.botUserId, c.thread ? P.SendMessagesInThreads : P.SendMessages);
  const d: Record<string, unknown> = { channel_id: c.id, user_id: ctx.store.botUserId, timestamp: Math.floor(Date.now() / 1000) };
  if (c.guildId) d.guild_id = c.guildId;
  ctx.gateway.dispatch('TYPING_START', d, { guildId: c.guildId, channelId: c.id, dm: c.type === 1 });
  return { status: 204 };
}

export const messageRoutes: RouteDef[] = [
  route('GET', '/channels/:channel_id/messages', list),
  route('POST', '/channels/:channel_id/messages', create, { bucket: BUCKETS.messageCreate }),
  route('POST', '/channels/:channel_id/messages/bulk-delete', bulkDelete, { bucket: BUCKETS.messageDelete }),
  route('GET', '/channels/:channel_id/messages/:message_id', get),
  route('PATCH', '/channels/:channel_id/messages/:message_id', edit, { bucket: BUCKETS.messageEdit }),
  route('DELETE', '/channels/:channel_id/messages/:message_id', remove, { bucket: BUCKETS.messageDelete }),
  route('POST', '/channels/:channel_id/typing', typing),
];
