/** Composition root of `ticketbridge serve`: database, engine, Discord, HTTP. */
import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import { openDatabase, type Database } from './db/connect.js';
import { createEngine, type Engine } from './engine/index.js';
import { setReadCacheLifetime } from './operations/read-cache.js';
import { startChangeFeed } from './engine/change-feed.js';
import type { Logger } from './logger.js';
import { buildHttpServer } from './http.js';
import { ensureAdminToken } from './admin-token.js';
import type { AppDeps, DiscordStatus } from './deps.js';
import { startDiscord, type DiscordRuntime } from './discord/runtime.js';
import type { Sandbox } from './sandbox/index.js';
import { startWebhookWorker } from './webhooks/worker.js';

export interface RunningApp {
  url: string;
  deps: AppDeps;
  http: FastifyInstance;
  close(): Promise<void>;
}

/**
 * Opens the database and the engine. `follow`: long-running processes (serve, stdio) also hear other
 * processes' changes on a shared PostgreSQL (the change feed); closing the database stops it.
 */
export async function openEngine(config: Config, command: string, opts: { follow?: boolean; logger?: Logger } = {}): Promise<{ database: Database; engine: Engine }> {
  const opened = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: resolve(config.DATA_DIR), command });
  const engine = createEngine(opened, { adminToken: config.TICKETBRIDGE_ADMIN_TOKEN });
  setReadCacheLifetime(engine, config.TICKETBRIDGE_READ_CACHE_MS);
  if (!opts.follow || !opened.connectionString) return { database: opened, engine };
  const feed = startChangeFeed(engine.ctx, opened.connectionString, opened.instance, (m) => opts.logger?.warn(m));
  const database: Database = { ...opened, close: async () => { await feed.close(); await opened.close(); } };
  return { database, engine };
}

export async function startApp(config: Config, logger: Logger): Promise<RunningApp> {
  const { database, engine } = await openEngine(config, 'serve', { follow: true, logger });
  let sandbox: Sandbox | undefined;
  let discord: DiscordRuntime | undefined;
  try {
    await ensureAdminToken(engine, resolve(config.DATA_DIR), config.TICKETBRIDGE_ADMIN_TOKEN);
    const shards = { shardCount: config.TICKETBRIDGE_SHARD_COUNT, shardLeaseMs: config.TICKETBRIDGE_SHARD_LEASE_MS, shardRenewMs: config.TICKETBRIDGE_SHARD_RENEW_MS };
    // With a token: Discord (or DISCORD_API_URL). Without: the built-in sandbox, same code path.
    if (config.DISCORD_TOKEN) {
      discord = await startDiscord({
        engine, database, logger: logger.child({ part: 'discord' }), token: config.DISCORD_TOKEN, apiUrl: config.DISCORD_API_URL,
        mode: 'discord', url: config.DISCORD_API_URL ?? 'https://discord.com/api', ...shards,
      });
    } else {
      const { startSandbox } = await import('./sandbox/index.js');
      sandbox = await startSandbox({ port: config.SANDBOX_PORT, host: config.HOST, logger: logger.child({ part: 'sandbox' }) });
      discord = await startDiscord({
        engine, database, logger: logger.child({ part: 'discord' }), token: sandbox.botToken, apiUrl: sandbox.apiUrl, mode: 'sandbox', url: sandbox.url, ...shards,
      });
    }
    const running = discord;
    const discordStatus = (): DiscordStatus => running.status();
    const deps: AppDeps = { config, logger, database, engine, discord: discordStatus };
    const http = await buildHttpServer(deps);
    const address = await http.listen({ host: config.HOST, port: config.PORT });
    const webhooks = startWebhookWorker(engine, logger.child({ part: 'webhooks' }), { allowInternal: config.TICKETBRIDGE_WEBHOOK_ALLOW_INTERNAL });
    logger.info({ address, database: database.kind, discord: running.status() }, 'ticketbridge is listening');
    return {
      url: address, deps, http,
      close: async () => {
        await http.close();
        await webhooks.stop();
        await running.close();
        await sandbox?.close();
        await database.close();
      },
    };
  } catch (err) {
    await discord?.close().catch(() => {});
    await sandbox?.close().catch(() => {});
    await database.close();
    throw err;
  }
}
