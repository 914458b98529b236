/**
 * `npm run conformance`: the official MCP conformance suite (@modelcontextprotocol/conformance
 * 0.2.0-alpha.12, which needs Node 22: npx fetches the node@22 package for it) against ticketbridge's
 * HTTP server, once per protocol revision: `--requirements 2026-07-28` and `--requirements 2025-11-25`.
 * The suite cannot send headers, so a loopback proxy adds this run's bearer token to every request
 * (Host and Origin pass through untouched, so the DNS-rebinding scenario still meets the real guard).
 * Scenarios that need the suite's own fixture tools/resources/prompts are listed with a reason in
 * tools/conformance/baseline-<revision>.yml; a listed scenario that starts passing fails the run
 * (stale entry). Some scenarios pass against any answer (see the suite's notes); don't count on them.
 *   npm run conformance [-- --requirements 2026-07-28] [-- --scenario NAME]
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
  const asked = extra.indexOf('--requirements');
  const revisions = asked >= 0 ? [extra[asked + 1] ?? ''] : ['2026-07-28', '2025-11-25'];
  const rest = asked >= 0 ? [...extra.slice(0, asked), ...extra.slice(asked + 2)] : extra;
  try {
    let worst = 0;
    for (const revision of revisions) {
      process.stdout.write(`\n== conformance --requirements ${revision}\n`);
      const code = await new Promise<number>((resolve) => {
        const child = spawn('npx', ['-y', '-p', 'node@22', '-p', '@modelcontextprotocol/conformance@0.2.0-alpha.12', 'conformance', 'server',
          '--url', `http://127.0.0.1:${port}/mcp`, '--requirements', revision, '--expected-failures', join(here, `baseline-${revision}.yml`), ...rest], { stdio: 'inherit' });
        child.on('close', (c) => resolve(c ?? 1));
      });
      worst = Math.max(worst, code);
    }
    return worst;
  } finally {
    proxy.close();
    await app.close();
    await database.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code), (err: unknown) => { process.stderr.write(`${String((err as Error)?.stack ?? err)}\n`); process.exit(1); });
