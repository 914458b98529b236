// The Discord sandbox: a local Discord API v10 emulator (REST + gateway on one port) with a demo
// guild, a control API and fault injection. See README.md in this folder.
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import type { Logger } from 'pino';
import { actInteraction } from './act-interaction.js';
import type { ActInteractionInputT, ActInteractionResult } from './act-interaction.js';
import type { SandboxContext } from './context.js';
import {
  actJoin,
  actLeave,
  actMessage,
  actReaction,
  addFault,
  clearFaults,
  createGuild,
  setSharding,
  reset,
  state,
  updateGuild,
  updateRole,
} from './control.js';
import type {
  ActJoinInputT,
  ActLeaveInputT,
  ActMessageInputT,
  ActReactionInputT,
  CreatedGuild,
  CreateGuildInputT,
  FaultResult,
  SandboxState,
  UpdateGuildInputT,
  UpdateRoleInputT,
} from './control.js';
import { APPLICATION_ID, BOT_TOKEN, BOT_USER_ID, DEMO, seedDemo } from './demo.js';
import type { DemoIds } from './demo.js';
import { Faults } from './faults.js';
import type { Fault, FaultInputT } from './faults.js';
import { Gateway } from './gateway.js';
import { createHttpServer } from './http-server.js';
import type { Json } from './serialize.js';
import { RateLimiter } from './rate-limits.js';
import type { TrafficReport } from './traffic.js';
import { channelRoutes } from './routes/channels.js';
import { commandRoutes } from './routes/commands.js';
import { guildRoutes } from './routes/guilds.js';
import { INTERACTION_DEADLINE_MS, interactionRoutes } from './routes/interactions.js';
import { messageRoutes } from './routes/messages.js';
import { pinReactionRoutes } from './routes/pins-reactions.js';
import { threadRoutes } from './routes/threads.js';
import { userRoutes } from './routes/users.js';
import { webhookRoutes } from './routes/webhooks.js';
import { DEFAULT_SHARDING } from './sharding.js';
import type { ShardingInputT } from './sharding.js';
import { Store } from './store.js';
import { gatewayUrl } from './urls.js';

export { DEMO, BOT_TOKEN, BOT_USER_ID, APPLICATION_ID } from './demo.js';
export type { DemoIds } from './demo.js';
export type { ActInteractionInputT, ActInteractionResult } from './act-interaction.js';
export type { ActJoinInputT, ActLeaveInputT, ActMessageInputT, ActReactionInputT, CreatedGuild, CreateGuildInputT, FaultResult, SandboxState, UpdateRoleInputT } from './control.js';
export type { ShardingInputT } from './sharding.js';
export { shardOf } from './sharding.js';
export type { Fault, FaultInputT } from './faults.js';
export type { TrafficReport } from './traffic.js';
export type { Json } from './serialize.js';
export { P as Permissions } from './permissions.js';
export { DiscordError } from './errors.js';

export interface SandboxOptions {
  port?: number;
  host?: string;
  /** Discord's rate limits (route buckets, global 50/s, 2 renames per 10 min); default true. */
  rateLimits?: boolean;
  logger?: Logger;
  /** How long the bot has to answer an interaction; Discord's 3000 ms unless a test needs slack. */
  interactionDeadlineMs?: number;
  /** GET /gateway/bot's `shards` (default: one per 1,000 guilds, as Discord). */
  recommendedShards?: number;
  /** More guilds than this and an unsharded IDENTIFY is closed with 4011 (default 2,500, as Discord). */
  maxGuildsPerSession?: number;
  /** Session starts allowed per 5 s (GET /gateway/bot's max_concurrency; default 1, as most bots). */
  maxConcurrency?: number;
  /** Refuse IDENTIFYs over that limit with op 9, as Discord does (default true). */
  identifyLimit?: boolean;
}

