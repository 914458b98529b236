/**
 * NoteTicketing contract (document 004) over real HTTP: guilds, config and monitored channels, action
 * items (filters, sort, paging), status, analytics and stats, member permissions that narrow a
 * member's token, the privacy audit, JSON and CSV export, rate-limit headers and the error envelope.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { z } from 'zod';
import { NtError } from '../../src/rest/noteticketing/index.js';
import { describeEachDatabase } from '../support/databases.js';
import { DEMO, dbFingerprint, request, seedDemo, startRestServer, type RestServer } from './harness.js';

const G = `/v1/guilds/${DEMO.guildId}`;
const TRANSCRIPTS = '1441604990945853510';
const Item = z.object({
  id: z.string(), guild_id: z.string(), channel_id: z.string(), channel_name: z.string().nullable(), summary: z.string().nullable(), text: z.string(),
  priority: z.enum(['low', 'medium', 'high']), category: z.string(), status: z.string(), assigned_to: z.string().nullable(), created_at: z.string(), updated_at: z.string(),
}).strict();
type ItemT = z.infer<typeof Item>;

describeEachDatabase('NoteTicketing API', (database) => {
  let s: RestServer;
  let admin: string;
  const call = (method: string, path: string, body?: unknown, token = admin) => request(s.url, method, path, { token, body });
  const failure = (r: { status: number; body: unknown }, status: number, code: string) => {
    expect(r.status, JSON.stringify(r.body)).toBe(status);
    const e = NtError.strict().parse(r.body).error;
    expect(e.code).toBe(code);
    expect(e.request_id).toMatch(/^req_/);
    expect(Number.isNaN(Date.parse(e.timestamp))).toBe(false);
    return e;
  };

  beforeAll(async () => {
    await seedDemo(database());
    s = await startRestServer(database(), { TICKETBRIDGE_RATE_LIMIT_IP: '0' });
    admin = (await s.engine.tokens.create({ name: 'integration', abilities: ['*'], user_id: DEMO.staffId })).token;
  });
  afterAll(async () => { await s.close(); });

  it('lists guilds with member count and monitoring state, and sends X-RateLimit headers', async () => {
    const r = await call('GET', '/v1/guilds');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      guilds: [{ id: DEMO.guildId, name: 'TicketBridge Demo', icon: null, member_count: 3, bot_permissions: [], active: true, created_at: expect.any(String) }],
      total: 1,
    });
    // 1,000 requests an hour per key, as the document's standard plan says.
    expect(r.headers.get('x-ratelimit-limit')).toBe('1000');
    expect(Number(r.headers.get('x-ratelimit-remaining'))).toBeLessThan(1000);
    // The reset is a Unix time here, as the document's example shows (1640995200), within the hour.
    const reset = Number(r.headers.get('x-ratelimit-reset'));
    expect(reset).toBeGreaterThan(Date.now() / 1000);
    expect(reset).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + 3600);
    expect((await call('GET', G)).body).toMatchObject({ id: DEMO.guildId, member_count: 3 });
    failure(await call('GET', '/v1/guilds/123456789'), 404, 'NOT_FOUND');
    failure(await request(s.url, 'GET', '/v1/guilds'), 401, 'UNAUTHORIZED');
    failure(await call('GET', `${G}/nothing-here`), 404, 'NOT_FOUND');
  });

  it('lists the guilds of any valid key, and only the guilds it covers', async () => {
    const readerOfDemo = (await s.engine.tokens.create({ abilities: ['action_items:read'], guild_ids: [DEMO.guildId] })).token;
    const r = await call('GET', '/v1/guilds', undefined, readerOfDemo);
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({ total: 1, guilds: [{ id: DEMO.guildId }] });
    expect((await call('GET', G, undefined, readerOfDemo)).body).toMatchObject({ id: DEMO.guildId });
    const elsewhere = (await s.engine.tokens.create({ abilities: ['tickets:read'], guild_ids: ['1441604990945859999'] })).token;
    expect((await call('GET', '/v1/guilds', undefined, elsewhere)).body).toEqual({ guilds: [], total: 0 });
    failure(await call('GET', G, undefined, elsewhere), 403, 'FORBIDDEN');
  });

  it('counts requests per API key per hour, apart from the other APIs\' per-token window, then 429 RATE_LIMIT_EXCEEDED', async () => {
    const limited = await startRestServer(database(), { TICKETBRIDGE_RATE_LIMIT_IP: '0', TICKETBRIDGE_NOTETICKETING_RATE_LIMIT_HOUR: '3', TICKETBRIDGE_RATE_LIMIT_TOKEN: '2' });
    try {
      const key = (await s.engine.tokens.create({ name: 'hourly', abilities: ['*'], user_id: DEMO.staffId })).token;
      const remaining: string[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await request(limited.url, 'GET', '/v1/guilds', { token: key });
        expect(r.status).toBe(200);
        expect(r.headers.get('x-ratelimit-limit')).toBe('3');
        remaining.push(r.headers.get('x-ratelimit-remaining') ?? '');
      }
      // Three calls went past the other APIs' limit of 2: the hourly count is the one that applies here.
      expect(remaining).toEqual(['2', '1', '0']);
      const over = await request(limited.url, 'GET', G, { token: key });
      const e = failure(over, 429, 'RATE_LIMIT_EXCEEDED');
      expect(e.message).toMatch(/at most 3 per hour/);
      expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(60);
      expect(Number(over.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000 + 60);
      // The same key still has its own window on the other APIs, untouched by these calls.
      const other = await request(limited.url, 'GET', `/api/v1/guild/${DEMO.guildId}/ticket/${DEMO.ticketId}`, { token: key });
      expect(other.status).toBe(200);
      expect(other.headers.get('x-ratelimit-limit')).toBe('2');
      expect(other.headers.get('x-ratelimit-remaining')).toBe('1');
      // Another key has its own hour (a fresh one: counts live in the database, shared with this file's other server).
      const another = (await s.engine.tokens.create({ name: 'another', abilities: ['*'], user_id: DEMO.staffId })).token;
      const first = await request(limited.url, 'GET', '/v1/guilds', { token: another });
      expect(first.status).toBe(200);
      expect(first.headers.get('x-ratelimit-remaining')).toBe('2');
    } finally { await limited.close(); }
  });

  it('reads the default config, changes it, and monitors and unmonitors channels', async () => {
    expect((await call('GET', `${G}/config`)).body).toMatchObject({
      guild_id: DEMO.guildId, active: true, privacy_mode_enabled: false, channels_to_monitor: [], todo_channel_id: null,
      sweep_output_channel_id: null, sweep_interval_hours: 6, last_sweep_time: null,
    });
    const patched = await call('PATCH', `${G}/config`, { channels_to_monitor: [DEMO.channelId], sweep_output_channel_id: TRANSCRIPTS, sweep_interval_hours: 4 });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ channels_to_monitor: [DEMO.channelId], sweep_output_channel_id: TRANSCRIPTS, sweep_interval_hours: 4, active: true });

    const before = await dbFingerprint(database());
    const bad = failure(await call('PATCH', `${G}/config`, { todo_channel_id: '1441604990945853490' }), 400, 'VALIDATION_ERROR');
    expect(bad.details).toMatchObject({ field: 'todo_channel_id', issue: expect.stringMatching(/must be a text channel/) });
    failure(await call('PATCH', `${G}/config`, { sweep_interval_hours: 0 }), 400, 'VALIDATION_ERROR');
    failure(await call('PATCH', `${G}/config`, { colour: 'red' }), 400, 'VALIDATION_ERROR');
    expect(await dbFingerprint(database())).toBe(before);

    const channels = await call('GET', `${G}/channels`);
    expect(channels.body).toEqual({ channels: [
      { id: DEMO.channelId, name: 'ticket-0001', type: 'text', position: 0, monitored: true, output_channel: false },
      { id: TRANSCRIPTS, name: 'transcripts', type: 'text', position: 0, monitored: false, output_channel: true },
    ] });
    expect((await call('POST', `${G}/channels/monitor`, { channel_id: TRANSCRIPTS })).body).toMatchObject({ channels_to_monitor: [DEMO.channelId, TRANSCRIPTS] });
    failure(await call('POST', `${G}/channels/monitor`, { channel_id: TRANSCRIPTS }), 409, 'CONFLICT');
    failure(await call('POST', `${G}/channels/monitor`, { channel_id: '1441604990945853999' }), 400, 'VALIDATION_ERROR');
    expect((await call('DELETE', `${G}/channels/monitor/${TRANSCRIPTS}`)).body).toMatchObject({ channels_to_monitor: [DEMO.channelId] });
    failure(await call('DELETE', `${G}/channels/monitor/${TRANSCRIPTS}`), 404, 'NOT_FOUND');
    expect((await call('GET', `${G}/sweep/status`)).body).toEqual({
      guild_id: DEMO.guildId, active: true, interval_hours: 4, last_sweep_time: null, next_sweep_time: expect.any(String),
      output_channel_id: TRANSCRIPTS, monitored_channels: 1, total_action_items: 0,
    });
  });

  it('creates, lists, filters, sorts, pages, updates and deletes action items', async () => {
    const created: ItemT[] = [];
    for (const [text, priority, category] of [['Write the FAQ', 'low', 'docs'], ['Fix login', 'high', 'bug'], ['Plan the sync', 'medium', 'meeting'], ['Renew domain', undefined, undefined]] as const) {
      const r = await call('POST', `${G}/action-items`, { channel_id: DEMO.channelId, text, ...(priority ? { priority } : {}), ...(category ? { category } : {}), assigned_to: 'user123' });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      created.push(Item.parse(r.body));
    }
    expect(created[3]).toMatchObject({ priority: 'medium', category: 'general', status: 'pending', channel_name: 'ticket-0001', assigned_to: 'user123', summary: null });
    failure(await call('POST', `${G}/action-items`, { channel_id: DEMO.channelId, text: 'x', priority: 'urgent' }), 400, 'VALIDATION_ERROR');
    failure(await call('POST', `${G}/action-items`, { text: 'no channel' }), 400, 'VALIDATION_ERROR');

    const list = await call('GET', `${G}/action-items`);
    expect(list.body).toMatchObject({ total: 4, limit: 50, offset: 0 });
    expect((list.body as { action_items: ItemT[] }).action_items.map((i) => i.text)).toEqual(['Renew domain', 'Plan the sync', 'Fix login', 'Write the FAQ']);
    const byPriority = await call('GET', `${G}/action-items?sort=priority&order=desc&limit=2&offset=1`);
    expect(byPriority.body).toMatchObject({ total: 4, limit: 2, offset: 1 });
    expect((byPriority.body as { action_items: ItemT[] }).action_items.map((i) => i.text)).toEqual(['Renew domain', 'Plan the sync']);
    expect((await call('GET', `${G}/action-items?priority=high`)).body).toMatchObject({ total: 1, action_items: [{ text: 'Fix login' }] });
    expect((await call('GET', `${G}/action-items?limit=500`)).body).toMatchObject({ limit: 100 });
    failure(await call('GET', `${G}/action-items?status=done`), 400, 'VALIDATION_ERROR');
    failure(await call('GET', `${G}/action-items?limit=ten`), 400, 'VALIDATION_ERROR');

    const fix = created[1]!;
    const put = await call('PUT', `${G}/action-items/${fix.id}`, { text: 'Fix login - UPDATED', priority: 'medium', status: 'in_progress', assigned_to: 'user456' });
    expect(put.body).toMatchObject({ id: fix.id, text: 'Fix login - UPDATED', priority: 'medium', status: 'in_progress', assigned_to: 'user456', category: 'bug' });
    failure(await call('PUT', `${G}/action-items/${fix.id}`, {}), 400, 'VALIDATION_ERROR');
    expect((await call('PATCH', `${G}/action-items/${fix.id}/status`, { status: 'completed' })).body).toMatchObject({ status: 'completed' });
    expect((await call('GET', `${G}/action-items/${fix.id}`)).body).toMatchObject({ status: 'completed', text: 'Fix login - UPDATED' });
    expect((await call('GET', `${G}/action-items?status=completed`)).body).toMatchObject({ total: 1 });

    const analytics = await call('GET', `${G}/analytics/action-items?period=30d`);
    expect(analytics.body).toEqual({
      guild_id: DEMO.guildId, period: '30d', by_priority: { high: 0, medium: 3, low: 1 }, by_category: { bug: 1, docs: 1, general: 1, meeting: 1 },
      by_status: { pending: 3, in_progress: 0, completed: 1, archived: 0 }, completion_rate: 0.25,
    });
    const activity = (await call('GET', `${G}/analytics?period=7d`)).body as { trends: { action_items_per_day: number[]; days: string[] }; summary: Record<string, number> };
    expect(activity.trends.days).toHaveLength(7);
    expect(activity.trends.action_items_per_day.at(-1)).toBe(4);
    expect(activity.summary).toEqual({ total_messages_processed: 0, total_action_items: 4, sweeps_executed: 0, channels_monitored: 1 });
    expect((await call('GET', `${G}/stats`)).body).toEqual({
      guild_id: DEMO.guildId, period: '7d', messages_processed: 0, action_items_created: 4, action_items_completed: 1, completion_rate: 0.25, sweeps_executed: 0, channels_monitored: 1,
    });
    failure(await call('GET', `${G}/analytics?period=2w`), 400, 'VALIDATION_ERROR');

    expect((await call('DELETE', `${G}/action-items/${created[0]!.id}`)).body).toEqual({ deleted: true, id: created[0]!.id });
    failure(await call('GET', `${G}/action-items/${created[0]!.id}`), 404, 'NOT_FOUND');
    failure(await call('DELETE', `${G}/action-items/${created[0]!.id}`), 404, 'NOT_FOUND');
    const audit = await call('GET', `${G}/privacy/audit?action=data_deletion`);
    expect(audit.body).toMatchObject({ total: 1, audit_logs: [{ action: 'data_deletion', user_id: DEMO.staffId, details: `Deleted action item ${created[0]!.id}`, ip_address: '127.0.0.1' }] });
  });

  it("answers ids in another format than ours (the document's abc123def456, user123) with 404 NOT_FOUND, writing nothing", async () => {
    const before = await dbFingerprint(database());
    const cases: Array<[string, string, unknown?]> = [
      ['GET', `${G}/action-items/abc123def456`], ['PUT', `${G}/action-items/abc123def456`, { text: 'Schedule follow-up meeting with team - UPDATED' }],
      ['DELETE', `${G}/action-items/abc123def456`], ['PATCH', `${G}/action-items/abc123def456/status`, { status: 'completed' }],
      ['GET', `${G}/users/user123/permissions`], ['PUT', `${G}/users/user123/permissions`, { permissions: { can_trigger_sweeps: true } }],
      ['DELETE', `${G}/channels/monitor/general`],
    ];
    for (const [method, path, body] of cases) {
      const e = failure(await call(method, path, body), 404, 'NOT_FOUND');
      expect(e.message, `${method} ${path}`).toMatch(/(abc123def456|user123|general) doesn't exist in guild/);
    }
    // A well-formed id of ours that names nothing is the same 404; a malformed body is still a 400.
    failure(await call('GET', `${G}/action-items/1441604990945853999`), 404, 'NOT_FOUND');
    failure(await call('PATCH', `${G}/action-items/abc123def456/status`, { status: 'done' }), 400, 'VALIDATION_ERROR');
    expect(await dbFingerprint(database())).toBe(before);
  });

  it('gives every error a request_id of its own, unique across server processes and restarts', async () => {
    const ids = new Set<string>();
    const collect = async (url: string) => {
      for (let i = 0; i < 5; i++) {
        const e = NtError.parse((await request(url, 'GET', `${G}/action-items/abc123def456`, { token: admin })).body).error;
        expect(e.request_id).toMatch(/^req_[0-9a-z]{20,}$/);
        expect(e.request_id).not.toMatch(/^req_req/);
        ids.add(e.request_id);
      }
    };
    await collect(s.url);
    // A second server (as after a restart, or another replica) counts nothing from 1 again.
    const second = await startRestServer(database(), { TICKETBRIDGE_RATE_LIMIT_IP: '0' });
    try { await collect(second.url); } finally { await second.close(); }
    expect(ids.size).toBe(10);
  });

  it('audits reads in privacy mode and the toggle itself', async () => {
    const before = ((await call('GET', `${G}/privacy/audit`)).body as { total: number }).total;
    await call('PATCH', `${G}/config`, { privacy_mode_enabled: true });
    await call('GET', `${G}/action-items`);
    const audit = (await call('GET', `${G}/privacy/audit?limit=2`)).body as { total: number; audit_logs: Array<{ action: string; details: string }> };
    expect(audit.total).toBe(before + 2);
    expect(audit.audit_logs.map((a) => a.action)).toEqual(['data_access', 'privacy_toggle']);
    expect(audit.audit_logs[1]!.details).toBe('Privacy mode turned on');
    await call('PATCH', `${G}/config`, { privacy_mode_enabled: false });
    await call('GET', `${G}/action-items`);
    expect(((await call('GET', `${G}/privacy/audit?action=data_access`)).body as { total: number }).total).toBe(1);
  });

  it("stores member permissions that narrow that member's own token", async () => {
    expect((await call('GET', `${G}/users/${DEMO.memberId}/permissions`)).body).toEqual({
      user_id: DEMO.memberId, guild_id: DEMO.guildId, roles: [],
      permissions: { can_configure_bot: true, can_manage_action_items: true, can_view_analytics: true, can_trigger_sweeps: true },
    });
    const put = await call('PUT', `${G}/users/${DEMO.memberId}/permissions`, { permissions: { can_manage_action_items: false, can_view_analytics: false } });
    expect(put.body).toMatchObject({ permissions: { can_configure_bot: true, can_manage_action_items: false, can_view_analytics: false, can_trigger_sweeps: true } });
    expect((await call('GET', `${G}/users/${DEMO.staffId}/permissions`)).body).toMatchObject({ roles: ['Support Staff'] });

    const member = (await s.engine.tokens.create({ name: 'casey', abilities: ['action_items:read', 'action_items:write', 'guild:read'], user_id: DEMO.memberId })).token;
    const refused = failure(await call('POST', `${G}/action-items`, { channel_id: DEMO.channelId, text: 'x' }, member), 403, 'FORBIDDEN');
    expect(refused.message).toMatch(/can_manage_action_items is off/);
    failure(await call('GET', `${G}/analytics`, undefined, member), 403, 'FORBIDDEN');
    expect((await call('GET', `${G}/action-items`, undefined, member)).status).toBe(200);
    // Admin tokens are never narrowed.
    await call('PUT', `${G}/users/${DEMO.staffId}/permissions`, { permissions: { can_manage_action_items: false } });
    expect((await call('POST', `${G}/action-items`, { channel_id: DEMO.channelId, text: 'still allowed' })).status).toBe(201);
    // A token without the ability is refused before any permission check.
    const reader = (await s.engine.tokens.create({ name: 'reader', abilities: ['guild:read'], user_id: DEMO.customerId })).token;
    failure(await call('GET', `${G}/action-items`, undefined, reader), 403, 'FORBIDDEN');
  });

  it('exports as JSON and as CSV that a spreadsheet cannot execute', async () => {
    await call('POST', `${G}/action-items`, { channel_id: DEMO.channelId, text: '=HYPERLINK("http://evil")', summary: 'quote "this", please' });
    const json = await call('GET', `${G}/export?include_audit=true`);
    expect(json.status).toBe(200);
    const doc = json.body as { action_items: ItemT[]; audit_logs: Array<{ details: string }>; config: Record<string, unknown>; permissions: unknown[] };
    expect(doc.config).toMatchObject({ channels_to_monitor: [DEMO.channelId], sweep_interval_hours: 4 });
    expect(doc.action_items.length).toBeGreaterThanOrEqual(5);
    expect(doc.permissions).toHaveLength(2);
    expect(doc.audit_logs.at(-1)!.details).toMatch(/^Exported guild data/);
    expect((await call('GET', `${G}/export`)).body).not.toHaveProperty('audit_logs');

    const csv = await call('GET', `${G}/export?format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toBe(`attachment; filename="action-items-${DEMO.guildId}.csv"`);
    const lines = csv.text.trimEnd().split('\r\n');
    expect(lines[0]).toBe('id,guild_id,channel_id,channel_name,summary,text,priority,category,status,assigned_to,created_at,updated_at');
    expect(lines).toHaveLength(doc.action_items.length + 1);
    expect(csv.text).toContain(`,"quote ""this"", please","'=HYPERLINK(""http://evil"")",medium,general,pending,,`);
    failure(await call('GET', `${G}/export?format=xml`), 400, 'VALIDATION_ERROR');
  });

  it('answers a sweep trigger with 503 while Discord is not connected, recording nothing', async () => {
    const before = ((await call('GET', `${G}/sweep/history`)).body as { total: number }).total;
    const e = failure(await call('POST', `${G}/sweep/trigger`, { force: true }), 503, 'SERVICE_UNAVAILABLE');
    expect(e.message).toMatch(/not connected to Discord/);
    expect((await call('GET', `${G}/sweep/history`)).body).toMatchObject({ total: before, limit: 20, offset: 0 });
    const bad = failure(await call('POST', `${G}/sweep/trigger`, { channel_ids: [TRANSCRIPTS] }), 400, 'VALIDATION_ERROR');
    expect(bad.details).toMatchObject({ field: 'channel_ids.0', issue: `channel ${TRANSCRIPTS} is not monitored` });
  });
});
