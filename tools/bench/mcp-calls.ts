/**
 * MCP call benchmark: get_ticket over stdio and over Streamable HTTP, each beside an `echo` tool on
 * the same SDK in the same run (stdio: McpServer's echo; HTTP: the SDK's default Streamable HTTP setup).
 * Sequential calls for a fixed time each: calls/s, p50 and p99. Loopback only; needs PostgreSQL
 * (TEST_DATABASE_URL or postgres://postgres@127.0.0.1:5432/postgres) and a build (dist/cli.js).
 *   npx tsx tools/bench/mcp-calls.ts
 * Targets: stdio get_ticket ≥ 80% of the stdio echo rate; HTTP get_ticket ≥ 2× the default-HTTP echo rate.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { openDatabase } from '../../src/db/connect.js';
import { createEngine } from '../../src/engine/index.js';
import { operatorActor } from '../../src/engine/actor.js';
import { percentile } from './stats-util.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const GUILD = '919722116696391721';
const GROUP = '673578029833227305';

export interface CallFigures { calls: number; calls_per_s: number; p50_ms: number; p99_ms: number }

async function timed(seconds: number, fn: () => Promise<unknown>): Promise<CallFigures> {
  for (let i = 0; i < 200; i++) await fn();
  const samples: number[] = [];
  const until = performance.now() + seconds * 1000;
  const start = performance.now();
  while (performance.now() < until) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  const elapsed = (performance.now() - start) / 1000;
  samples.sort((a, b) => a - b);
  const r = (n: number) => Math.round(n * 1000) / 1000;
  return { calls: samples.length, calls_per_s: Math.round(samples.length / elapsed), p50_ms: r(percentile(samples, 50)), p99_ms: r(percentile(samples, 99)) };
}

/** Calls per second with `workers` callers in flight at once (capacity rather than round-trip latency). */
async function parallel(seconds: number, workers: number, fn: () => Promise<unknown>): Promise<number> {
  let done = 0;
  const until = performance.now() + seconds * 1000;
  const start = performance.now();
  await Promise.all(Array.from({ length: workers }, async () => { while (performance.now() < until) { await fn(); done++; } }));
  return Math.round(done / ((performance.now() - start) / 1000));
}

function childPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /\{"port":(\d+)\}/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code}) before listening`)));
  });
}

/**
 * The SDK client sends every POST with one shared AbortSignal, and Node's fetch hangs a listener on it
 * that is dropped only when the request is garbage-collected: thousands of calls a second pile up more
 * than 1,500 and Node warns. A dependent signal per request (AbortSignal.any) still aborts with the
 * transport but carries the listener itself, so it goes away with the request.
 */
const perRequestSignalFetch: typeof fetch = (input, init) =>
  fetch(input, init?.signal ? { ...init, signal: AbortSignal.any([init.signal]) } : init);

const tsx = (script: string, args: string[]) => spawn(process.execPath, ['--max-semi-space-size=64', '--import', 'tsx', join(here, script), ...args], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });

export async function runMcpCallsBench(opts: { seconds?: number } = {}) {
  const seconds = opts.seconds ?? 4;
  const adminUrl = process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `tb_bench_mcp_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.query(`CREATE DATABASE ${name}`);
  const u = new URL(adminUrl); u.pathname = `/${name}`;
  const url = u.toString();
  const database = await openDatabase({ databaseUrl: url });
  const children: ChildProcess[] = [];
  const clients: Client[] = [];
  try {
    const db = database.db;
    await db.insertInto('guilds').values({ id: GUILD, name: 'Bench', icon: null, owner_id: null, default_group_id: GROUP, premium_ends_at: null, synced_at: null }).execute();
    await db.insertInto('ticket_groups').values({
      id: GROUP, guild_id: GUILD, name: 'Support', mode: 'channel', is_default: true, opened_channel_id: null, opened_category_id: null,
      closed_category_id: null, locked_category_id: null, assigned_category_id: null, transcript_channel_id: null, form_channel_id: null,
      feedback_channel_id: null, staff_role_ids: '[]', opening_message: null, form_title: null, form_fields: '[]', schedule_timezone: null,
      priority_levels: '[]', rating_levels: '[]', per_user_limit: null,
    }).execute();
    const engine = createEngine(database);
    const ticket = await engine.tickets.create(operatorActor('601082144459178129'), { guild_id: GUILD, user_id: '849383430663776372', topic: 'Bench' });
    const { token } = await engine.tokens.create({ name: 'bench', abilities: ['*'], user_id: '601082144459178129' });
    const args = { guild_id: GUILD, ticket_id: ticket.id };

    const connect = async (transport: StdioClientTransport | StreamableHTTPClientTransport) => {
      const c = new Client({ name: 'bench', version: '1.0.0' });
      await c.connect(transport);
      clients.push(c);
      return c;
    };
    const check = (r: unknown) => { if ((r as { isError?: boolean }).isError) throw new Error(JSON.stringify(r)); };

    // stdio: the built CLI vs the echo server, one after the other.
    const ours = await connect(new StdioClientTransport({ command: process.execPath, args: ['--max-semi-space-size=64', join(root, 'dist/cli.js'), 'stdio'], env: { PATH: process.env.PATH ?? '', DATABASE_URL: url, LOG_LEVEL: 'warn' }, stderr: 'inherit' }));
    const stdioTicket = await timed(seconds, async () => check(await ours.callTool({ name: 'get_ticket', arguments: args })));
    const stdioTicket8 = await parallel(seconds, 8, async () => check(await ours.callTool({ name: 'get_ticket', arguments: args })));
    await ours.close();
    const echo = await connect(new StdioClientTransport({ command: process.execPath, args: ['--import', 'tsx', join(here, 'mcp-echo-server.ts'), 'stdio'], cwd: root, env: { PATH: process.env.PATH ?? '' }, stderr: 'inherit' }));
    const stdioEcho = await timed(seconds, async () => check(await echo.callTool({ name: 'echo', arguments: { text: 'hello' } })));
    const stdioEcho8 = await parallel(seconds, 8, async () => check(await echo.callTool({ name: 'echo', arguments: { text: 'hello' } })));
    await echo.close();

    // HTTP: ticketbridge's server vs the SDK's default Streamable HTTP echo, each in its own process.
    const ourServer = tsx('mcp-http-server.ts', [url]);
    children.push(ourServer);
    const ourPort = await childPort(ourServer);
    const ourHttp = await connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${ourPort}/mcp`), { fetch: perRequestSignalFetch, requestInit: { headers: { authorization: `Bearer ${token}` } } }));
    const httpTicket = await timed(seconds, async () => check(await ourHttp.callTool({ name: 'get_ticket', arguments: args })));
    const httpTicket8 = await parallel(seconds, 8, async () => check(await ourHttp.callTool({ name: 'get_ticket', arguments: args })));
    const echoServer = tsx('mcp-echo-server.ts', ['http']);
    children.push(echoServer);
    const echoPort = await childPort(echoServer);
    const echoHttp = await connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${echoPort}/mcp`), { fetch: perRequestSignalFetch }));
    const httpEcho = await timed(seconds, async () => check(await echoHttp.callTool({ name: 'echo', arguments: { text: 'hello' } })));
    const httpEcho8 = await parallel(seconds, 8, async () => check(await echoHttp.callTool({ name: 'echo', arguments: { text: 'hello' } })));

    const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
    const stdioRatio = ratio(stdioTicket.calls_per_s, stdioEcho.calls_per_s);
    const httpRatio = ratio(httpTicket.calls_per_s, httpEcho.calls_per_s);
    return {
      seconds_per_run: seconds,
      load_average: (await import('node:os')).loadavg().map((l) => Math.round(l * 10) / 10),
      stdio: {
        get_ticket: stdioTicket, echo: stdioEcho, ratio: stdioRatio, target: '≥ 0.8', met: stdioRatio >= 0.8,
        parallel_8: { get_ticket_per_s: stdioTicket8, echo_per_s: stdioEcho8, ratio: ratio(stdioTicket8, stdioEcho8) },
      },
      http: {
        get_ticket: httpTicket, echo_sdk_default: httpEcho, ratio: httpRatio, target: '≥ 2', met: httpRatio >= 2,
        parallel_8: { get_ticket_per_s: httpTicket8, echo_per_s: httpEcho8, ratio: ratio(httpTicket8, httpEcho8) },
      },
    };
  } finally {
    for (const c of clients) await c.close().catch(() => {});
    for (const child of children) child.kill();
    await database.close();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
    await admin.end();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  runMcpCallsBench().then((r) => { process.stdout.write(`${JSON.stringify(r, null, 2)}\n`); process.exit(0); }, (err: unknown) => { process.stderr.write(`${String((err as Error)?.stack ?? err)}\n`); process.exit(1); });
}
