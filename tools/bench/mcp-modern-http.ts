/**
 * 2026-07-28 over HTTP against REST, with a load generator that costs next to nothing (autocannon,
 * the same request each time): MCP `tools/call get_ticket` (envelope in _meta, Mcp-Method/Mcp-Name
 * headers, no session) vs the Ticketeer REST `GET /api/v1/guild/{id}/ticket/{id}` of the same ticket,
 * 1 and 16 connections. Rounds rotate through three legs: MCP as served (the plain tools/call fast
 * path, src/mcp/http-fast-path.ts), REST, and MCP through the SDK alone (a second server with
 * TICKETBRIDGE_MCP_FAST_PATH=off), so the SDK path's figure is measured in the same run; and a floor:
 * a bare node:http server (bare-http-server.ts) answering the same GET with REST's bytes and the same
 * POST (read and parsed) with MCP's, so `floor_rate_ratio` shows how close to REST the HTTP exchanges
 * alone let MCP come (a POST with a body costs more than a GET before any work is done). Each round
 * also reports the server's CPU time per request (cpu_us), which load from other processes on the
 * machine moves far less than rates and latencies. Needs PostgreSQL (as mcp-calls.ts) and a build
 * (the servers run dist/, as npm start does).
 *   node --max-semi-space-size=64 --import tsx tools/bench/mcp-modern-http.ts [seconds-per-round] [rounds]
 *   npm run bench -- mcp-modern-http            (5 s rounds, 5 rounds)
 * Target: MCP ≥ 0.7× the REST rate, p99 ≤ 2× REST's, at both connection counts.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Writable } from 'node:stream';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { openDatabase } from '../../src/db/connect.js';
import { createEngine } from '../../src/engine/index.js';
import { operatorActor } from '../../src/engine/actor.js';
import { createBenchDatabase, seedBenchGuild } from './bench-db.js';

const here = dirname(fileURLToPath(import.meta.url));
const GUILD = '919722116696391721';
const GROUP = '673578029833227305';

type Leg = 'mcp' | 'rest' | 'mcp_sdk' | 'bare_get' | 'bare_post';
/** Requests/s, p99 in ms, and the server's CPU time per request in µs. */
interface Round { rps: number; p99: number; cpu_us: number }
interface BenchServer { child: ChildProcessByStdio<Writable, Readable, null>; base: string; cpu(): Promise<number> }