export interface Sandbox {
  readonly url: string;
  readonly apiUrl: string;
  readonly botToken: string;
  readonly applicationId: string;
  readonly botUserId: string;
  readonly demo: DemoIds;
  /** Everything the sandbox holds (GET /_sandbox/state); `channel_id` narrows the messages. */
  state(filter?: { channel_id?: string }): SandboxState;
  /** A user posts a message (POST /_sandbox/act/message); omit channel_id to DM the bot. */
  actMessage(input: ActMessageInputT): Json;
  /** A user clicks/picks/submits/runs a command and the bot's callback is awaited (POST /_sandbox/act/interaction). */
  actInteraction(input: ActInteractionInputT): Promise<ActInteractionResult>;
  /** A user reacts to a message, or removes the reaction (POST /_sandbox/act/reaction). */
  actReaction(input: ActReactionInputT): Json;
  /** A member leaves the guild (POST /_sandbox/act/leave). */
  actLeave(input: ActLeaveInputT): { ok: true };
  /** A user joins the guild (POST /_sandbox/act/join). */
  actJoin(input: ActJoinInputT): Json;
  /** Change a role's permissions or name (PATCH /_sandbox/roles/:id). */
  updateRole(roleId: string, input: UpdateRoleInputT): Json;
  /** The bot joins a new guild laid out like the demo one (POST /_sandbox/guilds); `shard` picks the shard it lands on. */
  createGuild(input?: CreateGuildInputT): CreatedGuild;
  /** GET /gateway/bot's recommended shards and the guild count requiring sharding (PATCH /_sandbox/gateway). */
  setSharding(input: ShardingInputT): { recommended_shards: number | null; max_guilds_per_session: number; max_concurrency: number; identify_limit: boolean };
  /** Change a guild's preferred locale or name; GUILD_UPDATE is dispatched (PATCH /_sandbox/guilds/:id). */
  updateGuild(guildId: string, input: UpdateGuildInputT): Json;
  /** Inject a REST fault, or act on the gateway at once (POST /_sandbox/faults). */
  addFault(input: FaultInputT): FaultResult;
  /** Remove all REST faults (DELETE /_sandbox/faults). */
  clearFaults(): { cleared: number };
  /** Faults still armed (GET /_sandbox/faults). */
  faults(): Fault[];
  /** Back to a fresh sandbox (demo guild only); connected bots get op 9 and identify again (POST /_sandbox/reset). */
  reset(): { ok: true };
  /** What the bot sent against the global limit: requests, the most within any second, 429s (GET /_sandbox/traffic). */
  traffic(): TrafficReport;
  /** Starts the count afresh (DELETE /_sandbox/traffic). */
  resetTraffic(): void;
  /** Drop every gateway connection without a close frame; clients resume. */
  dropGatewayConnections(): number;
  /** Resolves once a bot session is connected (or false after timeoutMs). */
  waitForGateway(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const logger = opts.logger ?? pino({ name: 'sandbox', level: process.env.SANDBOX_LOG_LEVEL ?? 'warn' }, pino.destination(2));
  const store = new Store(BOT_USER_ID, APPLICATION_ID);
  seedDemo(store);
  let baseUrl = '';
  const sharding = {
    recommendedShards: opts.recommendedShards ?? DEFAULT_SHARDING.recommendedShards,
    maxGuildsPerSession: opts.maxGuildsPerSession ?? DEFAULT_SHARDING.maxGuildsPerSession,
    maxConcurrency: opts.maxConcurrency ?? DEFAULT_SHARDING.maxConcurrency,
    identifyLimit: opts.identifyLimit ?? DEFAULT_SHARDING.identifyLimit,
  };
  const gateway = new Gateway({
    store,
    sharding,
    botToken: BOT_TOKEN,
    wsUrl: (host) => gatewayUrl(baseUrl, host),
    logger,
  });
  const ctx: SandboxContext = {
    store,
    faults: new Faults(),
    limiter: new RateLimiter(opts.rateLimits ?? true),
    logger,
    botToken: BOT_TOKEN,
    baseUrl: () => baseUrl,
    interactionWaiters: new Map(),
    settleWaiters: new Map(),
    interactionDeadlineMs: opts.interactionDeadlineMs ?? INTERACTION_DEADLINE_MS,
    gateway,
    sharding,
  };
  const { server, timers } = createHttpServer({
    ctx,
    routes: [
      ...messageRoutes,
      ...pinReactionRoutes,
      ...channelRoutes,
      ...threadRoutes,
      ...guildRoutes,
      ...userRoutes,
      ...webhookRoutes,
      ...commandRoutes,
      ...interactionRoutes,
    ],
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  baseUrl = `http://${shownHost}:${port}`;
  logger.info({ url: baseUrl }, 'sandbox listening');

  let closed = false;
  return {
    url: baseUrl,
    apiUrl: `${baseUrl}/api`,
    botToken: BOT_TOKEN,
    applicationId: APPLICATION_ID,
    botUserId: BOT_USER_ID,
    demo: DEMO,
    state: (filter) => state(ctx, filter),
    actMessage: (input) => actMessage(ctx, input),
    actInteraction: (input) => actInteraction(ctx, input),
    actReaction: (input) => actReaction(ctx, input),
    actLeave: (input) => actLeave(ctx, input),
    actJoin: (input) => actJoin(ctx, input),
    updateRole: (roleId, input) => updateRole(ctx, roleId, input),
    createGuild: (input = {}) => createGuild(ctx, input),
    setSharding: (input) => setSharding(ctx, input),
    updateGuild: (guildId, input) => updateGuild(ctx, guildId, input),
    addFault: (input) => addFault(ctx, input),
    clearFaults: () => clearFaults(ctx),
    faults: () => ctx.faults.active(),
    reset: () => reset(ctx),
    traffic: () => ctx.limiter.traffic.snapshot(),
    resetTraffic: () => ctx.limiter.traffic.reset(),
    dropGatewayConnections: () => gateway.dropConnections(),
    waitForGateway: (timeoutMs = 10_000) => gateway.waitForReady(timeoutMs),
    async close() {
      if (closed) return;
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await gateway.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
