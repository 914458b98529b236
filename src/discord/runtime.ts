/**
 * The Discord side of a running server: one discord.js client (gateway + REST), the outbox worker,
 * the gateway handlers, guild sync and command registration, and the expiry scheduler.
 * Real Discord or the sandbox: the same code, only the API base URL differs.
 */
import { Client, Events, GatewayIntentBits, Partials, Routes } from 'discord.js';
import { z } from 'zod';
import type { Database } from '../db/connect.js';
import type { Engine } from '../engine/index.js';
import type { Logger } from '../logger.js';
import { cancelled, isEngineError, notFound, unavailable } from '../engine/errors.js';
import { registerCommands } from './commands.js';
import { classify } from './errors.js';
import { attachGateway } from './gateway/index.js';
import { GlobalGate, gatedRestOptions, type GlobalGateOptions } from './global-gate.js';
import { syncGuild, type Progress } from './guild-sync.js';
import { channelHistory } from './channel-history.js';
import { startWorker, type Worker } from './outbox-worker.js';
import { startScheduler, type Scheduler } from './scheduler.js';
import { SharedLimits } from './shared-limits.js';

export interface DiscordOptions {
  engine: Engine;
  database: Pick<Database, 'kind' | 'connectionString'>;
  logger: Logger;
  token: string;
  /** REST base, e.g. http://127.0.0.1:PORT/api (the gateway URL comes from GET /gateway/bot). Default: Discord. */
  apiUrl?: string | undefined;
  mode: 'discord' | 'sandbox';
  /** Shown in /healthz. */
  url?: string | undefined;
  /** How long operations that create Discord objects wait for their job (default 10 s; 0 = never). */
  waitBoundMs?: number;
  concurrency?: number;
  schedulerIntervalMs?: number;
  /** Run the outbox worker in this process (default true). */
  worker?: boolean;
  /** Sync guilds and register commands when ready (default true). */
  syncOnReady?: boolean;
  /** Discord's global request limit, kept before sending (default 50 per second + 60 ms margin). */
  globalLimit?: GlobalGateOptions;
}

export interface DiscordRuntime {
  client: Client;
  worker: Worker | null;
  scheduler: Scheduler;
  botUserId: string;
  status(): { mode: 'discord' | 'sandbox'; url?: string | undefined; ready: boolean };
  syncGuild(guildId: string, progress?: Progress): ReturnType<typeof syncGuild>;
  /** Resolves once every guild known at start has been synced and has its commands. */
  synced: Promise<void>;
  close(): Promise<void>;
}

