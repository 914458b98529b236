/** Volvox contract: list with filters and paging, detail, stats, auth headers, errors and the 30/min/IP limit. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { z } from 'zod';
import { openDatabase } from '../../src/db/connect.js';
import { createEngine } from '../../src/engine/index.js';
import { buildHttpServer } from '../../src/http.js';
import { loadConfig } from '../../src/config.js';
import { pino } from 'pino';
import { VxTicket } from '../../src/rest/volvox/index.js';
import { describeEachDatabase } from '../support/databases.js';
import { seedGuild } from '../support/fixtures.js';
import { DEMO, request, seedDemo, startRestServer, type RestServer } from './harness.js';

const TICKET_FIELDS = ['id', 'guild_id', 'user_id', 'topic', 'status', 'thread_id', 'channel_id', 'closed_by', 'close_reason', 'created_at', 'closed_at'].sort();
const List = z.object({ tickets: z.array(VxTicket.strict()), total: z.number().int(), page: z.number().int(), limit: z.number().int() }).strict();
const Stats = z.object({ openCount: z.number().int(), avgResolutionSeconds: z.number().int(), ticketsThisWeek: z.number().int() }).strict();
const VxError = z.object({ error: z.string() });
const B = `/api/v1/guilds/${DEMO.guildId}/tickets`;
const staff = { userId: DEMO.staffId, tokenId: null, abilities: 'all' as const, guilds: null, asBot: false };

describeEachDatabase('Volvox API', (database) => {
  let s: RestServer;
  let token: string;
  const get = (path: string, headers: Record<string, string> = { 'x-api-secret': token }) => request(s.url, 'GET', path, { headers });

  beforeAll(async () => {
    await seedDemo(database());
    s = await startRestServer(database(), { TICKETBRIDGE_VOLVOX_RATE_LIMIT_IP: '0', TICKETBRIDGE_RATE_LIMIT_TOKEN: '0' });
    token = (await s.engine.tokens.create({ name: 'dashboard', abilities: ['tickets:read'], guild_ids: [DEMO.guildId] })).token;
    // 30 more tickets: #2..#31; three of Casey's, the rest Alice's; #2 and #3 closed.
    for (let i = 0; i < 30; i++) {
      await s.engine.tickets.create(staff, { guild_id: DEMO.guildId, user_id: i < 3 ? DEMO.memberId : DEMO.customerId, topic: `Topic ${i}` });
    }
    await s.engine.tickets.close(staff, { guild_id: DEMO.guildId, ticket: { ticket_id: (await s.engine.tickets.list({ guild_id: DEMO.guildId, sort: 'number', order: 'asc', page: 1, per_page: 2, status: 'open', owner_id: DEMO.memberId })).tickets[0]!.id }, reason: 'Fixed' });
  });
  afterAll(async () => { await s.close(); });

  it('lists tickets with the documented body, 25 per page by default, newest first', async () => {
    const r = await get(B);
    expect(r.status).toBe(200);
    const body = List.parse(r.body);
    expect(body).toMatchObject({ total: 31, page: 1, limit: 25 });
    expect(body.tickets).toHaveLength(25);
    expect(Object.keys((r.body as { tickets: object[] }).tickets[0]!).sort()).toEqual(TICKET_FIELDS);
    expect(body.tickets[0]!.id).toBe(31);
    expect(body.tickets.at(-1)!.id).toBe(7);
    const demo = List.parse((await get(`${B}?page=2`)).body).tickets.find((t) => t.id === 1);
    expect(demo).toMatchObject({ guild_id: DEMO.guildId, user_id: DEMO.customerId, topic: 'Cannot log in', status: 'open', channel_id: DEMO.channelId, closed_at: null });
  });

  it('filters by status and user, pages with page and limit, and caps limit at 100', async () => {
    const open = List.parse((await get(`${B}?status=open&limit=10`)).body);
    expect(open).toMatchObject({ total: 30, limit: 10, page: 1 });
    expect(open.tickets.every((t) => t.status === 'open')).toBe(true);
    const closed = List.parse((await get(`${B}?status=closed`)).body);
    expect(closed.total).toBe(1);
    expect(closed.tickets[0]).toMatchObject({ status: 'closed', user_id: DEMO.memberId, close_reason: 'Fixed', closed_by: DEMO.staffId });
    expect(closed.tickets[0]!.closed_at).not.toBeNull();
    const casey = List.parse((await get(`${B}?user=${DEMO.memberId}`)).body);
    expect(casey.total).toBe(3);
    expect(casey.tickets.every((t) => t.user_id === DEMO.memberId)).toBe(true);
    const page2 = List.parse((await get(`${B}?limit=10&page=2`)).body);
    expect(page2.tickets.map((t) => t.id)).toEqual([21, 20, 19, 18, 17, 16, 15, 14, 13, 12]);
    const capped = List.parse((await get(`${B}?limit=500`)).body);
    expect(capped.limit).toBe(100);
    expect(capped.tickets).toHaveLength(31);
    const beyond = List.parse((await get(`${B}?page=9`)).body);
    expect(beyond).toMatchObject({ tickets: [], total: 31, page: 9 });
  });

  it('returns one ticket by its integer id, 400 for a non-integer id and 404 for another guild\'s ticket', async () => {
    const r = await get(`${B}/1`);
    expect(r.status).toBe(200);
    expect(VxTicket.strict().parse(r.body)).toMatchObject({ id: 1, topic: 'Cannot log in', channel_id: DEMO.channelId });
    const bad = await get(`${B}/seven`);
    expect(bad.status).toBe(400);
    expect(VxError.parse(bad.body).error).toMatch(/ticketId/);
    expect((await get(`${B}/7.5`)).status).toBe(400);
    expect((await get(`${B}/999`)).status).toBe(404);
    // Any integer is a well-formed id: one that names no ticket is 404, however large, zero or negative.
    for (const id of ['987654321987', '0', '-3', '2147483648', '99999999999999999999999']) {
      const none = await get(`${B}/${id}`);
      expect(none.status, `${id}: ${none.text}`).toBe(404);
      expect(VxError.strict().parse(none.body).error).toMatch(new RegExp(`No ticket #${id} in guild ${DEMO.guildId}`));
    }
    // Guild B has a ticket #40; guild A has none with that number.
    const other = await seedGuild(database().db);
    for (let i = 0; i < 40; i++) await s.engine.tickets.create(staff, { guild_id: other.guildId, user_id: DEMO.customerId });
    const both = (await s.engine.tokens.create({ abilities: ['tickets:read'], guild_ids: [DEMO.guildId, other.guildId] })).token;
    expect((await get(`/api/v1/guilds/${other.guildId}/tickets/40`, { 'x-api-secret': both })).status).toBe(200);
    const foreign = await get(`${B}/40`, { 'x-api-secret': both });
    expect(foreign.status).toBe(404);
    expect(VxError.parse(foreign.body).error).toMatch(/No ticket #40/);
  });

  it('returns the documented stats', async () => {
    const r = await get(`${B}/stats`);
    expect(r.status).toBe(200);
    const st = Stats.parse(r.body);
    expect(st.openCount).toBe(30);
    expect(st.ticketsThisWeek).toBe(31);
    expect(st.avgResolutionSeconds).toBeGreaterThanOrEqual(0);
  });

  it('accepts the token as x-api-secret or Bearer, and refuses a missing, unknown or out-of-scope one', async () => {
    expect((await get(B, { authorization: `Bearer ${token}` })).status).toBe(200);
    const none = await get(B, {});
    expect(none.status).toBe(401);
    VxError.parse(none.body);
    expect((await get(B, { 'x-api-secret': 'tb_not-a-token' })).status).toBe(401);
    const other = await seedGuild(database().db);
    const scoped = (await s.engine.tokens.create({ abilities: ['tickets:read'], guild_ids: [other.guildId] })).token;
    const out = await get(B, { 'x-api-secret': scoped });
    expect(out.status).toBe(403);
    expect(VxError.parse(out.body).error).toMatch(/no access to guild/);
  });

  it('answers bad query values with 400 naming them, and an unknown guild with 404', async () => {
    const r = await get(`${B}?status=pending&limit=ten`);
    expect(r.status).toBe(400);
    const body = z.object({ error: z.string(), details: z.array(z.object({ path: z.string(), message: z.string() })) }).parse(r.body);
    expect(body.details.map((d) => d.path).sort()).toEqual(['limit', 'status']);
    const admin = (await s.engine.tokens.create({ abilities: ['*'] })).token;
    const unknown = await get('/api/v1/guilds/987654321/tickets?status=open&limit=10', { 'x-api-secret': admin });
    expect(unknown.status).toBe(404);
    expect(VxError.parse(unknown.body).error).toMatch(/Unknown guild 987654321/);
  });

  it('allows 30 requests per minute per IP by default, then 429 with Retry-After', async () => {
    const limited = await startRestServer(database());
    try {
      let last = await request(limited.url, 'GET', B, { headers: { 'x-api-secret': token } });
      expect(last.headers.get('x-ratelimit-limit')).toBe('30');
      expect(last.headers.get('x-ratelimit-remaining')).toBe('29');
      for (let i = 1; i < 30; i++) last = await request(limited.url, 'GET', `${B}/stats`, { headers: { 'x-api-secret': token } });
      expect(last.status).toBe(200);
      expect(last.headers.get('x-ratelimit-remaining')).toBe('0');
      const over = await request(limited.url, 'GET', B, { headers: { 'x-api-secret': token } });
      expect(over.status).toBe(429);
      expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(Number(over.headers.get('x-ratelimit-reset'))).toBeGreaterThan(0);
      expect(VxError.parse(over.body).error).toMatch(/Too many requests/);
      // The limit is per IP: even a request without a token counts and is refused.
      expect((await request(limited.url, 'GET', B)).status).toBe(429);
    } finally { await limited.close(); }
  });
});

it('answers 503 when the database is unavailable', async () => {
  const database = await openDatabase({ databaseUrl: 'postgres://postgres@127.0.0.1:1/none', migrate: false, poolSize: 1 });
  const engine = createEngine(database);
  const http = await buildHttpServer({ config: loadConfig({}), logger: pino({ level: 'silent' }), database, engine, discord: () => ({ mode: 'off', ready: false }) });
  const url = await http.listen({ host: '127.0.0.1', port: 0 });
  try {
    const r = await request(url, 'GET', `${B}/7`, { headers: { 'x-api-secret': 'tb_anything' } });
    expect(r.status).toBe(503);
    expect(VxError.parse(r.body).error).toMatch(/database is unavailable/);
  } finally { await http.close(); await database.close(); }
});
