/**
 * The Discord side of a running server: REST (one gated client for the outbox worker, guild sync and
 * history reads), the gateway shards this process leases (one discord.js client per shard, see
 * shards/), the outbox worker, guild sync and command registration, and the expiry scheduler.
 * Real Discord or the sandbox: the same code, only the API base URL differs.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { REST, Routes } from 'discord.js';
import { z } from 'zod';
import type { Database } from '../db/connect.js';
import type { Engine } from '../engine/index.js';
import type { Logger } from '../logger.js';
import { cancelled, isEngineError, notFound, unavailable } from '../engine/errors.js';
import { registerCommands } from './commands.js';
import { classify } from './errors.js';
import { GlobalGate, gatedRestOptions, type GlobalGateOptions } from './global-gate.js';
import { syncGuild, type Progress } from './guild-sync.js';
import { channelHistory } from './channel-history.js';
import { startWorker, type Worker } from './outbox-worker.js';
import { startScheduler, type Scheduler } from './scheduler.js';
import { SharedLimits } from './shared-limits.js';
import { fillGaps } from './shards/backfill.js';
import { startShardKeeper, type HeldShard, type RunningShard } from './shards/keeper.js';
import { startShardClient } from './shards/shard-client.js';
import { createIdentifyGate } from './shards/identify-gate.js';
import { botKeyOf } from './bot-key.js';

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
  /** Gateway shards of the bot (default: GET /gateway/bot's recommendation). Same in every process. */
  shardCount?: number | undefined;
  /** Shard lease lifetime after each renewal (default 15 s) and the renewal interval (default 5 s). */
  shardLeaseMs?: number | undefined;
  shardRenewMs?: number | undefined;
}

export interface ShardStatus {
  /** This process's id in the lease table. */
  process_id: string;
  count: number;
  /** The shards this process runs now. */
  held: HeldShard[];
}

export interface DiscordRuntime {
  /** REST as the bot (gated by Discord's global limit), shared by the worker, syncs and history reads. */
  rest: REST;
  worker: Worker | null;
  scheduler: Scheduler;
  botUserId: string;
  status(): { mode: 'discord' | 'sandbox'; url?: string | undefined; ready: boolean; shards: ShardStatus };
  syncGuild(guildId: string, progress?: Progress): ReturnType<typeof syncGuild>;
  /** Resolves once the guilds of the shards held at start have been synced and have their commands. */
  synced: Promise<void>;
  /** Runs one shard-lease heartbeat now (renew, rebalance, take free shards). */
  rebalance(): Promise<void>;
  close(): Promise<void>;
}

const GatewayBot = z.object({ shards: z.number().int().min(1), session_start_limit: z.object({ max_concurrency: z.number().int().min(1) }) });

