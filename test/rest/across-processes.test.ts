/**
 * A client's REST allowance is the same with one process or several: two real `serve` processes on
 * one PostgreSQL, requests alternating between them, each limit holds in total, with the same
 * X-RateLimit headers and 429 answers a single process gives.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connect.js';
import { createEngine, type Engine } from '../../src/engine/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { clonePostgres, postgresAvailable, type TestDatabase } from '../support/databases.js';
import { serveProcess, type ServeProcess } from '../support/two-processes.js';
import { pino } from 'pino';
import { request, type Reply } from './harness.js';

describe.skipIf(!postgresAvailable())('REST rate limits across processes [postgres]', () => {
  let test: TestDatabase;
  let database: Database;
  let engine: Engine;
  let sandbox: Sandbox;
  let servers: ServeProcess[] = [];
  const limits = { TICKETBRIDGE_RATE_LIMIT_TOKEN: '30', TICKETBRIDGE_RATE_LIMIT_IP: '60', TICKETBRIDGE_VOLVOX_RATE_LIMIT_IP: '12', TICKETBRIDGE_NOTETICKETING_RATE_LIMIT_HOUR: '10' };

  beforeAll(async () => {
    test = await clonePostgres();
    database = await test.open();
    engine = createEngine(database);
    sandbox = await startSandbox({ rateLimits: false, logger: pino({ level: 'silent' }) });
    servers = await Promise.all([0, 1].map(() => serveProcess(test.url!, sandbox, limits)));
    // The processes sync the sandbox's guild on start; the routes below read it.
    for (let i = 0; !(await database.db.selectFrom('guilds').select('id').where('id', '=', sandbox.demo.guildId).executeTakeFirst()); i++) {
      if (i > 300) throw new Error('the guild was never synced');
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 60_000);
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await sandbox?.close();
    await database?.close();
    await test?.drop();
  });

  const newToken = async () => (await engine.tokens.create({ abilities: ['*'], user_id: sandbox.demo.ownerId })).token;

  /** `n` requests, the i-th to process i mod 2, one after another. */
  async function alternate(n: number, send: (base: string, i: number) => Promise<Reply>): Promise<Reply[]> {
    const out: Reply[] = [];
    for (let i = 0; i < n; i++) out.push(await send(servers[i % servers.length]!.url, i));
    return out;
  }
  const passed = (rs: Reply[]) => rs.filter((r) => r.status !== 429);

  it('per token: 30 of 45 requests pass a limit of 30, the count runs down across both processes, then 429 with Retry-After', async () => {
    const token = await newToken();
    const rs = await alternate(45, (base) => request(base, 'POST', `/api/ticketbridge/v1/get_guild`, { token, body: { guild_id: sandbox.demo.guildId } }));
    expect(passed(rs)).toHaveLength(30);
    expect(rs.slice(0, 30).map((r) => r.status), rs[0]!.text).toEqual(Array.from({ length: 30 }, () => 200));
    expect(rs.slice(0, 30).map((r) => r.headers.get('x-ratelimit-remaining'))).toEqual(Array.from({ length: 30 }, (_, i) => String(29 - i)));
    for (const over of rs.slice(30)) {
      expect(over.status).toBe(429);
      expect(over.headers.get('x-ratelimit-limit')).toBe('30');
      expect(over.headers.get('x-ratelimit-remaining')).toBe('0');
      expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((over.body as { error: { code: string; message: string } }).error).toMatchObject({ code: 'rate_limited', message: expect.stringMatching(/with this API token: at most 30 per minute/) });
    }
  });

  it('per IP (Ticketeer): 60 of 75 requests pass however many tokens the client spreads them over', async () => {
    const tokens = await Promise.all([0, 1, 2, 3, 4].map(() => newToken()));
    const rs = await alternate(75, (base, i) => request(base, 'GET', `/api/v1/guild/${sandbox.demo.guildId}/ticket/1437562719124598487`, { token: tokens[i % 5] }));
    expect(passed(rs)).toHaveLength(60);
    const over = rs[74]!;
    expect(over.status).toBe(429);
    expect((over.body as { message: string }).message).toMatch(/from this IP address/);
  });

  it('Volvox per IP: 12 of 18 pass, then its own 429 shape', async () => {
    const token = await newToken();
    const rs = await alternate(18, (base) => request(base, 'GET', `/api/v1/guilds/${sandbox.demo.guildId}/tickets`, { headers: { 'x-api-secret': token } }));
    expect(passed(rs)).toHaveLength(12);
    expect(rs[11]!.headers.get('x-ratelimit-remaining')).toBe('0');
    const over = rs[12]!;
    expect(over.status).toBe(429);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((over.body as { error: string }).error).toMatch(/Too many requests/);
  });

  it('NoteTicketing per key per hour: 10 of 15 pass, then RATE_LIMIT_EXCEEDED with the reset as a Unix time', async () => {
    const key = await newToken();
    const rs = await alternate(15, (base) => request(base, 'GET', '/v1/guilds', { token: key }));
    expect(passed(rs)).toHaveLength(10);
    expect(rs.slice(0, 10).map((r) => r.headers.get('x-ratelimit-remaining'))).toEqual(['9', '8', '7', '6', '5', '4', '3', '2', '1', '0']);
    const over = rs[10]!;
    expect(over.status).toBe(429);
    expect((over.body as { error: { code: string; message: string } }).error).toMatchObject({ code: 'RATE_LIMIT_EXCEEDED', message: expect.stringMatching(/at most 10 per hour/) });
    expect(Number(over.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000 + 60);
  });
});
