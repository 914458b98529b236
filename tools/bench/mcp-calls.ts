/**
 * MCP call benchmark: get_ticket over stdio and over Streamable HTTP, each beside an `echo` tool on
 * the same SDK in the same run.
 * - stdio, on SDK v2 (the SDK ticketbridge serves with): the built CLI `dist/cli.js stdio` vs an echo
 *   server on @modelcontextprotocol/server 2.4.0 (McpServer + serveStdio, same node flags), in both
 *   eras: a @modelcontextprotocol/client 2.4.0 pinned to 2026-07-28, the same client left in its
 *   default 2025 mode (initialize, 2025-11-25), and SDK v1's Client (what old-era users run).
 * - HTTP, 2025-11-25 with SDK v1's client: ticketbridge's server vs the v1 SDK's default Streamable HTTP
 *   setup. Informational only: it mostly measures the SDK client's own cost, so it has no target; the
 *   HTTP target is tools/bench/mcp-modern-http.ts (a load generator that costs next to nothing).
 * Sequential calls, interleaved call by call with the baseline: calls/s, p50, p99 and the CPU the
 * caller and the server spend per call. Loopback only; needs PostgreSQL
 * (TEST_DATABASE_URL or postgres://postgres@127.0.0.1:5432/postgres) and a build (dist/cli.js).
 *   npx tsx tools/bench/mcp-calls.ts
 * Target: stdio get_ticket ≥ 80% of the stdio echo rate, in each era.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Client as ClientV2 } from '@modelcontextprotocol/client';
import { StdioClientTransport as StdioClientTransportV2, type StdioServerParameters } from '@modelcontextprotocol/client/stdio';
import { LATEST_PROTOCOL_VERSION as V1_PROTOCOL } from '@modelcontextprotocol/sdk/types.js';
import { openDatabase } from '../../src/db/connect.js';
import { createEngine } from '../../src/engine/index.js';
import { operatorActor } from '../../src/engine/actor.js';
import { createBenchDatabase, seedBenchGuild } from './bench-db.js';
import { median, percentile, ratio } from './stats-util.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const GUILD = '919722116696391721';
const GROUP = '673578029833227305';

export interface CallFigures { calls: number; calls_per_s: number; p50_ms: number; p99_ms: number; client_cpu_us_per_call: number; server_cpu_us_per_call: number | null }

/** CPU time (user + system) of a process in µs, from /proc (Linux); null elsewhere. */
function cpuOf(pid: number | null | undefined): number | null {
  if (!pid) return null;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * (1e6 / 100);
  } catch { return null; }
}

/** One side's calls in a round: latencies (ms), time and the caller's CPU spent in them. */
interface Side { samples: number[]; ms: number; clientUs: number; serverUs: number | null }

const side = (): Side => ({ samples: [], ms: 0, clientUs: 0, serverUs: null });

async function timedCall(s: Side, fn: () => Promise<unknown>): Promise<void> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const ms = performance.now() - t0;
  const c = process.cpuUsage(cpu0);
  s.samples.push(ms);
  s.ms += ms;
  s.clientUs += c.user + c.system;
}

function figures(s: Side): CallFigures {
  const sorted = [...s.samples].sort((a, b) => a - b);
  const r = (n: number) => Math.round(n * 1000) / 1000;
  return {
    calls: sorted.length, calls_per_s: Math.round(sorted.length / (s.ms / 1000)), p50_ms: r(percentile(sorted, 50)), p99_ms: r(percentile(sorted, 99)),
    client_cpu_us_per_call: Math.round(s.clientUs / sorted.length),
    server_cpu_us_per_call: s.serverUs === null ? null : Math.round(s.serverUs / sorted.length),
  };
}

/** Calls per second with `workers` callers in flight at once (capacity rather than round-trip latency). */
async function parallel(seconds: number, workers: number, fn: () => Promise<unknown>): Promise<number> {
  let done = 0;
  const until = performance.now() + seconds * 1000;
  const start = performance.now();
  await Promise.all(Array.from({ length: workers }, async () => { while (performance.now() < until) { await fn(); done++; } }));
  return Math.round(done / ((performance.now() - start) / 1000));
}

