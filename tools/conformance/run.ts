/**
 * `npm run conformance`: the official MCP conformance suite (@modelcontextprotocol/conformance
 * 0.2.0-alpha.12, which needs Node 22: npx fetches the node@22 package for it) against ticketbridge's
 * HTTP server, once per protocol revision: `--requirements 2026-07-28` and `--requirements 2025-11-25`.
 * The suite cannot send headers, so a loopback proxy adds this run's bearer token to every request
 * (Host and Origin pass through untouched, so the DNS-rebinding scenario still meets the real guard).
 *
 * Scenarios (or single checks, `scenario:check-id`) that need the suite's own fixture tools, resources
 * or prompts are listed with a reason in tools/conformance/baseline-<revision>.yml. The suite itself
 * holds only the scored scenarios of a revision to the baseline; this script also holds the rest it
 * runs (pending and extension scenarios: http-header-validation, server-sse-polling, tasks-*), so a
 * failure or warning there that the baseline does not name fails the run too, and so does a listed
 * entry that now passes (stale). A WARNING counts as failing, as it does for the suite's own check.
 * Some scenarios pass against any answer (tools-call-simple-text, tools-call-error, …): the baseline
 * file names them; don't count on them.
 *
 *   npm run conformance                                   both revisions
 *   npm run conformance -- --requirements 2026-07-28      one revision
 *   npm run conformance -- --requirements 2026-07-28 --scenario server-stateless   one scenario
 *
 * The baseline is read by a few lines here instead of a YAML library: it is our own flat list
 * (`server:` then `  - name` lines), and the YAML packages in node_modules are not our dependencies.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { z } from 'zod';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/connect.js';
import { createEngine } from '../../src/engine/index.js';
import { buildHttpServer } from '../../src/http.js';

const here = dirname(fileURLToPath(import.meta.url));
const SUITE = '@modelcontextprotocol/conformance@0.2.0-alpha.12';
const REVISIONS = ['2026-07-28', '2025-11-25'];

const Check = z.looseObject({ id: z.string(), status: z.string(), errorMessage: z.string().optional() });
const Checks = z.array(Check);
type Check = z.infer<typeof Check>;

/** The baseline's `server:` entries: whole scenarios, and single checks as `scenario:check-id`. */
export function readBaseline(file: string): { scenarios: Set<string>; checks: Map<string, Set<string>> } {
  const scenarios = new Set<string>();
  const checks = new Map<string, Set<string>>();
  let inServer = false;
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    const line = raw.replace(/\s+#.*$/, '').trimEnd();
    if (line === '' || line.trimStart().startsWith('#')) continue;
    if (/^\S/.test(line)) { inServer = line === 'server:'; continue; }
    const entry = /^\s+-\s+(\S+)$/.exec(line)?.[1];
    if (!inServer || !entry) continue;
    const colon = entry.indexOf(':');
    if (colon < 0) { scenarios.add(entry); continue; }
    const scenario = entry.slice(0, colon);
    const set = checks.get(scenario) ?? new Set<string>();
    set.add(entry.slice(colon + 1));
    checks.set(scenario, set);
  }
  return { scenarios, checks };
}

/** checks.json of every scenario the suite ran, by scenario name (the suite writes `server-<name>-<time>/`). */
function readResults(dir: string): Map<string, Check[]> {
  const results = new Map<string, Check[]>();
  if (!existsSync(dir)) return results;
  for (const entry of readdirSync(dir)) {
    const file = join(dir, entry, 'checks.json');
    if (!existsSync(file)) continue;
    const name = entry.replace(/^server-/, '').replace(/-\d{4}-\d{2}-\d{2}T[\d-]+Z$/, '');
    results.set(name, Checks.parse(JSON.parse(readFileSync(file, 'utf8'))));
  }
  return results;
}

const failing = (c: Check) => c.status === 'FAILURE' || c.status === 'WARNING';

/** Our verdict over every scenario run, scored or not: unexpected failures and stale entries. */
function judge(results: Map<string, Check[]>, baseline: ReturnType<typeof readBaseline>): { unexpected: string[]; stale: string[]; expected: string[] } {
  const unexpected: string[] = [];
  const stale: string[] = [];
  const expected: string[] = [];
  for (const [scenario, checks] of results) {
    if (baseline.scenarios.has(scenario)) {
      (checks.some(failing) ? expected : stale).push(scenario);
      continue;
    }
    const listed = baseline.checks.get(scenario) ?? new Set<string>();
    // A check id may repeat within a scenario (one per probe): it fails if any of its rows fails.
    const byId = new Map<string, boolean>();
    for (const c of checks) if (c.status !== 'INFO') byId.set(c.id, (byId.get(c.id) ?? false) || failing(c));
    for (const [id, bad] of byId) {
      const name = `${scenario}:${id}`;
      if (bad) (listed.has(id) ? expected : unexpected).push(`${name}  (${checks.find((c) => c.id === id && failing(c))?.errorMessage ?? ''})`);
      else if (listed.has(id)) stale.push(name);
    }
    for (const id of listed) if (!byId.has(id)) stale.push(`${scenario}:${id} (not reported any more)`);
  }
  return { unexpected, stale, expected };
}

function runSuite(args: string[]): Promise<number> {
  return new Promise<number>((resolve) => {
    const child = spawn('npx', ['-y', '-p', 'node@22', '-p', SUITE, 'conformance', 'server', ...args], { stdio: 'inherit' });
    child.on('close', (c) => resolve(c ?? 1));
  });
}

async function main(argv: string[]): Promise<number> {
  const take = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    if (i < 0) return undefined;
    const value = argv[i + 1];
    argv.splice(i, 2);
    return value;
  };
  const asked = take('--requirements');
  const scenario = take('--scenario');
  if (asked !== undefined && !REVISIONS.includes(asked)) throw new Error(`--requirements takes one of ${REVISIONS.join(', ')}.`);
  const revisions = asked ? [asked] : REVISIONS;

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
  const outDir = mkdtempSync(join(tmpdir(), 'tb-conformance-results-'));
  try {
    let worst = 0;
    for (const revision of revisions) {
      process.stdout.write(`\n== conformance ${scenario ? `--scenario ${scenario} --spec-version` : '--requirements'} ${revision}\n`);
      const baselineFile = join(here, `baseline-${revision}.yml`);
      const results = join(outDir, revision);
      // The suite refuses --requirements with --scenario: one scenario runs at the revision's wire version.
      const selection = scenario ? ['--scenario', scenario, '--spec-version', revision] : ['--requirements', revision];
      const code = await runSuite(['--url', `http://127.0.0.1:${port}/mcp`, ...selection, '--expected-failures', baselineFile, '-o', results, ...argv]);
      const verdict = judge(readResults(results), readBaseline(baselineFile));
      process.stdout.write(`\n-- ticketbridge's check of every scenario run (scored or not) against ${baselineFile.slice(here.length + 1)}: ${verdict.expected.length} expected failure(s)\n`);
      for (const s of verdict.unexpected) process.stdout.write(`  unexpected: ${s}\n`);
      for (const s of verdict.stale) process.stdout.write(`  stale (passes now, remove it): ${s}\n`);
      const ours = verdict.unexpected.length || verdict.stale.length ? 1 : 0;
      process.stdout.write(ours ? '  FAILED\n' : '  passed\n');
      worst = Math.max(worst, code, ours);
    }
    return worst;
  } finally {
    proxy.close();
    await app.close();
    await database.close();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(outDir, { recursive: true, force: true });
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code), (err: unknown) => { process.stderr.write(`${String((err as Error)?.stack ?? err)}\n`); process.exit(1); });