async function startServer(url: string, env: Record<string, string>, script = 'mcp-http-server.ts'): Promise<BenchServer> {
  const child = spawn(process.execPath, ['--max-semi-space-size=64', '--import', 'tsx', join(here, script), url], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  const port = await new Promise<number>((resolve) => child.stdout.once('data', (d: Buffer) => resolve((JSON.parse(d.toString()) as { port: number }).port)));
  const cpu = () => new Promise<number>((resolve) => {
    child.stdout.once('data', (d: Buffer) => resolve((JSON.parse(d.toString()) as { cpu: number }).cpu));
    child.stdin.write('cpu\n');
  });
  return { child, base: `http://127.0.0.1:${port}`, cpu };
}

export async function runMcpModernHttpBench(seconds = 5, rounds = 5): Promise<unknown[]> {
  const bench = await createBenchDatabase('tb_bench_modern');
  const db = await openDatabase({ databaseUrl: bench.url });
  await seedBenchGuild(db.db, GUILD, GROUP);
  const engine = createEngine(db);
  const ticket = await engine.tickets.create(operatorActor('849383430663776372'), { guild_id: GUILD, user_id: '849383430663776372', topic: 'bench' });
  const { token } = await engine.tokens.create({ name: 'bench', abilities: ['*'] });
  const served = await startServer(bench.url, {});
  const sdkOnly = await startServer(bench.url, { TICKETBRIDGE_MCP_FAST_PATH: 'off' });
  const auth = { authorization: `Bearer ${token}` };
  const mcpRequest = (base: string) => ({
    url: `${base}/mcp`, method: 'POST' as const,
    headers: { ...auth, 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'get_ticket' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'get_ticket', arguments: { guild_id: GUILD, ticket_id: ticket.id }, _meta: {
      'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientInfo': { name: 'bench', version: '1' }, 'io.modelcontextprotocol/clientCapabilities': {} } } }),
  });
  type Request = { url: string; method: 'GET' | 'POST'; headers: Record<string, string>; body?: string };
  const legs: Record<Exclude<Leg, 'bare_get' | 'bare_post'>, Request> & Partial<Record<Leg, Request>> = {
    mcp: mcpRequest(served.base),
    rest: { url: `${served.base}/api/v1/guild/${GUILD}/ticket/${ticket.id}`, method: 'GET', headers: auth },
    mcp_sdk: mcpRequest(sdkOnly.base),
  };
  // One check per MCP leg that the call answers what it should, and the same bytes on both.
  const bodies: string[] = [];
  for (const leg of [legs.mcp, legs.mcp_sdk]) {
    const probe = await fetch(leg.url, { method: 'POST', headers: leg.headers, body: leg.body ?? null });
    const text = await probe.text();
    if (probe.status !== 200 || !text.includes(ticket.id)) throw new Error(`MCP probe failed: ${probe.status} ${text.slice(0, 300)}`);
    bodies.push(text);
  }
  if (bodies[0] !== bodies[1]) throw new Error('The fast path and the SDK path answered the same call differently.');
  const restBody = await (await fetch(legs.rest.url, { headers: legs.rest.headers })).text();
  const bare = await startServer('', { BARE_GET_BODY: restBody, BARE_POST_BODY: bodies[0]! }, 'bare-http-server.ts');
  legs.bare_get = { ...legs.rest, url: `${bare.base}${new URL(legs.rest.url).pathname}` };
  legs.bare_post = { ...legs.mcp, url: `${bare.base}/mcp` };
  const results: unknown[] = [];
  try {
    for (const connections of [1, 16]) {
      const got: Record<Leg, Round[]> = { mcp: [], rest: [], mcp_sdk: [], bare_get: [], bare_post: [] };
      const order: Leg[] = ['mcp', 'rest', 'mcp_sdk', 'bare_get', 'bare_post'];
      for (let r = 0; r < rounds; r++) {
        // Rotate the order each round so no leg always follows the same one.
        for (let i = 0; i < order.length; i++) {
          const name = order[(i + r) % order.length]!;
          const server = name === 'mcp_sdk' ? sdkOnly : name.startsWith('bare') ? bare : served;
          const cpuBefore = await server.cpu();
          const res = await autocannon({ ...legs[name]!, connections, duration: seconds });
          const cpuUsed = await server.cpu() - cpuBefore;
          if (res.non2xx > 0 || res.errors > 0) throw new Error(`${name}: ${res.non2xx} non-2xx, ${res.errors} errors`);
          got[name].push({ rps: res.requests.average, p99: res.latency.p99, cpu_us: Math.round(cpuUsed / Math.max(1, res.requests.total)) });
        }
      }
      const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
      const summary = (rs: Round[]) => ({
        rps: med(rs.map((x) => x.rps)), p99: med(rs.map((x) => x.p99)), cpu_us: med(rs.map((x) => x.cpu_us)),
        rps_range: [Math.min(...rs.map((x) => x.rps)), Math.max(...rs.map((x) => x.rps))],
      });
      const m = summary(got.mcp);
      const s = summary(got.mcp_sdk);
      const rr = summary(got.rest);
      const bg = summary(got.bare_get);
      const bp = summary(got.bare_post);
      // Per-round ratios (each MCP round against the REST round next to it) show the spread.
      const perRound = (leg: Leg) => got[leg].map((x, i) => +(x.rps / got.rest[i]!.rps).toFixed(2));
      const result = {
        connections, mcp_get_ticket: m, rest_get_ticket: rr, mcp_sdk_path_get_ticket: s,
        rate_ratio: +(m.rps / rr.rps).toFixed(2), p99_ratio: +(m.p99 / Math.max(rr.p99, 1)).toFixed(2),
        sdk_path_rate_ratio: +(s.rps / rr.rps).toFixed(2), sdk_path_p99_ratio: +(s.p99 / Math.max(rr.p99, 1)).toFixed(2),
        bare_get: bg, bare_post: bp, floor_rate_ratio: +(bp.rps / bg.rps).toFixed(2), floor_cpu_ratio: +(bg.cpu_us / Math.max(1, bp.cpu_us)).toFixed(2),
        // REST's server CPU per request over MCP's: the rate ratio a server-bound quiet machine would show.
        cpu_ratio: +(rr.cpu_us / Math.max(1, m.cpu_us)).toFixed(2), sdk_path_cpu_ratio: +(rr.cpu_us / Math.max(1, s.cpu_us)).toFixed(2),
        round_ratios: { mcp: perRound('mcp'), mcp_sdk: perRound('mcp_sdk'), floor: got.bare_post.map((x, i) => +(x.rps / got.bare_get[i]!.rps).toFixed(2)) }, rounds: got,
      };
      process.stdout.write(`${JSON.stringify(result)}\n`);
      results.push(result);
    }
  } finally {
    served.child.kill('SIGINT');
    sdkOnly.child.kill('SIGINT');
    bare.child.kill('SIGINT');
    await db.close();
    await bench.drop();
  }
  return results;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  void runMcpModernHttpBench(Number(process.argv[2] ?? 5), Number(process.argv[3] ?? 5)).catch((err: unknown) => { process.stderr.write(`${String((err as Error)?.stack ?? err)}\n`); process.exit(1); });
}