/**
 * Ours and the baseline call by call, in turns (ours, baseline, baseline, ours, …), after a warm-up.
 * This VM's speed drifts by ±30% within fractions of a second: slices of seconds (or turns of 50
 * calls) gave per-round ratios 0.6–0.9 for the same two servers, calls interleaved one by one see the
 * same machine (an A/A run of either server against itself: 0.95–1.03). Each server is woken for
 * every call, as by an agent that calls tools between other work. A side's rate is its calls over the
 * time spent in them; figures are medians over rounds, the ratio the median of per-round ratios.
 * Client CPU is read around each call; a server's from /proc over the round.
 */
async function compare(rounds: number, seconds: number, ours: () => Promise<unknown>, base: () => Promise<unknown>, pids: { ours?: number | null; base?: number | null } = {}) {
  for (let i = 0; i < 1000; i++) { await ours(); await base(); }
  const per: Array<{ o: CallFigures; b: CallFigures }> = [];
  for (let round = 0; round < rounds; round++) {
    const o = side();
    const b = side();
    // A server process is idle between its calls, so its CPU over the round is its CPU for them.
    const o0 = cpuOf(pids.ours);
    const b0 = cpuOf(pids.base);
    const until = performance.now() + seconds * 1000;
    for (let i = 0; performance.now() < until; i++) {
      if (i % 2 === 0) { await timedCall(o, ours); await timedCall(b, base); } else { await timedCall(b, base); await timedCall(o, ours); }
    }
    const o1 = cpuOf(pids.ours);
    const b1 = cpuOf(pids.base);
    if (o0 !== null && o1 !== null) o.serverUs = o1 - o0;
    if (b0 !== null && b1 !== null) b.serverUs = b1 - b0;
    per.push({ o: figures(o), b: figures(b) });
  }
  const pick = (f: (x: (typeof per)[number]) => CallFigures): CallFigures => ({
    calls: per.reduce((n, x) => n + f(x).calls, 0),
    calls_per_s: median(per.map((x) => f(x).calls_per_s)), p50_ms: median(per.map((x) => f(x).p50_ms)), p99_ms: median(per.map((x) => f(x).p99_ms)),
    client_cpu_us_per_call: median(per.map((x) => f(x).client_cpu_us_per_call)),
    server_cpu_us_per_call: f(per[0]!).server_cpu_us_per_call === null ? null : median(per.map((x) => f(x).server_cpu_us_per_call ?? 0)),
  });
  const p8o = await parallel(seconds, 8, ours);
  const p8b = await parallel(seconds, 8, base);
  return {
    ours: pick((x) => x.o), base: pick((x) => x.b), ratio: median(per.map((x) => ratio(x.o.calls_per_s, x.b.calls_per_s))),
    per_round_ratios: per.map((x) => ratio(x.o.calls_per_s, x.b.calls_per_s)),
    parallel_8: { ours_per_s: p8o, base_per_s: p8b, ratio: ratio(p8o, p8b) },
  };
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

/** A raw MCP session over HTTP (initialize + initialized), for a load generator that is not an SDK client. */
async function rawSession(endpoint: string, auth: Record<string, string>): Promise<Record<string, string>> {
  const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...auth };
  const init = await fetch(endpoint, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'bench', version: '1.0.0' } } }) });
  await init.text();
  const session = { ...headers, 'mcp-session-id': init.headers.get('mcp-session-id') ?? '', 'mcp-protocol-version': '2025-11-25' };
  await (await fetch(endpoint, { method: 'POST', headers: session, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) })).text();
  return session;
}

/**
 * The same tools/call POSTs from autocannon (one connection: sequential calls) in alternating rounds:
 * a client so light that the servers' own cost decides the rate.
 */
