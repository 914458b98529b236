/**
 * `npm run conformance`: the official MCP conformance suite (@modelcontextprotocol/conformance, which
 * needs Node 22: npx fetches the node@22 package for it) against ticketbridge's HTTP server.
 * The suite cannot send headers, so a loopback proxy adds this run's bearer token to every request
 * (Host and Origin pass through untouched, so the DNS-rebinding scenario still meets the real guard).
 * Scenarios that need the suite's own fixture tools/resources/prompts are listed with a reason in
 * tools/conformance/baseline.yml; a listed scenario that starts passing fails the run (stale entry).
 *   npm run conformance [-- --scenario NAME]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/connect.js';
import { createEngine } from '../../src/engine/index.js';
import { buildHttpServer } from '../../src/http.js';

const here = dirname(fileURLToPath(import.meta.url));

async function main(extra: string[]): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tb-conformance-'));
  const database = await openDatabase(process.env['DATABASE_URL'] ? { databaseUrl: process.env['DATABASE_URL'] } : { dataDir, command: 'conformance' });
  const engine = createEngine(database);
  const { token } = await engine.tokens.create({ name: 'conformance', abilities: ['*'] });
  const app = await buildHttpServer({ config: loadConfig({}), logger: pino({ level: 'silent' }), database, engine, discord: () => ({ mode: 'off', ready: false }) });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const target = app.server.address() as { port: number };
  const proxy = createServer((req, res) => {
    const upstream = request({ host: '127.0.0.1', port: target.port, path: req.url, method: req.method, headers: { ...req.headers, authorization: `Bearer ${token}` } }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => { res.writeHead(502); res.end(); });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const port = (proxy.address() as { port: number }).port;
  try {
    return await new Promise<number>((resolve) => {
      const child = spawn('npx', ['-y', '-p', 'node@22', '-p', '@modelcontextprotocol/conformance@0.1.16', 'conformance', 'server',
        '--url', `http://127.0.0.1:${port}/mcp`, '--expected-failures', join(here, 'baseline.yml'), ...extra], { stdio: 'inherit' });
      child.on('close', (code) => resolve(code ?? 1));
    });
  } finally {
    proxy.close();
    await app.close();
    await database.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code), (err: unknown) => { process.stderr.write(`${String((err as Error)?.stack ?? err)}\n`); process.exit(1); });
