/**
 * ticketbridge's HTTP server (REST + /mcp) alone, without the Discord side, for the MCP call
 * benchmark: `tsx mcp-http-server.ts <DATABASE_URL>` prints {"port": N} once listening, and answers
 * each line "cpu" on stdin with {"cpu": µs} (the process's user + system CPU time so far), so a bench
 * can report the server's CPU per request, which other load on the machine disturbs far less than rates.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { announce } from './bench-server-io.js';

/**
 * The server as `npm start` runs it: the compiled dist/ (as mcp-calls.ts runs dist/cli.js). Run from
 * the sources, tsx's transform adds a naming helper call to every closure made per request, a few
 * per cent of a cached read, and more on the path that makes more closures.
 */
async function load() {
  const dist = new URL('../../dist/', import.meta.url);
  if (!existsSync(new URL('http.js', dist))) throw new Error('Build first (npm run build): the benchmark runs dist/ as npm start does.');
  const [{ loadConfig }, { openDatabase }, { createEngine }, { buildHttpServer }] = await Promise.all([
    import(new URL('config.js', dist).href) as Promise<typeof import('../../src/config.js')>,
    import(new URL('db/connect.js', dist).href) as Promise<typeof import('../../src/db/connect.js')>,
    import(new URL('engine/index.js', dist).href) as Promise<typeof import('../../src/engine/index.js')>,
    import(new URL('http.js', dist).href) as Promise<typeof import('../../src/http.js')>,
  ]);
  return { loadConfig, openDatabase, createEngine, buildHttpServer };
}

async function main(url: string): Promise<void> {
  const { loadConfig, openDatabase, createEngine, buildHttpServer } = await load();
  const database = await openDatabase({ databaseUrl: url, migrate: false, poolSize: 10 });
  const engine = createEngine(database);
  // No REST rate limits: the benchmarks compare REST and MCP answering as fast as they can. The MCP
  // fast path follows the environment (mcp-modern-http.ts runs one server with it off).
  const http = await buildHttpServer({ config: loadConfig({ TICKETBRIDGE_RATE_LIMIT_TOKEN: '0', TICKETBRIDGE_RATE_LIMIT_IP: '0', TICKETBRIDGE_MCP_FAST_PATH: process.env['TICKETBRIDGE_MCP_FAST_PATH'] }), logger: pino({ level: 'silent' }), database, engine, discord: () => ({ mode: 'off', ready: false }) });
  await http.listen({ host: '127.0.0.1', port: 0 });
  announce(http.server.address());
}

if (process.argv[1] === fileURLToPath(import.meta.url)) void main(process.argv[2] ?? '');