async function lightClient(rounds: number, seconds: number, ours: { url: string; headers: Record<string, string>; body: string }, base: typeof ours) {
  const rate = async (t: typeof ours) => {
    const r = await autocannon({ url: t.url, method: 'POST', headers: t.headers, body: t.body, connections: 1, duration: seconds });
    if (r.non2xx > 0 || r.errors > 0) throw new Error(`light client: ${r.non2xx} non-2xx answers, ${r.errors} errors from ${t.url}`);
    return Math.round(r.requests.average);
  };
  const per: Array<{ o: number; b: number }> = [];
  for (let i = 0; i < rounds; i++) per.push({ o: await rate(ours), b: await rate(base) });
  return { ours_per_s: median(per.map((x) => x.o)), base_per_s: median(per.map((x) => x.b)), ratio: median(per.map((x) => ratio(x.o, x.b))) };
}

const tsx = (script: string, args: string[]) => spawn(process.execPath, ['--max-semi-space-size=64', '--import', 'tsx', join(here, script), ...args], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });

export async function runMcpCallsBench(opts: { seconds?: number; rounds?: number; stdioOnly?: boolean } = {}) {
  const seconds = opts.seconds ?? 2;
  const rounds = opts.rounds ?? 5;
  const benchDb = await createBenchDatabase('tb_bench_mcp');
  const url = benchDb.url;
  const database = await openDatabase({ databaseUrl: url });
  const children: ChildProcess[] = [];
  const clients: Client[] = [];
  const closers: Array<() => Promise<unknown>> = [];
  try {
    await seedBenchGuild(database.db, GUILD, GROUP);
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

    const getTicket = (c: Client) => async () => check(await c.callTool({ name: 'get_ticket', arguments: args }));
    const echoCall = (c: Client) => async () => check(await c.callTool({ name: 'echo', arguments: { text: 'hello' } }));

    // stdio: the built CLI (as `npm start` runs node) vs SDK v2's McpServer with one echo tool, per era.
    const oursParams: StdioServerParameters = { command: process.execPath, args: ['--max-semi-space-size=64', join(root, 'dist/cli.js'), 'stdio'], env: { PATH: process.env.PATH ?? '', DATABASE_URL: url, LOG_LEVEL: 'warn' }, stderr: 'inherit' as const };
    const echoParams: StdioServerParameters = { command: process.execPath, args: ['--max-semi-space-size=64', '--import', 'tsx', join(here, 'mcp-echo-server.ts'), 'stdio'], cwd: root, env: { PATH: process.env.PATH ?? '' }, stderr: 'inherit' as const };
    type Mode = 'legacy' | { pin: string };
    const v2Pair = async (mode: Mode) => {
      const open = async (params: StdioServerParameters) => {
        const transport = new StdioClientTransportV2(params);
        const c = new ClientV2({ name: 'bench', version: '1.0.0' }, { versionNegotiation: { mode } });
        await c.connect(transport);
        closers.push(() => c.close());
        return { c, pid: transport.pid };
      };
      const o = await open(oursParams);
      const b = await open(echoParams);
      const eras = [o.c.getNegotiatedProtocolVersion(), b.c.getNegotiatedProtocolVersion()];
      if (eras[0] !== eras[1]) throw new Error(`stdio: ticketbridge negotiated ${eras[0]}, the echo server ${eras[1]}`);
      const call = (c: ClientV2, name: string, a: Record<string, unknown>) => async () => check(await c.callTool({ name, arguments: a }));
      return { protocol: eras[0], ...await compare(rounds, seconds, call(o.c, 'get_ticket', args), call(b.c, 'echo', { text: 'hello' }), { ours: o.pid, base: b.pid }) };
    };
    const stdioModern = await v2Pair({ pin: '2026-07-28' });
    const stdioLegacyV2 = await v2Pair('legacy');
    const oursStdio = new StdioClientTransport(oursParams);
    const ours = await connect(oursStdio);
    const echoStdio = new StdioClientTransport(echoParams);
    const echo = await connect(echoStdio);
    const stdioLegacyV1 = { protocol: V1_PROTOCOL, ...await compare(rounds, seconds, getTicket(ours), echoCall(echo), { ours: oursStdio.pid, base: echoStdio.pid }) };

    const stdio = Object.fromEntries(([['modern_2026_07_28_client_v2', stdioModern], ['legacy_client_v2', stdioLegacyV2], ['legacy_client_v1', stdioLegacyV1]] as const).map(([k, r]) => [k, {
      protocol: r.protocol, get_ticket: r.ours, echo: r.base, ratio: r.ratio, per_round_ratios: r.per_round_ratios, target: '≥ 0.8', met: r.ratio >= 0.8, parallel_8: r.parallel_8,
    }]));
    const load_average = (await import('node:os')).loadavg().map((l) => Math.round(l * 10) / 10);
    if (opts.stdioOnly) return { seconds_per_slice: seconds, rounds, load_average, stdio };

    // HTTP: ticketbridge's server vs the SDK's default Streamable HTTP echo, each in its own process.
    const ourServer = tsx('mcp-http-server.ts', [url]);
    children.push(ourServer);
    const ourPort = await childPort(ourServer);
    const ourHttp = await connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${ourPort}/mcp`), { fetch: perRequestSignalFetch, requestInit: { headers: { authorization: `Bearer ${token}` } } }));
    const echoServer = tsx('mcp-echo-server.ts', ['http']);
    children.push(echoServer);
    const echoPort = await childPort(echoServer);
    const echoHttp = await connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${echoPort}/mcp`), { fetch: perRequestSignalFetch }));
    const http = await compare(rounds, seconds, getTicket(ourHttp), echoCall(echoHttp), { ours: ourServer.pid, base: echoServer.pid });
    // The most any server can reach with this client: one that answers with a prepared get_ticket result.
    const answer = JSON.stringify(await ourHttp.callTool({ name: 'get_ticket', arguments: args }));
    const cannedServer = tsx('mcp-echo-server.ts', ['canned', answer]);
    children.push(cannedServer);
    const cannedHttp = await connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${await childPort(cannedServer)}/mcp`), { fetch: perRequestSignalFetch }));
    const ceiling = await compare(rounds, seconds, getTicket(cannedHttp), echoCall(echoHttp), { ours: cannedServer.pid, base: echoServer.pid });
    const callBody = (name: string, a: unknown) => JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: a } });
    const ourEndpoint = `http://127.0.0.1:${ourPort}/mcp`;
    const echoEndpoint = `http://127.0.0.1:${echoPort}/mcp`;
    const light = await lightClient(5, seconds,
      { url: ourEndpoint, headers: await rawSession(ourEndpoint, { authorization: `Bearer ${token}` }), body: callBody('get_ticket', args) },
      { url: echoEndpoint, headers: await rawSession(echoEndpoint, {}), body: callBody('echo', { text: 'hello' }) });

    return {
      seconds_per_slice: seconds, rounds,
      load_average,
      stdio,
      http: { get_ticket: http.ours, echo_sdk_default: http.base, ratio: http.ratio, per_round_ratios: http.per_round_ratios, target: 'none (informational; see mcp-modern-http.ts)', parallel_8: http.parallel_8, light_client_sequential: light,
        zero_cost_server: { calls_per_s: ceiling.ours.calls_per_s, client_cpu_us_per_call: ceiling.ours.client_cpu_us_per_call, ratio_to_echo: ceiling.ratio } },
    };
  } finally {
    for (const c of clients) await c.close().catch(() => {});
    for (const close of closers) await close().catch(() => {});
    for (const child of children) child.kill();
    await database.close();
    await benchDb.drop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // `tsx mcp-calls.ts stdio [seconds] [rounds]`: the stdio legs only.
  const [only, sec, rnd] = process.argv.slice(2);
  runMcpCallsBench({ stdioOnly: only === 'stdio', ...(sec ? { seconds: Number(sec) } : {}), ...(rnd ? { rounds: Number(rnd) } : {}) }).then((r) => { process.stdout.write(`${JSON.stringify(r, null, 2)}\n`); process.exit(0); }, (err: unknown) => { process.stderr.write(`${String((err as Error)?.stack ?? err)}\n`); process.exit(1); });
}
