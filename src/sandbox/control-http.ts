// The /_sandbox/ HTTP control API: thin JSON wrappers over control.ts.
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import type { SandboxContext } from './context.js';
import { actInteraction } from './act-interaction.js';
import type { ActInteractionInputT } from './act-interaction.js';
import { actJoin, actLeave, actMessage, actReaction, addFault, clearFaults, createGuild, reset, setSharding, state, updateGuild, updateRole } from './control.js';
import type { ActJoinInputT, ActLeaveInputT, ActMessageInputT, ActReactionInputT, CreateGuildInputT, UpdateGuildInputT, UpdateRoleInputT } from './control.js';
import type { ShardingInputT } from './sharding.js';
import type { FaultInputT } from './faults.js';
import { DiscordError, invalidJson, methodNotAllowed, notFound } from './errors.js';
import { readRaw } from './http-body.js';
import type { Res } from './router.js';
import { zodToDiscord } from './validation.js';
import { DEMO } from './demo.js';

async function jsonBody(req: IncomingMessage): Promise<unknown> {
  const raw = await readRaw(req);
  if (raw.length === 0) return {};
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    throw invalidJson();
  }
}

const ok = (body: unknown, status = 200): Res => ({ status, body });

export async function handleControl(req: IncomingMessage, url: URL, ctx: SandboxContext): Promise<Res> {
  const method = (req.method ?? 'GET').toUpperCase();
  const path = url.pathname.replace(/\/+$/, '');
  let lastBody: unknown;
  const body = async (): Promise<unknown> => (lastBody = await jsonBody(req));
  try {
    switch (path) {
      case '/_sandbox':
        return ok({
          url: ctx.baseUrl(),
          api_url: `${ctx.baseUrl()}/api`,
          bot_token: ctx.botToken,
          application_id: ctx.store.applicationId,
          bot_user_id: ctx.store.botUserId,
          demo: DEMO,
        });
      case '/_sandbox/state': {
        if (method !== 'GET') throw methodNotAllowed();
        const channelId = url.searchParams.get('channel_id');
        return ok(state(ctx, channelId ? { channel_id: channelId } : {}));
      }
      case '/_sandbox/act/message':
        if (method !== 'POST') throw methodNotAllowed();
        return ok(actMessage(ctx, (await body()) as ActMessageInputT));
      case '/_sandbox/act/interaction':
        if (method !== 'POST') throw methodNotAllowed();
        return ok(await actInteraction(ctx, (await body()) as ActInteractionInputT));
      case '/_sandbox/act/reaction':
        if (method !== 'POST') throw methodNotAllowed();
        return ok(actReaction(ctx, (await body()) as ActReactionInputT));
      case '/_sandbox/act/leave':
        if (method !== 'POST') throw methodNotAllowed();
        return ok(actLeave(ctx, (await body()) as ActLeaveInputT));
      case '/_sandbox/act/join':
        if (method !== 'POST') throw methodNotAllowed();
        return ok(actJoin(ctx, (await body()) as ActJoinInputT));
      case '/_sandbox/guilds':
        if (method !== 'POST') throw methodNotAllowed();
        return ok(createGuild(ctx, (await body()) as CreateGuildInputT), 201);
      case '/_sandbox/gateway':
        if (method === 'GET') return ok(state(ctx).gateway);
        if (method !== 'PATCH') throw methodNotAllowed();
        return ok(setSharding(ctx, (await body()) as ShardingInputT));
      case '/_sandbox/traffic':
        if (method === 'GET') return ok(ctx.limiter.traffic.snapshot());
        if (method === 'DELETE') { ctx.limiter.traffic.reset(); return ok(ctx.limiter.traffic.snapshot()); }
        throw methodNotAllowed();
      case '/_sandbox/reset':
        if (method !== 'POST') throw methodNotAllowed();
        return ok(reset(ctx));
      case '/_sandbox/faults':
        if (method === 'GET') return ok(ctx.faults.active());
        if (method === 'DELETE') return ok(clearFaults(ctx));
        if (method === 'POST') return ok(addFault(ctx, (await body()) as FaultInputT), 201);
        throw methodNotAllowed();
      default: {
        const role = /^\/_sandbox\/roles\/(\d{15,20})$/.exec(path);
        if (role?.[1]) {
          if (method !== 'PATCH') throw methodNotAllowed();
          return ok(updateRole(ctx, role[1], (await body()) as UpdateRoleInputT));
        }
        const guild = /^\/_sandbox\/guilds\/(\d{15,20})$/.exec(path);
        if (guild?.[1]) {
          if (method !== 'PATCH') throw methodNotAllowed();
          return ok(updateGuild(ctx, guild[1], (await body()) as UpdateGuildInputT));
        }
        throw notFound();
      }
    }
  } catch (err) {
    if (err instanceof z.ZodError) {
      const e = zodToDiscord(err, lastBody);
      return { status: e.status, body: e.body() };
    }
    if (err instanceof DiscordError) return { status: err.status, body: err.body() };
    throw err;
  }
}
