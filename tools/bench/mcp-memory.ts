/**
 * MCP memory checks: heap held by 1,000 idle 2025-11-25 HTTP sessions (target < 50 MB), and heap
 * after N 2026-07-28 get_ticket calls against the heap before them (target: flat; nothing kept per
 * request). In-process, PostgreSQL bench database; run with --expose-gc:
 *   node --expose-gc --import tsx tools/bench/mcp-memory.ts [sessions] [calls]
 */
import { pino } from 'pino';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/connect.js';
import { createEngine } from '../../src/engine/index.js';
import { operatorActor } from '../../src/engine/actor.js';
import { buildHttpServer } from '../../src/http.js';
import { createBenchDatabase, seedBenchGuild } from './bench-db.js';

const GUILD = '919722116696391721';
const gc = (globalThis as { gc?: () => void }).gc;
const heapMb = () => { gc?.(); gc?.(); return process.memoryUsage().heapUsed / 1048576; };

async function main(sessions: number, calls: number): Promise<void> {
  if (!gc) throw new Error('run with node --expose-gc');
  const bench = await createBenchDatabase('tb_bench_mcpmem');
  const db = await openDatabase({ databaseUrl: bench.url });
  await seedBenchGuild(db.db, GUILD, '673578029833227305');
  const engine = createEngine(db);
  const ticket = await engine.tickets.create(operatorActor('849383430663776372'), { guild_id: GUILD, user_id: '849383430663776372', topic: 'bench' });
  const { token } = await engine.tokens.create({ name: 'bench', abilities: ['*'] });
  const http = await buildHttpServer({ config: loadConfig({ TICKETBRIDGE_RATE_LIMIT_TOKEN: '0', TICKETBRIDGE_RATE_LIMIT_IP: '0' }), logger: pino({ level: 'silent' }), database: db, engine, discord: () => ({ mode: 'off', ready: false }) });
  const url = `${await http.listen({ host: '127.0.0.1', port: 0 })}/mcp`;
  const base = { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  try {
    const before = heapMb();
    for (let i = 0; i < sessions; i++) {
      const init = await fetch(url, { method: 'POST', headers: { ...base }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'idle', version: '1' } } }) });
      await init.text();
      const sid = init.headers.get('mcp-session-id') ?? '';
      const ready = await fetch(url, { method: 'POST', headers: { ...base, 'mcp-session-id': sid, 'mcp-protocol-version': '2025-11-25' }, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) });
      await ready.text();
    }
    const idle = heapMb() - before;
    process.stdout.write(`${JSON.stringify({ idle_sessions: sessions, heap_mb: +idle.toFixed(1), per_session_kb: +((idle * 1024) / sessions).toFixed(1) })}\n`);

    const modern = { ...base, 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'get_ticket' };
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'get_ticket', arguments: { guild_id: GUILD, ticket_id: ticket.id }, _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientInfo': { name: 'b', version: '1' }, 'io.modelcontextprotocol/clientCapabilities': {} } } });
    const one = async () => { const r = await fetch(url, { method: 'POST', headers: modern, body }); await r.text(); };
    for (let i = 0; i < 500; i++) await one(); // warm
    const start = heapMb();
    const marks: number[] = [];
    for (let i = 1; i <= calls; i++) { await one(); if (i % Math.max(1, Math.floor(calls / 4)) === 0) marks.push(+(heapMb() - start).toFixed(1)); }
    process.stdout.write(`${JSON.stringify({ modern_calls: calls, heap_growth_mb_at_quarters: marks })}\n`);
  } finally {
    await http.close();
    await db.close();
    await bench.drop();
  }
}

void main(Number(process.argv[2] ?? 1000), Number(process.argv[3] ?? 20000)).catch((err: unknown) => { process.stderr.write(`${String((err as Error)?.stack ?? err)}\n`); process.exit(1); });