export async function startDiscord(opts: DiscordOptions): Promise<DiscordRuntime> {
  const { engine, logger } = opts;
  const gate = new GlobalGate(opts.globalLimit);
  // Several processes may share the bot on PostgreSQL: the global budget and route buckets are
  // divided through the database. PGlite is one process: nothing to share.
  const shared = opts.database.kind === 'postgres'
    ? new SharedLimits({ engine, token: opts.token, gate, logger, ...(opts.globalLimit?.limit ? { globalLimit: opts.globalLimit.limit } : {}) })
    : null;
  await shared?.start();
  const client = new Client({
    intents: [
      GatewayIntentBits.Guilds, GatewayIntentBits.GuildMembers, GatewayIntentBits.GuildMessages,
      GatewayIntentBits.MessageContent, GatewayIntentBits.DirectMessages,
    ],
    partials: [Partials.Channel, Partials.Message, Partials.GuildMember],
    rest: { ...(opts.apiUrl ? { api: opts.apiUrl } : {}), version: '10', ...gatedRestOptions(gate, shared) },
  });
  client.rest.on('rateLimited', (info) => logger.debug({ route: info.route, ms: info.timeToReset, global: info.global }, 'Discord rate limit: waiting'));
  client.on(Events.Error, (err) => logger.warn({ err: err.message }, 'discord.js error'));

  let ready = false;
  const registered = new Set<string>();
  let botUserId = '';
  const doSync = async (guildId: string, progress?: Progress, signal?: AbortSignal) => {
    const report = await syncGuild({ rest: client.rest, engine, botUserId, guildId, ...(progress ? { progress } : {}), ...(signal ? { signal } : {}) });
    if (!registered.has(guildId)) {
      await registerCommands(client.rest, client.application?.id ?? botUserId, guildId);
      registered.add(guildId);
    }
    return report;
  };
  const detach = attachGateway({
    client, engine, logger,
    onGuildJoin: (guildId) => { doSync(guildId).catch((err: unknown) => logger.warn({ err: (err as Error).message, guildId }, 'guild sync failed')); },
  });

  const readyP = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  client.rest.setToken(opts.token);
  // The bot's own id first (overwrites name it), then the gateway.
  botUserId = z.object({ id: z.string() }).parse(await client.rest.get(Routes.user('@me'))).id;
  const worker = opts.worker === false ? null : startWorker({
    engine, database: opts.database, rest: client.rest, botUserId, logger, ...(opts.concurrency ? { concurrency: opts.concurrency } : {}),
    ...(shared ? { sharedSpent: () => shared.spentChannels() } : {}),
  });
  try {
    await client.login(opts.token);
    await readyP;
  } catch (err) {
    // No gateway: nothing of this runtime may keep running (or keep a share of the Discord budget).
    await worker?.stop().catch(() => {});
    await shared?.close();
    gate.close();
    await client.destroy();
    throw err;
  }
  ready = true;
  client.on(Events.ShardDisconnect, () => { ready = false; });
  client.on(Events.ShardResume, () => { ready = true; });
  client.on(Events.ShardReady, () => { ready = true; });

  engine.outbox.setWaitBound(opts.waitBoundMs ?? 10_000);
  engine.outbox.installPort({
    syncGuild: (guildId, progress, signal) => doSync(guildId, progress, signal).catch((err: unknown) => {
      if (isEngineError(err)) throw err;
      if (signal?.aborted) throw cancelled(); // discord.js's AbortError from a request in flight
      const c = classify(err);
      if (c.code === 10004 || c.status === 404 || c.status === 403) throw notFound(`The bot is not in guild ${guildId} (Discord says: ${c.message}). Invite it first.`);
      throw unavailable(`Discord did not answer the sync of guild ${guildId}: ${c.message}. Retry in a moment.`);
    }),
    channelMessages: (channelId, after, max, signal) => channelHistory(client.rest, channelId, after, max, signal).catch((err: unknown) => {
      if (signal?.aborted) throw cancelled();
      const c = classify(err);
      if (c.status === 404 || c.status === 403) throw notFound(`The bot cannot read channel ${channelId} (Discord says: ${c.message}). Give it View Channel and Read Message History there, or stop monitoring the channel.`);
      throw unavailable(`Discord did not answer reading channel ${channelId}: ${c.message}. Retry in a moment.`);
    }),
    botUserId: () => botUserId,
  });
  const scheduler = startScheduler(engine, logger, opts.schedulerIntervalMs);

  const synced = opts.syncOnReady === false ? Promise.resolve() : (async () => {
    for (const guildId of client.guilds.cache.keys()) {
      await doSync(guildId).catch((err: unknown) => logger.warn({ err: (err as Error).message, guildId }, 'guild sync failed'));
    }
  })();
  logger.info({ mode: opts.mode, url: opts.url, guilds: client.guilds.cache.size }, 'Discord connected');

  return {
    client, worker, scheduler, botUserId, synced,
    status: () => ({ mode: opts.mode, url: opts.url, ready }),
    syncGuild: doSync,
    async close() {
      ready = false;
      scheduler.stop();
      engine.outbox.setWaitBound(null);
      engine.outbox.installPort(null);
      await synced.catch(() => {});
      await worker?.stop();
      detach();
      await client.destroy();
      gate.close();
      await shared?.close();
    },
  };
}
