/** Husqy contract: every endpoint of document 002, its envelope and its error names. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { z } from 'zod';
import { HqEntry, HqError } from '../../src/rest/husqy/schemas.js';
import { describeEachDatabase } from '../support/databases.js';
import { seedGuild } from '../support/fixtures.js';
import { DEMO, insertDemoTicket, request, seedDemo, startRestServer, type RestServer } from './harness.js';

const M = '/modules/tickets';
const G = DEMO.guildId;
const Ok = <T extends z.ZodType>(data: T) => z.object({ success: z.literal(true), data, error: z.object({}).strict() }).strict();
const Entry = Ok(HqEntry.strict());
type Panel = { id: string; group_id: string | null; options: Array<{ id: string }>; panel_type: string };

describeEachDatabase('Husqy API', (database) => {
  let s: RestServer;
  let token: string;
  /** Husqy sends guild ids as JSON integers; the raw body keeps them that way. */
  const send = (method: string, path: string, body: Record<string, unknown>, t: string | undefined = token) =>
    request(s.url, method, path, { token: t, raw: JSON.stringify(body).replace(/"guild_id":"(\d+)"/, '"guild_id":$1') });
  const get = (path: string, t: string | undefined = token) => request(s.url, 'GET', path, { token: t });
  const fails = (r: { status: number; body: unknown }, status: number, name: string) => {
    expect(r.status, JSON.stringify(r.body)).toBe(status);
    const e = HqError.strict().parse(r.body);
    expect(e.error).toMatchObject({ code: status, name });
    return e.error.message;
  };
  const jobs = async (kind: string) => database().db.selectFrom('discord_jobs').select(['kind', 'payload', 'ticket_id']).where('kind', '=', kind).orderBy('id').execute();

  beforeAll(async () => {
    await seedDemo(database());
    s = await startRestServer(database(), { TICKETBRIDGE_RATE_LIMIT_TOKEN: '0', TICKETBRIDGE_RATE_LIMIT_IP: '0' });
    token = (await s.engine.tokens.create({ name: 'husqy', abilities: ['*'], user_id: DEMO.staffId })).token;
  });
  afterAll(async () => { await s.close(); });

  it('answers the home endpoint', async () => {
    const r = await get(`${M}/`);
    expect(r.status).toBe(200);
    expect(Ok(z.object({ message: z.string() })).parse(r.body).data.message).toMatch(/Tickets/);
  });

  it('reports, disables and enables the module with ModuleDisabledError / ModuleEnabledError', async () => {
    expect(Ok(z.object({ guild_id: z.string(), enabled: z.boolean() })).parse((await get(`${M}/status?guild_id=${G}`)).body).data.enabled).toBe(true);
    expect((await send('POST', `${M}/disable`, { guild_id: G })).status).toBe(200);
    expect(Ok(z.object({ enabled: z.boolean() }).passthrough()).parse((await get(`${M}/status?guild_id=${G}`)).body).data.enabled).toBe(false);
    fails(await send('POST', `${M}/disable`, { guild_id: G }), 400, 'ModuleDisabledError');
    fails(await get(`${M}/entries?guild_id=${G}`), 400, 'ModuleDisabledError');
    expect((await send('POST', `${M}/enable`, { guild_id: G })).status).toBe(200);
    fails(await send('POST', `${M}/enable`, { guild_id: G }), 400, 'ModuleEnabledError');
  });

  it("creates, lists, gets, updates and deletes panels; 'create' values become Discord jobs", async () => {
    const before = (await jobs('panel.post')).length;
    const created = await send('POST', `${M}/panels`, {
      guild_id: G, panel_type: 'dropdown', create_message_is_embed: true, create_message_content: 'default', form_enabled: false,
      form_content: null, ticket_opened_message_is_embed: 'false', ticket_opened_message_content: 'default', ticket_opened_name: 'support-{number}',
      support_engineer_role_id: 'create', create_message_category_id: 'create', create_message_channel_id: 'create',
      open_tickets_categories: ['1441604990945853490'], closed_tickets_categories: ['1441604990945853530'], threads_enabled: false,
    });
    expect(created.status, created.text).toBe(201);
    const panel = Ok(z.object({ id: z.string() }).passthrough()).parse(created.body).data as unknown as Panel;
    expect(panel.panel_type).toBe('dropdown');
    const posted = (await jobs('panel.post')).slice(before);
    expect(posted).toHaveLength(1);
    expect(posted[0]!.payload).toMatchObject({ panel_id: panel.id, create_channel: true, create_category: true, create_support_role: true });

    const list = Ok(z.object({ panels: z.array(z.object({ id: z.string() }).passthrough()), page: z.number(), page_size: z.number(), total: z.number() }))
      .parse((await get(`${M}/panels?guild_id=${G}&page=1&page_size=10`)).body);
    expect(list.data).toMatchObject({ page: 1, page_size: 10, total: 1 });
    expect(list.data.panels.map((p) => p.id)).toEqual([panel.id]);
    expect(Ok(z.object({ panels: z.array(z.unknown()) }).passthrough()).parse((await get(`${M}/panels?guild_id=${G}&page=2&page_size=10`)).body).data.panels).toEqual([]);
    expect(Ok(z.object({ id: z.literal(panel.id) }).passthrough()).parse((await get(`${M}/panel/${panel.id}?guild_id=${G}`)).body).data.id).toBe(panel.id);

    const updated = await send('POST', `${M}/panel/${panel.id}`, {
      guild_id: G, panel_type: 'create button', create_message_is_embed: false, create_message_content: 'Open a ticket here', form_enabled: true,
      form_content: 'default', ticket_opened_message_is_embed: true, ticket_opened_message_content: 'Welcome!', ticket_opened_name: 'help-{number}',
      support_engineer_role_id: '1441604990945853402', open_tickets_categories: ['1441604990945853490'], closed_tickets_categories: [], threads_enabled: false,
    });
    expect(updated.status, updated.text).toBe(200);
    expect(Ok(z.object({ panel_type: z.string(), ticket_opened_name: z.string() }).passthrough()).parse(updated.body).data).toMatchObject({ panel_type: 'create_button', ticket_opened_name: 'help-{number}' });

    const reason = fails(await send('POST', `${M}/panels`, { guild_id: G, panel_type: 'carousel' }), 400, 'BadRequestError');
    expect(reason).toMatch(/panel_type/);
    expect((await send('DELETE', `${M}/panel/${panel.id}`, { guild_id: G })).status).toBe(200);
    fails(await get(`${M}/panel/${panel.id}?guild_id=${G}`), 404, 'NotFoundError');
  });

  it('adds, lists, gets and deletes ticket types, and opens tickets from them through the interaction events', async () => {
    const panel = await s.engine.panels.create({ userId: DEMO.staffId, tokenId: null, abilities: 'all', guilds: null, asBot: false }, { guild_id: G, name: 'Types', group_id: DEMO.groupId });
    const added = await send('POST', `${M}/panel/${panel.id}/ticket-types`, { guild_id: G, title: 'Billing', description: 'Money matters', emoji_name: '💰', emoji_id: null });
    expect(added.status, added.text).toBe(201);
    const type = Ok(z.object({ id: z.string(), title: z.literal('Billing'), emoji_name: z.literal('💰') }).passthrough()).parse(added.body).data;
    const types = Ok(z.object({ options: z.array(z.object({ id: z.string() }).passthrough()) }).passthrough()).parse((await get(`${M}/panel/${panel.id}/ticket-types?guild_id=${G}`)).body);
    expect(types.data.options.map((o) => o.id)).toEqual([type.id]);
    expect((await get(`${M}/panel/${panel.id}/ticket-types/${type.id}?guild_id=${G}`)).status).toBe(200);

    const opened = await send('POST', `${M}/events/create-ticket`, { guild_id: G, panel_id: panel.id, ticket_type_id: type.id, application_id: null, token: null, interaction_id: null });
    expect(opened.status, opened.text).toBe(201);
    expect(Entry.parse(opened.body).data).toMatchObject({ user_id: DEMO.staffId, group_id: DEMO.groupId, status: 'open' });
    const form = await send('POST', `${M}/events/handle-form`, { guild_id: G, panel_id: panel.id, ticket_type_id: type.id, values: { 'What happened?': 'I was charged twice', Amount: 12 }, application_id: '1441600312958730260', token: 'aW50ZXJhY3Rpb24', interaction_id: '1441604990945859999' });
    expect(form.status, form.text).toBe(201);
    const ticketId = Entry.parse(form.body).data.id;
    const row = await database().db.selectFrom('tickets').select('form').where('id', '=', ticketId).executeTakeFirstOrThrow();
    expect(row.form).toEqual([{ title: 'What happened?', value: 'I was charged twice' }, { title: 'Amount', value: '12' }]);

    expect((await send('DELETE', `${M}/panel/${panel.id}/ticket-types/${type.id}`, { guild_id: G })).status).toBe(200);
    fails(await get(`${M}/panel/${panel.id}/ticket-types/${type.id}?guild_id=${G}`), 404, 'NotFoundError');
  });

  it('lists, gets, closes, reopens, claims, transfers, transcribes and deletes entries', async () => {
    const t = await s.engine.tickets.create({ userId: DEMO.staffId, tokenId: null, abilities: 'all', guilds: null, asBot: false }, { guild_id: G, user_id: DEMO.customerId, topic: 'Refund' });
    const list = Ok(z.object({ entries: z.array(HqEntry.strict()), page: z.number(), page_size: z.number(), total: z.number() }))
      .parse((await get(`${M}/entries?guild_id=${G}&page=1&page_size=2`)).body);
    expect(list.data.entries).toHaveLength(2);
    expect(list.data).toMatchObject({ page: 1, page_size: 2 });
    expect(list.data.total).toBeGreaterThanOrEqual(2);
    expect(Entry.parse((await get(`${M}/entry/${t.id}?guild_id=${G}`)).body).data).toMatchObject({ id: t.id, topic: 'Refund', user_id: DEMO.customerId });
    const interaction = { application_id: null, token: null };
    expect(Entry.parse((await send('POST', `${M}/entry/${t.id}/claim`, { guild_id: G, ...interaction })).body).data.claimed_by).toBe(DEMO.staffId);
    expect(Entry.parse((await send('POST', `${M}/entry/${t.id}/transfer`, { guild_id: G, new_engineer: DEMO.memberId, ...interaction })).body).data.claimed_by).toBe(DEMO.memberId);
    expect(Entry.parse((await send('POST', `${M}/entry/${t.id}/close`, { guild_id: G, ...interaction })).body).data.status).toBe('closed');
    const again = fails(await send('POST', `${M}/entry/${t.id}/close`, { guild_id: G, ...interaction }), 422, 'Unprocessable Entity');
    expect(again).toMatch(/^Unprocessable Entity! .*already closed/);
    expect(Entry.parse((await send('POST', `${M}/entry/${t.id}/reopen`, { guild_id: G, ...interaction })).body).data.status).toBe('open');
    const transcribed = await send('POST', `${M}/entry/${t.id}/transcribe`, { guild_id: G, ...interaction });
    expect(transcribed.status).toBe(200);
    expect((await jobs('transcript.post')).map((j) => j.ticket_id)).toContain(t.id);
    const messages = await get(`${M}/entries/messages?guild_id=${G}&ticket_id=${t.id}`);
    expect(Ok(z.object({ ticket_id: z.string(), messages: z.array(z.unknown()) }).passthrough()).parse(messages.body).data).toMatchObject({ ticket_id: t.id, messages: [] });
    const del = await send('DELETE', `${M}/entry/${t.id}`, { guild_id: G, ...interaction });
    expect(Entry.parse(del.body).data.status).toBe('closed');
    expect((await jobs('ticket.delete')).map((j) => j.ticket_id)).toContain(t.id);
  });

  it('deletes all tickets module data of a guild', async () => {
    const other = await seedGuild(database().db);
    const staff = { userId: DEMO.staffId, tokenId: null, abilities: 'all' as const, guilds: null, asBot: false };
    await s.engine.tickets.create(staff, { guild_id: other.guildId, user_id: DEMO.customerId });
    const r = await send('DELETE', `${M}/delete`, { guild_id: other.guildId });
    expect(r.status).toBe(200);
    expect(Ok(z.object({ deleted: z.object({ tickets: z.number() }).passthrough() }).passthrough()).parse(r.body).data.deleted.tickets).toBe(1);
    expect(await database().db.selectFrom('tickets').select('id').where('guild_id', '=', other.guildId).execute()).toEqual([]);
  });

  it('answers input problems with BadRequestError, unknown guilds with SettingsError, and a missing token with 401', async () => {
    expect(fails(await get(`${M}/status`), 400, 'BadRequestError')).toMatch(/guild_id/);
    expect(fails(await get(`${M}/status?guild_id=12`), 400, 'BadRequestError')).toMatch(/snowflake/);
    expect(fails(await send('POST', `${M}/enable`, { guild_id: G, extra: true }), 400, 'BadRequestError')).toMatch(/unknown field.*extra/);
    expect(fails(await request(s.url, 'POST', `${M}/enable`, { token, raw: '{"guild_id": ' }), 400, 'BadRequestError')).toMatch(/JSON/);
    expect(fails(await get(`${M}/status?guild_id=1441604990945850000`), 404, 'SettingsError')).toMatch(/Unknown guild/);
    fails(await get(`${M}/status?guild_id=${G}`, ''), 401, 'UnauthorizedError');
    fails(await get(`${M}/nothing?guild_id=${G}`), 404, 'NotFoundError');
  });

  it('links and unlinks messages of a ticket channel in the Husqy envelope', async () => {
    await insertDemoTicket(database());
    const messageId = '1441604990945853999';
    const linked = await send('POST', `${M}/entries/messages`, { guild_id: G, channel_id: DEMO.channelId, message_id: messageId });
    expect(linked.status, linked.text).toBe(200);
    // No Discord runs behind this server, so the capture waits in the outbox.
    expect(Ok(z.object({ ticket_id: z.string(), message_id: z.string(), in_notes: z.boolean(), status: z.string(), detail: z.string() }).strict()).parse(linked.body).data)
      .toMatchObject({ ticket_id: DEMO.ticketId, message_id: messageId, status: 'queued' });
    expect((await jobs('message.capture')).filter((j) => j.ticket_id === DEMO.ticketId).map((j) => j.payload)).toEqual([{ channel_id: DEMO.channelId, message_id: messageId }]);
    expect(fails(await send('POST', `${M}/entries/messages`, { guild_id: G, channel_id: '1441604990945853510', message_id: messageId }), 404, 'NotFoundError')).toMatch(/not the channel, thread or notes thread of any ticket/);
    expect(fails(await send('POST', `${M}/entries/messages`, { guild_id: G, channel_id: DEMO.channelId }), 400, 'BadRequestError')).toMatch(/message_id/);

    fails(await send('DELETE', `${M}/entries/messages`, { guild_id: G, channel_id: DEMO.channelId, message_id: messageId }), 404, 'NotFoundError');
    await s.engine.transcripts.recordMessage({ guild_id: G, channel_id: DEMO.channelId, message: { id: messageId, author: { id: DEMO.customerId, username: 'alice' }, content: 'I still cannot log in', created_at: new Date() } });
    const unlinked = await send('DELETE', `${M}/entries/messages`, { guild_id: G, channel_id: DEMO.channelId, message_id: messageId });
    expect(unlinked.status, unlinked.text).toBe(200);
    expect(Ok(z.object({ message_id: z.string(), changed: z.boolean(), deleted_at: z.string() }).passthrough()).parse(unlinked.body).data).toMatchObject({ message_id: messageId, changed: true });
    const listed = Ok(z.object({ messages: z.array(z.object({ id: z.string(), deleted_at: z.string().nullable() }).passthrough()) }).passthrough())
      .parse((await get(`${M}/entries/messages?guild_id=${G}&ticket_id=${DEMO.ticketId}`)).body);
    expect(listed.data.messages.find((m) => m.id === messageId)?.deleted_at).toBeTruthy();
  });

  it("counts and deletes a member's references (privacy_member_id as Husqy's JSON integer) in the Husqy envelope", async () => {
    await insertDemoTicket(database());
    const member = '1441604990945853777';
    const staff = { userId: DEMO.staffId, tokenId: null, abilities: 'all' as const, guilds: null, asBot: false };
    await s.engine.tickets.addMember(staff, { guild_id: G, ticket: { ticket_id: DEMO.ticketId }, user_id: member });
    await s.engine.transcripts.recordMessage({
      guild_id: G, channel_id: DEMO.channelId,
      message: {
        id: '1441604990945853888', author: { id: member, username: 'pat' }, content: 'my phone is 555-0100', created_at: new Date(),
        attachments: [{ id: '1441604990945853889', filename: 'id.png', size: 1, url: 'https://cdn.example/id.png' }],
      },
    });
    const Counts = Ok(z.object({ user_id: z.string(), ticket_memberships: z.number(), messages: z.number(), attachments: z.number(), total: z.number() }).passthrough());
    const counted = await get(`${M}/privacy/get-user-entries?guild_id=${G}&privacy_member_id=${member}`);
    expect(counted.status, counted.text).toBe(200);
    expect(Counts.parse(counted.body).data).toMatchObject({ user_id: member, ticket_memberships: 1, messages: 1, attachments: 1, total: 3 });

    const deleted = await request(s.url, 'DELETE', `${M}/privacy/delete-user-entries`, { token, raw: `{"guild_id": ${G}, "privacy_member_id": ${member}}` });
    expect(deleted.status, deleted.text).toBe(200);
    const Deleted = Ok(z.object({ user_id: z.literal(member), deleted: z.object({ messages_redacted: z.number(), attachments: z.number(), ticket_memberships: z.number() }).passthrough() }).passthrough());
    expect(Deleted.parse(deleted.body).data.deleted).toMatchObject({ messages_redacted: 1, attachments: 1, ticket_memberships: 1 });
    expect(Counts.parse((await get(`${M}/privacy/get-user-entries?guild_id=${G}&privacy_member_id=${member}`)).body).data.total).toBe(0);
    expect(fails(await get(`${M}/privacy/get-user-entries?guild_id=${G}`), 400, 'BadRequestError')).toMatch(/privacy_member_id/);
    const reader = (await s.engine.tokens.create({ name: 'reader', abilities: ['transcripts:read'], user_id: DEMO.staffId })).token;
    expect((await get(`${M}/privacy/get-user-entries?guild_id=${G}&privacy_member_id=${member}`, reader)).status).toBe(200);
    expect(fails(await send('DELETE', `${M}/privacy/delete-user-entries`, { guild_id: G, privacy_member_id: member }, reader), 403, 'ForbiddenError')).toMatch(/guild:admin/);
  });
});
