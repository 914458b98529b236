/** Composition root of `ticketbridge serve` and `stdio`: database, engine, the runtime (Discord, workers), HTTP. */
import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import { openDatabase, type Database } from './db/connect.js';
import { DataDirLockedError } from './db/pglite-lock.js';
import { createEngine, type Engine } from './engine/index.js';
import { setReadCacheLifetime } from './operations/read-cache.js';
import { startChangeFeed } from './engine/change-feed.js';
import type { Logger } from './logger.js';
import { buildHttpServer } from './http.js';
import { ensureAdminToken } from './admin-token.js';
import type { AppDeps } from './deps.js';
import { noRuntime, startRuntime, type Runtime } from './runtime.js';
import { retentionOptions, startRetention } from './retention.js';
import { stopBackgroundRuns } from './operations/background.js';

export interface RunningApp {
  /** The HTTP address, or null when this process serves no HTTP (stdio without a port). */
  url: string | null;
  deps: AppDeps;
  http: FastifyInstance | null;
  /** Where Discord (or the sandbox) is reached, for the line a user sees on start. */
  discordWhere: string;
  /** A quick stop (a few seconds at most); calling it again returns the same promise. */
  close(): Promise<void>;
}

/**
 * Opens the database and the engine. `follow`: long-running processes (serve, stdio) also hear other
 * processes' changes on a shared PostgreSQL (the change feed); closing the database stops it.
 */
export async function openEngine(config: Config, command: string, opts: { follow?: boolean; logger?: Logger; lockWaitMs?: number } = {}): Promise<{ database: Database; engine: Engine }> {
  const opened = await openWaitingForLock(config, command, opts.lockWaitMs ?? 0);
  const engine = createEngine(opened, { adminToken: config.TICKETBRIDGE_ADMIN_TOKEN });
  setReadCacheLifetime(engine, config.TICKETBRIDGE_READ_CACHE_MS);
  if (!opts.follow || !opened.connectionString) return { database: opened, engine };
  const feed = startChangeFeed(engine.ctx, opened.connectionString, opened.instance, (m) => opts.logger?.warn(m));
  const database: Database = { ...opened, close: async () => { await feed.close(); await opened.close(); } };
  return { database, engine };
}

/**
 * A PGlite directory held by a process that is on its way out (an MCP client's short-lived probe
 * process, then the real one) is waited for a moment instead of refused at once.
 */
async function openWaitingForLock(config: Config, command: string, waitMs: number): Promise<Database> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      return await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: resolve(config.DATA_DIR), command });
    } catch (err) {
      if (!(err instanceof DataDirLockedError) || Date.now() >= deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export interface AppOptions {
  /** The command, for the PGlite lock's holder line. */
  command?: string;
  /** Drive Discord, the outbox, the schedulers and webhooks here (default true; stdio's --no-discord turns it off). */
  discord?: boolean;
  /** Serve HTTP (REST, /mcp, /healthz) on HOST:PORT (default true; stdio only when a port is asked for). */
  http?: boolean;
  /** How long to wait for a PGlite directory another ticketbridge process is letting go of (default 0). */
  lockWaitMs?: number;
}

/** How long a stop lets requests in flight finish before their connections are cut. */
const HTTP_GRACE_MS = 2_500;

export async function startApp(config: Config, logger: Logger, opts: AppOptions = {}): Promise<RunningApp> {
  const { database, engine } = await openEngine(config, opts.command ?? 'serve', { follow: true, logger, lockWaitMs: opts.lockWaitMs ?? 0 });
  let runtime: Runtime | undefined;
  try {
    const serveHttp = opts.http ?? true;
    if (serveHttp) await ensureAdminToken(engine, resolve(config.DATA_DIR), config.TICKETBRIDGE_ADMIN_TOKEN);
    runtime = opts.discord === false ? noRuntime(engine) : await startRuntime(config, logger, database, engine);
    const running = runtime;
    const deps: AppDeps = { config, logger, database, engine, discord: () => running.discord() };
    const http = serveHttp ? await buildHttpServer(deps) : null;
    const address = http ? await http.listen({ host: config.HOST, port: config.PORT }) : null;
    // Every process prunes finished work; on a shared PostgreSQL their passes split the rows.
    const retention = startRetention(engine, logger.child({ part: 'retention' }), { ...retentionOptions(config), runLeaseMs: config.TICKETBRIDGE_TASK_LEASE_MS });
    logger.info({ address, database: database.kind, discord: running.discord() }, address ? 'ticketbridge is listening' : 'ticketbridge is running');
    let closing: Promise<void> | undefined;
    return {
      url: address, deps, http, discordWhere: running.describe(),
      close: () => (closing ??= (async () => {
        // 1. Operations waiting for Discord answer now with what they have (a channel still pending).
        running.haltWaits();
        // 2. In parallel: HTTP stops accepting and answers what is in flight; Discord, the outbox
        //    (claimed jobs handed back), the schedulers and webhooks stop.
        //    Tasks still running here end as failed, saying the server stopped.
        await Promise.all([
          http ? closeHttp(http) : Promise.resolve(),
          running.close(),
          retention.stop(),
          stopBackgroundRuns(engine),
        ]);
        // 3. Last, the database the above still used.
        await database.close();
      })()),
    };
  } catch (err) {
    await runtime?.close().catch(() => {});
    await database.close();
    throw err;
  }
}

/**
 * Stops accepting at once, lets requests in flight be answered, and closes keep-alive connections as
 * soon as they fall idle (a client holding one open would otherwise keep the process alive for the
 * keep-alive timeout, 72 s). Requests still running after the grace lose their connection.
 */
async function closeHttp(http: FastifyInstance): Promise<void> {
  const server = http.server;
  const sweep = setInterval(() => server.closeIdleConnections(), 50);
  const cut = setTimeout(() => server.closeAllConnections(), HTTP_GRACE_MS);
  try {
    await http.close();
  } finally {
    clearInterval(sweep);
    clearTimeout(cut);
  }
}
