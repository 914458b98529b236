/**
 * ticketbridge's own HTTP API: every catalogue operation at POST /api/ticketbridge/v1/{operation}
 * with the operation's input as the body, answered with its output; errors as {error: {code,
 * message, fields}}; Idempotency-Key; listed in /openapi.json.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { catalogue } from '../../src/operations/index.js';
import { describeEachDatabase } from '../support/databases.js';
import { DEMO, request, seedDemo, startRestServer, type RestServer } from './harness.js';

const B = '/api/ticketbridge/v1';

describeEachDatabase('ticketbridge API', (database) => {
  let s: RestServer;
  let token: string;
  const call = (op: string, body: unknown, headers: Record<string, string> = {}) => request(s.url, 'POST', `${B}/${op}`, { token, body, headers });
  beforeAll(async () => {
    await seedDemo(database());
    s = await startRestServer(database(), { TICKETBRIDGE_RATE_LIMIT_IP: '0', TICKETBRIDGE_RATE_LIMIT_TOKEN: '0' });
    token = (await s.engine.tokens.create({ abilities: ['*'], user_id: DEMO.staffId })).token;
  });
  afterAll(async () => { await s.close(); });

  it('runs a ticket through operations over plain HTTP: open, find it in the queue waiting on staff, claim, close', async () => {
    const opened = await call('create_ticket', { guild_id: DEMO.guildId, user_id: DEMO.customerId, topic: 'Over HTTP' });
    expect(opened.status).toBe(200);
    const t = opened.body as { id: string; number: number; waiting_on: string; status: string };
    expect(t).toMatchObject({ status: 'open', waiting_on: 'staff' });
    const queue = await call('list_tickets', { guild_id: DEMO.guildId, waiting_on: 'staff', sort: 'waiting_since', order: 'asc', per_page: 100 });
    expect((queue.body as { tickets: Array<{ id: string }> }).tickets.map((x) => x.id)).toContain(t.id);
    expect((await call('claim_ticket', { guild_id: DEMO.guildId, ticket_id: t.id })).body).toMatchObject({ assigned_id: DEMO.staffId });
    expect((await call('close_ticket', { guild_id: DEMO.guildId, ticket_id: t.id, reason: 'Done' })).body).toMatchObject({ status: 'closed', closed_reason: 'Done', waiting_on: null });
    expect((await call('get_ticket', { guild_id: DEMO.guildId, ticket_id: t.id })).body).toMatchObject({ id: t.id, status: 'closed' });
  });

  it('answers mistakes in its own error shape: schema errors 400 naming the field, engine refusals with their code, unknown operations 404', async () => {
    const bad = await call('create_ticket', { guild_id: DEMO.guildId, user_id: 'alice' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { code: 'bad_request', fields: [{ path: 'user_id' }] } });
    const unknownField = await call('get_ticket', { guild_id: DEMO.guildId, ticket_id: DEMO.ticketId, colour: 'red' });
    expect(unknownField.status).toBe(400);
    expect(JSON.stringify(unknownField.body)).toContain('colour');
    const missing = await call('get_ticket', { guild_id: DEMO.guildId, ticket_id: '1441604990945854009' });
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: { code: 'not_found' } });
    const t = (await call('create_ticket', { guild_id: DEMO.guildId, user_id: DEMO.memberId })).body as { id: string };
    expect((await call('close_ticket', { guild_id: DEMO.guildId, ticket_id: t.id })).status).toBe(200);
    const again = await call('close_ticket', { guild_id: DEMO.guildId, ticket_id: t.id });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ error: { code: 'conflict', message: expect.stringMatching(/already closed.*reopen_ticket/) } });
    const nothing = await call('explode_ticket', { guild_id: DEMO.guildId });
    expect(nothing.status).toBe(404);
    expect(nothing.body).toMatchObject({ error: { code: 'no_route', message: expect.stringContaining('/openapi.json') } });
    const anonymous = await request(s.url, 'POST', `${B}/list_guilds`, { body: {} });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toMatchObject({ error: { code: 'unauthorized' } });
  });

  it('replays a create sent twice with one Idempotency-Key instead of opening two tickets', async () => {
    const key = { 'idempotency-key': 'open-once-1' };
    const first = await call('create_ticket', { guild_id: DEMO.guildId, user_id: DEMO.memberId, topic: 'Once' }, key);
    const second = await call('create_ticket', { guild_id: DEMO.guildId, user_id: DEMO.memberId, topic: 'Once' }, key);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect((second.body as { id: string }).id).toBe((first.body as { id: string }).id);
  });

  it('lists every operation in /openapi.json', async () => {
    const doc = (await request(s.url, 'GET', '/openapi.json')).body as { paths: Record<string, { post?: { requestBody?: unknown } }> };
    for (const op of catalogue) expect(doc.paths[`${B}/${op.name}`]?.post, op.name).toBeDefined();
  });
});
