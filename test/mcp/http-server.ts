/**
 * The HTTP server both MCP-over-HTTP test files run against: one database (PostgreSQL when there
 * is one, else PGlite), two seeded guilds and a token for the first, REST and /mcp listening on a
 * free port.
 */
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.js';
import type { Database } from '../../src/db/connect.js';
import type { AppDeps } from '../../src/deps.js';
import { createEngine, type Engine } from '../../src/engine/index.js';
import { buildHttpServer } from '../../src/http.js';
import { clonePglite, clonePostgres, postgresAvailable } from '../support/databases.js';
import { seedGuild, type SeededGuild } from '../support/fixtures.js';
import { STAFF } from './helpers.js';

export interface McpHttpServer { database: Database; engine: Engine; http: FastifyInstance; url: string; g: SeededGuild; other: SeededGuild; token: string; close(): Promise<void> }

export async function startMcpHttpServer(): Promise<McpHttpServer> {
  const testDb = postgresAvailable() ? await clonePostgres() : await clonePglite();
  const database = await testDb.open();
  const engine = createEngine(database);
  const g = await seedGuild(database.db);
  const other = await seedGuild(database.db);
  const token = (await engine.tokens.create({ name: 'agent', user_id: STAFF, guild_ids: [g.guildId], abilities: ['*'] })).token;
  const deps: AppDeps = { config: loadConfig({}), logger: pino({ level: 'silent' }), database, engine, discord: () => ({ mode: 'off', ready: false }) };
  const http = await buildHttpServer(deps);
  const url = await http.listen({ host: '127.0.0.1', port: 0 });
  return {
    database, engine, http, url, g, other, token,
    async close() { await http.close(); await database.close(); await testDb.drop(); },
  };
}
