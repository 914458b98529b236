/**
 * `npm run inspect`: MCP Inspector 2.12.0 (`--cli --method tools/list --strict --format json`; it
 * needs Node >= 22.19, so npx fetches the node@24 package for it) against ticketbridge with every
 * toolset on, over stdio (`ticketbridge stdio --no-discord --toolsets all`, built: run `npm run build`
 * first) and over HTTP (/mcp with a token and `X-MCP-Toolsets: all`), in both protocol eras
 * (`--protocol-era modern` = 2026-07-28, `legacy` = 2025-11-25). Fails when the Inspector reports any
 * schema portability finding (error or warning) or no tools. The Inspector keeps a catalog and secrets
 * under $HOME: it runs with a throwaway HOME. Each run costs about a minute on this machine.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { z } from 'zod';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/connect.js';
import { createEngine } from '../../src/engine/index.js';
import { buildHttpServer } from '../../src/http.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const INSPECTOR = ['-y', '-p', 'node@24', '-p', '@modelcontextprotocol/inspector@2.12.0', 'mcp-inspector', '--cli'];
const Output = z.looseObject({ result: z.looseObject({ tools: z.array(z.looseObject({ name: z.string() })) }).optional(), schemaFindings: z.array(z.unknown()).optional() });

function inspector(args: string[], home: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('npx', [...INSPECTOR, '--method', 'tools/list', '--strict', '--format', 'json', '--connect-timeout', '120000', ...args], { env: { ...process.env, HOME: home }, cwd: root });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

async function main(): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tb-inspect-'));
  const stdioDir = mkdtempSync(join(tmpdir(), 'tb-inspect-stdio-'));
  const home = mkdtempSync(join(tmpdir(), 'tb-inspect-home-'));
  const databaseUrl = process.env['DATABASE_URL'];
  const database = await openDatabase(databaseUrl ? { databaseUrl } : { dataDir, command: 'inspect' });
  const engine = createEngine(database);
  const { token } = await engine.tokens.create({ name: 'inspect', abilities: ['*'] });
  const app = await buildHttpServer({ config: loadConfig({}), logger: pino({ level: 'silent' }), database, engine, discord: () => ({ mode: 'off', ready: false }) });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  // The stdio server is its own process: on PGlite it needs its own data directory.
  const stdioEnv = databaseUrl ? ['-e', `DATABASE_URL=${databaseUrl}`] : ['-e', `DATA_DIR=${stdioDir}`];
  const targets: Array<[string, string[]]> = [];
  for (const era of ['modern', 'legacy']) {
    targets.push([`stdio ${era}`, ['--protocol-era', era, ...stdioEnv, '--', 'node', 'dist/cli.js', 'stdio', '--no-discord', '--toolsets', 'all']]);
    targets.push([`http  ${era}`, ['--protocol-era', era, '--transport', 'http', '--server-url', `${url}/mcp`, '--header', `Authorization: Bearer ${token}`, '--header', 'X-MCP-Toolsets: all']]);
  }
  let failed = 0;
  try {
    for (const [label, args] of targets) {
      const run = await inspector(args, home);
      let verdict: string;
      try {
        const out = Output.parse(JSON.parse(run.stdout));
        const tools = out.result?.tools.length ?? 0;
        const findings = out.schemaFindings?.length ?? 0;
        verdict = `${tools} tools, ${findings ? `${findings} tool(s) with portability findings` : 'no portability findings'}, exit ${run.code}`;
        if (run.code !== 0 || findings > 0 || tools === 0) failed++;
      } catch {
        verdict = `no result (exit ${run.code}): ${run.stdout.trim().slice(0, 300)}`;
        failed++;
      }
      process.stdout.write(`${label}: ${verdict}\n`);
      if (run.code !== 0) process.stdout.write(run.stderr.split('\n').filter((l) => !l.startsWith('npm ')).slice(-40).join('\n') + '\n');
    }
  } finally {
    await app.close();
    await database.close();
    for (const d of [dataDir, stdioDir, home]) rmSync(d, { recursive: true, force: true });
  }
  process.stdout.write(failed ? `FAILED: ${failed} of ${targets.length}\n` : `passed: ${targets.length} of ${targets.length}\n`);
  return failed ? 1 : 0;
}

main().then((code) => process.exit(code), (err: unknown) => { process.stderr.write(`${String((err as Error)?.stack ?? err)}\n`); process.exit(1); });
