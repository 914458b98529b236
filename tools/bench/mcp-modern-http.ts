/**
 * 2026-07-28 over HTTP against REST, with a load generator that costs next to nothing (autocannon,
 * the same request each time): MCP `tools/call get_ticket` (envelope in _meta, Mcp-Method/Mcp-Name
 * headers, no session) vs the Ticketeer REST `GET /api/v1/guild/{id}/ticket/{id}` of the same ticket,
 * 1 and 16 connections, rounds alternating between the two. Needs PostgreSQL (as mcp-calls.ts).
 *   npx tsx tools/bench/mcp-modern-http.ts [seconds-per-round] [rounds]
 * Target: MCP ≥ 0.7× the REST rate, p99 ≤ 2× REST's, at both connection counts.
 * Also: heap after 20,000 2026-07-28 calls against the heap before (a request leaves nothing behind).
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { openDatabase } from '../../src/db/connect.js';
import { createEngine } from '../../src/engine/index.js';
import { operatorActor } from '../../src/engine/actor.js';
import { createBenchDatabase, seedBenchGuild } from './bench-db.js';

const here = dirname(fileURLToPath(import.meta.url));
const GUILD = '919722116696391721';
const GROUP = '673578029833227305';

async function main(seconds: number, rounds: number): Promise<void> {
  const bench = await createBenchDatabase('tb_bench_modern');
  const db = await openDatabase({ databaseUrl: bench.url });
  await seedBenchGuild(db.db, GUILD, GROUP);
  const engine = createEngine(db);
  const ticket = await engine.tickets.create(operatorActor('849383430663776372'), { guild_id: GUILD, user_id: '849383430663776372', topic: 'bench' });
  const { token } = await engine.tokens.create({ name: 'bench', abilities: ['*'] });
  const child = spawn(process.execPath, ['--max-semi-space-size=64', '--import', 'tsx', join(here, 'mcp-http-server.ts'), bench.url], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve) => child.stdout.once('data', (d: Buffer) => resolve((JSON.parse(d.toString()) as { port: number }).port)));
  const base = `http://127.0.0.1:${port}`;
  const auth = { authorization: `Bearer ${token}` };
  const mcp = {
    url: `${base}/mcp`, method: 'POST' as const,
    headers: { ...auth, 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'get_ticket' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'get_ticket', arguments: { guild_id: GUILD, ticket_id: ticket.id }, _meta: {
      'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientInfo': { name: 'bench', version: '1' }, 'io.modelcontextprotocol/clientCapabilities': {} } } }),
  };
  const rest = { url: `${base}/api/v1/guild/${GUILD}/ticket/${ticket.id}`, method: 'GET' as const, headers: auth };
  // One check that the MCP call answers what it should.
  const probe = await fetch(mcp.url, { method: 'POST', headers: mcp.headers, body: mcp.body });
  const text = await probe.text();
  if (probe.status !== 200 || !text.includes(ticket.id)) throw new Error(`MCP probe failed: ${probe.status} ${text.slice(0, 300)}`);
  try {
    for (const connections of [1, 16]) {
      const got = { mcp: [] as Array<{ rps: number; p99: number }>, rest: [] as Array<{ rps: number; p99: number }> };
      for (let r = 0; r < rounds; r++) {
        for (const [name, t] of [['mcp', mcp], ['rest', rest]] as const) {
          const res = await autocannon({ ...t, connections, duration: seconds });
          if (res.non2xx > 0 || res.errors > 0) throw new Error(`${name}: ${res.non2xx} non-2xx, ${res.errors} errors`);
          got[name].push({ rps: res.requests.average, p99: res.latency.p99 });
        }
      }
      const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
      const m = { rps: med(got.mcp.map((x) => x.rps)), p99: med(got.mcp.map((x) => x.p99)) };
      const rr = { rps: med(got.rest.map((x) => x.rps)), p99: med(got.rest.map((x) => x.p99)) };
      process.stdout.write(`${JSON.stringify({ connections, mcp_get_ticket: m, rest_get_ticket: rr, rate_ratio: +(m.rps / rr.rps).toFixed(2), p99_ratio: +(m.p99 / Math.max(rr.p99, 1)).toFixed(2), rounds: got })}\n`);
    }
  } finally {
    child.kill('SIGINT');
    await db.close();
    await bench.drop();
  }
}

void main(Number(process.argv[2] ?? 5), Number(process.argv[3] ?? 3)).catch((err: unknown) => { process.stderr.write(`${String((err as Error)?.stack ?? err)}\n`); process.exit(1); });