export async function startDiscord(opts: DiscordOptions): Promise<DiscordRuntime> {
  const { engine, logger } = opts;
  const gate = new GlobalGate(opts.globalLimit);
  // Several processes may share the bot on PostgreSQL: the global budget and route buckets are
  // divided through the database. PGlite is one process: nothing to share.
  const shared = opts.database.kind === 'postgres'
    ? new SharedLimits({ engine, token: opts.token, gate, logger, ...(opts.globalLimit?.limit ? { globalLimit: opts.globalLimit.limit } : {}) })
    : null;
  await shared?.start();
  const restOptions = { ...(opts.apiUrl ? { api: opts.apiUrl } : {}), version: '10', ...gatedRestOptions(gate, shared) };
  const rest = new REST(restOptions).setToken(opts.token);
  rest.on('rateLimited', (info) => logger.debug({ route: info.route, ms: info.timeToReset, global: info.global }, 'Discord rate limit: waiting'));

  const registered = new Set<string>();
  // The bot's own id first (overwrites name it), then the application's (its commands).
  const botUserId = z.object({ id: z.string() }).parse(await rest.get(Routes.user('@me'))).id;
  const applicationId = z.object({ id: z.string() }).parse(await rest.get(Routes.currentApplication())).id;
  const doSync = async (guildId: string, progress?: Progress, signal?: AbortSignal) => {
    const report = await syncGuild({ rest, engine, botUserId, guildId, ...(progress ? { progress } : {}), ...(signal ? { signal } : {}) });
    if (!registered.has(guildId)) {
      await registerCommands(rest, applicationId, guildId);
      registered.add(guildId);
    }
    return report;
  };
  const syncQuietly = (guildId: string, signal?: AbortSignal) => doSync(guildId, undefined, signal).catch((err: unknown) => {
    if (!signal?.aborted) logger.warn({ err: (err as Error).message, guildId }, 'guild sync failed');
  });

  const worker = opts.worker === false ? null : startWorker({
    engine, database: opts.database, rest, botUserId, logger, ...(opts.concurrency ? { concurrency: opts.concurrency } : {}),
    ...(shared ? { sharedSpent: () => shared.spentChannels() } : {}),
  });
  const gatewayBot = GatewayBot.parse(await rest.get(Routes.gatewayBot()));
  const shardCount = opts.shardCount ?? gatewayBot.shards;
  // Every shard of the bot, in every process, identifies in its turn (identify-gate.ts).
  const identify = createIdentifyGate({ engine, logger, botKey: botKeyOf(opts.token), maxConcurrency: gatewayBot.session_start_limit.max_concurrency });
  const processId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const leaseMs = opts.shardLeaseMs ?? 15_000;
  const renewMs = opts.shardRenewMs ?? 5_000;

  /** Background work of each running shard (sync of its guilds, filling its gap), awaited on close. */
  const background = new Set<Promise<unknown>>();
  const track = <T>(p: Promise<T>) => { background.add(p); void p.finally(() => background.delete(p)).catch(() => {}); return p; };
  /** Per shard launched: resolves once it is ready (or gave up), with its sync-and-fill work. */
  const starting: Promise<{ work: Promise<void> } | null>[] = [];
  let closing = false;

  /**
   * Runs a shard this process just leased: reads which open tickets it must fill in (before the
   * gateway can record anything newer), connects, syncs the shard's guilds, fills the gap.
   */
  const launch = (shardId: number, epoch: number, done: (reason: string) => void): RunningShard => {
    const abort = new AbortController();
    const log = logger.child({ shard: shardId, epoch });
    const gapsP = engine.shards.openTicketChannels(shardId, shardCount);
    gapsP.catch(() => {});
    const fill = async (gaps: Awaited<typeof gapsP>) => {
      if (gaps.length === 0 || abort.signal.aborted) return;
      const report = await fillGaps({ rest, engine, logger: log, signal: abort.signal }, gaps);
      log.info(report, 'filled transcript gaps of the shard');
    };
    const shard = startShardClient({
      shardId, shardCount, token: opts.token, rest: restOptions, engine, logger: log, identify,
      onGuildJoin: (guildId) => { void track(syncQuietly(guildId)); },
      // A session lost and identified anew: anything said meanwhile is read back too.
      onReidentified: () => { void track(engine.shards.openTicketChannels(shardId, shardCount).then(fill).catch(() => {})); },
      onDead: (code) => done(`Discord closed the shard (${code})`),
    });
    const started = shard.started.then(() => {
      const work = (async () => {
        const gaps = await gapsP;
        if (opts.syncOnReady !== false) for (const guildId of shard.guildIds()) { if (!abort.signal.aborted) await syncQuietly(guildId, abort.signal); }
        await fill(gaps);
      })().catch((err: unknown) => { log.warn({ err: (err as Error).message }, 'catching up the shard failed'); });
      // Wrapped in an object: a promise returned here would make `started` wait for it.
      return { work: track(work) };
    }, (err: unknown) => {
      if (!abort.signal.aborted) { log.warn({ err: (err as Error).message }, 'gateway shard did not start'); done('it did not start'); }
      return null;
    });
    starting.push(started);
    return {
      get ready() { return shard.ready; },
      async stop() { abort.abort(); await shard.stop(); },
    };
  };

  const keeper = startShardKeeper({ engine, logger, terms: { processId, shardCount, ttlMs: leaseMs }, renewMs, launch });
  try {
    await keeper.first;
  } catch (err) {
    // No gateway: nothing of this runtime may keep running (or keep a share of the Discord budget).
    await keeper.stop().catch(() => {});
    await worker?.stop().catch(() => {});
    await shared?.close();
    gate.close();
    throw err;
  }
  // The shards leased at start: connected (or given up) before this returns, as one client was before.
  const initial = [...starting];
  starting.length = 0;
  await Promise.all(initial);

  engine.outbox.setWaitBound(opts.waitBoundMs ?? 10_000);
  engine.outbox.installPort({
    syncGuild: (guildId, progress, signal) => doSync(guildId, progress, signal).catch((err: unknown) => {
      if (isEngineError(err)) throw err;
      if (signal?.aborted) throw cancelled(); // discord.js's AbortError from a request in flight
      const c = classify(err);
      if (c.code === 10004 || c.status === 404 || c.status === 403) throw notFound(`The bot is not in guild ${guildId} (Discord says: ${c.message}). Invite it first.`);
      throw unavailable(`Discord did not answer the sync of guild ${guildId}: ${c.message}. Retry in a moment.`);
    }),
    channelMessages: (channelId, after, max, signal) => channelHistory(rest, channelId, after, max, signal).catch((err: unknown) => {
      if (signal?.aborted) throw cancelled();
      const c = classify(err);
      if (c.status === 404 || c.status === 403) throw notFound(`The bot cannot read channel ${channelId} (Discord says: ${c.message}). Give it View Channel and Read Message History there, or stop monitoring the channel.`);
      throw unavailable(`Discord did not answer reading channel ${channelId}: ${c.message}. Retry in a moment.`);
    }),
    botUserId: () => botUserId,
    status: () => { const now = status(); return { mode: now.mode, ...(now.url ? { url: now.url } : {}), ready: now.ready }; },
  });
  const scheduler = startScheduler(engine, logger, opts.schedulerIntervalMs);

  // Every guild of the shards held at start synced (and its gap filled) before `synced` resolves.
  const synced = Promise.all(initial).then((runs) => Promise.all(runs.map((r) => r?.work))).then(() => {});
  const status = () => {
    const held = keeper.held();
    return {
      mode: opts.mode, url: opts.url,
      // Ready: every shard this process holds is connected (a process holding none still serves REST and the outbox).
      ready: !closing && held.every((h) => h.ready),
      shards: { process_id: processId, count: shardCount, held },
    };
  };
  logger.info({ mode: opts.mode, url: opts.url, shards: shardCount, held: keeper.held().map((h) => h.id) }, 'Discord connected');

  return {
    rest, worker, scheduler, botUserId, synced, status,
    syncGuild: doSync,
    rebalance: () => keeper.beat(),
    async close() {
      closing = true;
      scheduler.stop();
      engine.outbox.setWaitBound(null);
      engine.outbox.haltWaits();
      engine.outbox.installPort(null);
      await keeper.stop();
      // Syncs and gap fills were aborted with their shards; one waiting on Discord's rate limits is
      // not waited for long (a stop stays quick; the next process syncs on start anyway).
      await Promise.race([Promise.all([...background]).catch(() => {}), new Promise((r) => setTimeout(r, 1_000).unref())]);
      await worker?.stop();
      gate.close();
      await shared?.close();
    },
  };
}
