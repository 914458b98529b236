/** Composition root of `ticketbridge serve`: database, engine, Discord, HTTP. */
import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import { openDatabase, type Database } from './db/connect.js';
import { createEngine, type Engine } from './engine/index.js';
import type { Logger } from './logger.js';
import { buildHttpServer } from './http.js';
import { ensureAdminToken } from './admin-token.js';
import type { AppDeps, DiscordStatus } from './deps.js';

export interface RunningApp {
  url: string;
  deps: AppDeps;
  http: FastifyInstance;
  close(): Promise<void>;
}

export async function openEngine(config: Config, command: string): Promise<{ database: Database; engine: Engine }> {
  const database = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: resolve(config.DATA_DIR), command });
  const engine = createEngine(database, { adminToken: config.TICKETBRIDGE_ADMIN_TOKEN });
  return { database, engine };
}

export async function startApp(config: Config, logger: Logger): Promise<RunningApp> {
  const { database, engine } = await openEngine(config, 'serve');
  try {
    await ensureAdminToken(engine, resolve(config.DATA_DIR), config.TICKETBRIDGE_ADMIN_TOKEN);
    const discordStatus: DiscordStatus = { mode: 'off', ready: false };
    const deps: AppDeps = { config, logger, database, engine, discord: () => discordStatus };
    const http = await buildHttpServer(deps);
    const address = await http.listen({ host: config.HOST, port: config.PORT });
    logger.info({ address, database: database.kind }, 'ticketbridge is listening');
    return {
      url: address, deps, http,
      close: async () => {
        await http.close();
        await database.close();
      },
    };
  } catch (err) {
    await database.close();
    throw err;
  }
}
