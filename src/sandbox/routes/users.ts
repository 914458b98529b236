// Users, DM channels, the gateway URL and the application.
import { z } from 'zod';
import type { SandboxContext } from '../context.js';
import { blankChannel } from '../demo.js';
import { cannotMessageUser } from '../errors.js';
import { newId } from '../ids.js';
import { sharesGuildWithBot } from '../messaging.js';
import { BUCKETS } from '../rate-limits.js';
import { param, route } from '../router.js';
import { recommendedShards } from '../sharding.js';
import { gatewayUrl } from '../urls.js';
import type { Req, Res, RouteDef } from '../router.js';
import { channelJson, userJson } from '../serialize.js';
import { parseBody, snowflake } from '../validation.js';

function me(_req: Req, ctx: SandboxContext): Res {
  const u = ctx.store.user(ctx.store.botUserId);
  return { status: 200, body: { ...userJson(u), verified: true, mfa_enabled: false, locale: 'en-US', email: null } };
}

function getUser(req: Req, ctx: SandboxContext): Res {
  return { status: 200, body: userJson(ctx.store.user(param(req, 'user_id'))) };
}

function myGuilds(_req: Req, ctx: SandboxContext): Res {
  const guilds = [...ctx.store.guilds.values()].filter((g) => g.members.has(ctx.store.botUserId));
  return {
    status: 200,
    body: guilds.map((g) => ({ id: g.id, name: g.name, icon: null, banner: null, owner: false, permissions: '0', features: ['COMMUNITY'] })),
  };
}

/** The bot's DM channel with a user, created on first use. */
export function dmChannel(ctx: SandboxContext, userId: string): string {
  const existing = ctx.store.dmByUser.get(userId);
  if (existing) return existing;
  const c = blankChannel(newId(), 1, null, null);
  c.recipients = [userId];
  ctx.store.channels.set(c.id, c);
  ctx.store.dmByUser.set(userId, c.id);
  return c.id;
}

const CreateDm = z.object({ recipient_id: snowflake });

function createDm(req: Req, ctx: SandboxContext): Res {
  const { recipient_id } = parseBody(CreateDm, req.body);
  const u = ctx.store.user(recipient_id);
  if (u.bot || !sharesGuildWithBot(ctx, u.id)) throw cannotMessageUser();
  const id = dmChannel(ctx, u.id);
  return { status: 200, body: channelJson(ctx.store, ctx.store.channel(id)) };
}

function gateway(req: Req, ctx: SandboxContext): Res {
  return { status: 200, body: { url: wsUrl(ctx, req.headers.host) } };
}

function gatewayBot(req: Req, ctx: SandboxContext): Res {
  return {
    status: 200,
    body: {
      url: wsUrl(ctx, req.headers.host),
      shards: recommendedShards(ctx.sharding, [...ctx.store.guilds.values()].filter((g) => g.members.has(ctx.store.botUserId)).length),
      session_start_limit: { total: 1000, remaining: Math.max(0, 1000 - ctx.gateway.identifies().started), reset_after: 86_400_000, max_concurrency: ctx.sharding.maxConcurrency },
    },
  };
}

function wsUrl(ctx: SandboxContext, host?: string): string {
  return gatewayUrl(ctx.baseUrl(), host);
}

function application(_req: Req, ctx: SandboxContext): Res {
  const bot = ctx.store.user(ctx.store.botUserId);
  const owner = ctx.store.users.get([...ctx.store.guilds.values()][0]?.ownerId ?? '');
  return {
    status: 200,
    body: {
      id: ctx.store.applicationId,
      name: bot.username,
      icon: null,
      description: 'TicketBridge sandbox application',
      summary: '',
      type: null,
      bot_public: false,
      bot_require_code_grant: false,
      verify_key: '0'.repeat(64),
      flags: (1 << 12) | (1 << 14) | (1 << 18) | (1 << 19),
      bot: userJson(bot),
      owner: owner ? userJson(owner) : null,
      team: null,
      approximate_guild_count: ctx.store.guilds.size,
      interactions_endpoint_url: null,
      install_params: { scopes: ['bot', 'applications.commands'], permissions: '0' },
      tags: [],
    },
  };
}

export const userRoutes: RouteDef[] = [
  route('GET', '/users/@me', me),
  route('GET', '/users/@me/guilds', myGuilds),
  route('POST', '/users/@me/channels', createDm, { bucket: BUCKETS.dmCreate }),
  route('GET', '/users/:user_id', getUser),
  route('GET', '/gateway', gateway, { auth: false }),
  route('GET', '/gateway/bot', gatewayBot),
  route('GET', '/applications/@me', application),
  route('GET', '/oauth2/applications/@me', application),
];
