/** Ticketeer contract: documented requests, documented response fields and types, documented errors. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { z } from 'zod';
import { TtError, TtGroup, TtGuild, TtNamed, TtTicket, TtTranscript, TtUnavailable, TtUser, paginator } from '../../src/rest/ticketeer/schemas.js';
import { documentedFields } from '../fixtures/documents.js';
import { describeEachDatabase } from '../support/databases.js';
import { seedGuild, snowflake } from '../support/fixtures.js';
import { DEMO, request, seedDemo, startRestServer, type RestServer } from './harness.js';

// The ticket object's fields as document 001 lists them (channel_parent_id included).
const TICKET_FIELDS = [...documentedFields.ticketeer_ticket].sort();
const LARAVEL_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;
const G = `/api/v1/guild/${DEMO.guildId}`;
type Ticket = z.output<typeof TtTicket>;

describeEachDatabase('Ticketeer API', (database) => {
  let s: RestServer;
  let token: string;
  const call = (method: string, path: string, body?: unknown, t: string | undefined = token) => request(s.url, method, path, { token: t, body });
  const jobsOf = async (ticketId: string) => (await database().db.selectFrom('discord_jobs').select('kind').where('ticket_id', '=', ticketId).orderBy('id').execute()).map((j) => j.kind);
  const open = async (): Promise<Ticket> => {
    const r = await call('POST', `${G}/ticket`, { user_id: DEMO.customerId });
    expect(r.status).toBe(200);
    return r.body as Ticket;
  };
  const ticketShape = (body: unknown): Ticket => {
    expect(Object.keys(body as object).sort()).toEqual(TICKET_FIELDS);
    const t = TtTicket.strict().parse(body);
    expect(t.created_at).toMatch(LARAVEL_TIME);
    return t;
  };

  beforeAll(async () => {
    await seedDemo(database());
    s = await startRestServer(database(), { TICKETBRIDGE_RATE_LIMIT_TOKEN: '0', TICKETBRIDGE_RATE_LIMIT_IP: '0' });
    token = (await s.engine.tokens.create({ name: 'staff', abilities: ['*'], user_id: DEMO.staffId })).token;
  });
  afterAll(async () => { await s.close(); });

  it('creates a ticket from the documented request and answers with exactly the documented ticket fields', async () => {
    const r = await call('POST', `${G}/ticket`, {
      user_id: DEMO.customerId, message: 'Hello, world!', ticket_group_id: DEMO.groupId, anonymous: false,
      form: [{ title: 'Hello, world?', value: 'Hello, world!', type: 'type' }],
    });
    expect(r.status).toBe(200);
    const t = ticketShape(r.body);
    expect(t).toMatchObject({ guild_id: DEMO.guildId, group_id: DEMO.groupId, owner_id: DEMO.customerId, status: 'open', assigned_id: null,
      form: [{ type: 'type', title: 'Hello, world?', value: 'Hello, world!' }] });
    expect(t.id).toMatch(/^\d{17,20}$/);
    expect(t.number).toBeGreaterThan(1);
    // The Discord side follows through the outbox: the channel is a job committed with the ticket.
    expect(await jobsOf(t.id)).toEqual(['ticket.open']);
    const row = await database().db.selectFrom('tickets').select(['opening_message', 'owner_id']).where('id', '=', t.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ opening_message: 'Hello, world!', owner_id: DEMO.customerId });
  });

  it('gets a ticket by its id and by its channel, with the same documented fields', async () => {
    const byId = await call('GET', `${G}/ticket/${DEMO.ticketId}`);
    const byChannel = await call('GET', `${G}/channel/${DEMO.channelId}/ticket`);
    expect(byId.status).toBe(200);
    expect(byChannel.status).toBe(200);
    expect(ticketShape(byId.body)).toEqual(ticketShape(byChannel.body));
    expect((byId.body as Ticket)).toMatchObject({ id: DEMO.ticketId, channel_id: DEMO.channelId, number: 1 });
  });

  it('names the parent of the ticket\'s channel: its category, or the channel a thread ticket lives in', async () => {
    // The demo ticket's channel sits in the Support category.
    for (const path of [`${G}/ticket/${DEMO.ticketId}`, `${G}/channel/${DEMO.channelId}/ticket`]) {
      expect(ticketShape((await call('GET', path)).body).channel_parent_id, path).toBe('1441604990945853490');
    }
    // A new ticket has no channel yet (the outbox makes it): no parent either, until Discord has one.
    const created = await open();
    expect(created).toMatchObject({ channel_id: null, channel_parent_id: null });
    // A thread ticket: the outbox links the private thread and the channel it was opened in.
    const r = await call('POST', `${G}/ticket`, { user_id: DEMO.customerId, ticket_group_id: DEMO.threadGroupId });
    expect(r.status).toBe(200);
    const thread = snowflake();
    const parent = snowflake();
    await s.engine.outbox.linkTicket((r.body as Ticket).id, { channel_id: thread, thread_id: thread, channel_parent_id: parent });
    for (const path of [`${G}/ticket/${(r.body as Ticket).id}`, `${G}/channel/${thread}/ticket`]) {
      expect(ticketShape((await call('GET', path)).body), path).toMatchObject({ channel_id: thread, channel_parent_id: parent });
    }
  });

  for (const family of ['ticket', 'channel'] as const) {
    it(`runs every ticket action addressed by ${family === 'ticket' ? 'ticket id' : 'channel id'}`, async () => {
      const t = await open();
      let base = `${G}/ticket/${t.id}`;
      if (family === 'channel') {
        const channelId = snowflake();
        await database().db.updateTable('tickets').set({ channel_id: channelId }).where('id', '=', t.id).execute();
        base = `${G}/channel/${channelId}/ticket`;
      }
      const act = async (suffix: string, body?: unknown, status = 200) => {
        const r = await call('POST', `${base}${suffix}`, body);
        expect(r.status, `${suffix}: ${r.text}`).toBe(status);
        return r.body as Ticket;
      };
      expect((await act('/assign', { user_id: DEMO.staffId, reason: 'Hello, world!' })).assigned_id).toBe(DEMO.staffId);
      expect((await act('/unassign', { reason: 'Hello, world!' })).assigned_id).toBeNull();
      expect((await act('/priority', { priority: 2, reason: 'Hello, world!' })).priority).toBe(2);
      await act('/name', { name: 'hello-world', reason: 'Hello, world!' });
      await act('/expire', { expire_at: '2030-03-01T00:00:00Z', clearable: true, reason: 'Hello, world!' });
      await act('/eternal', { eternal: true });
      await act('/lock', { reason: 'Hello, world!' });
      await act('/unlock', {});
      await act('/notes', { name: 'hello-world' });
      await act('/notes/add', { user_id: DEMO.staffId });
      await act('/notes/remove', { user_id: DEMO.staffId });
      await act('/add', { user_id: DEMO.memberId });
      await act('/remove', { user_id: DEMO.memberId });
      expect((await act('/owner', { user_id: DEMO.memberId })).owner_id).toBe(DEMO.memberId);
      expect((await act('/move', { ticket_group_id: DEMO.billingGroupId })).group_id).toBe(DEMO.billingGroupId);
      // A channel ticket cannot move into a thread group (documented: same mode only).
      const refused = await call('POST', `${base}/move`, { ticket_group_id: DEMO.threadGroupId });
      expect(refused.status).toBe(409);
      expect(TtError.parse(refused.body).message).toMatch(/same mode/);
      const closed = await act('/close', { reason: 'Solved' });
      expect(closed).toMatchObject({ status: 'closed', closed_reason: 'Solved' });
      expect(closed.closed_at).toMatch(LARAVEL_TIME);
      expect((await act('/open', {})).status).toBe('open');
      const del = await call('DELETE', base, { reason: 'Done' });
      expect(del.status).toBe(200);
      expect(ticketShape(del.body).deleted_at).toMatch(LARAVEL_TIME);

      const { events } = await s.engine.tickets.events({ guild_id: DEMO.guildId, ticket: { ticket_id: t.id } });
      expect(events.map((e) => e.kind)).toEqual(['created', 'assigned', 'unassigned', 'priority_set', 'renamed', 'expiry_set', 'eternal_set',
        'locked', 'unlocked', 'notes_created', 'notes_member_added', 'notes_member_removed', 'member_added', 'member_removed',
        'owner_changed', 'moved', 'closed', 'reopened', 'deleted']);
      expect(await jobsOf(t.id)).toEqual(['ticket.open', 'ticket.assign', 'ticket.assign', 'ticket.priority', 'ticket.rename', 'ticket.lock',
        'ticket.unlock', 'ticket.notes.create', 'ticket.notes.member.add', 'ticket.notes.member.remove', 'ticket.member.add',
        'ticket.member.remove', 'ticket.owner', 'ticket.move', 'ticket.close', 'ticket.reopen', 'ticket.delete']);
    });
  }

  it('records anonymous actions as the bot, and refuses them to tokens without the anonymous ability', async () => {
    const t = await open();
    const r = await call('POST', `${G}/ticket/${t.id}/lock`, { anonymous: true });
    expect(r.status).toBe(200);
    const { events } = await s.engine.tickets.events({ guild_id: DEMO.guildId, ticket: { ticket_id: t.id } });
    expect(events.at(-1)).toMatchObject({ kind: 'locked', as_bot: true });
    const limited = (await s.engine.tokens.create({ abilities: ['tickets:write', 'tickets:read'], user_id: DEMO.staffId })).token;
    const refused = await call('POST', `${G}/ticket/${t.id}/unlock`, { anonymous: true }, limited);
    expect(refused.status).toBe(403);
    expect(TtError.parse(refused.body).message).toMatch(/anonymous/);
  });

  it('answers documented errors in Laravel shape, naming the problem', async () => {
    const missing = await call('GET', `${G}/ticket/1437562719124590000`);
    expect(missing.status).toBe(404);
    expect(TtError.strict().parse(missing.body).message).toMatch(/No ticket 1437562719124590000/);

    const other = await seedGuild(database().db);
    const foreign = await s.engine.tickets.create({ userId: DEMO.staffId, tokenId: null, abilities: 'all', guilds: null, asBot: false }, { guild_id: other.guildId, user_id: DEMO.customerId });
    expect((await call('GET', `${G}/ticket/${foreign.id}`)).status).toBe(404);

    const noUser = await call('POST', `${G}/ticket`, { message: 'hi' });
    expect(noUser.status).toBe(422);
    expect(TtError.parse(noUser.body).errors?.['user_id']?.[0]).toMatch(/user_id/);

    const badId = await call('GET', `${G}/ticket/abc`);
    expect(badId.status).toBe(422);
    expect(TtError.parse(badId.body).errors?.['ticket_id']?.[0]).toMatch(/snowflake/);

    const wrongType = await call('POST', `${G}/ticket/${DEMO.ticketId}/priority`, { priority: 'high' });
    expect(wrongType.status).toBe(422);
    expect(Object.keys(TtError.parse(wrongType.body).errors ?? {})).toEqual(['priority']);

    const outOfRange = await call('POST', `${G}/ticket/${DEMO.ticketId}/priority`, { priority: 9 });
    expect(outOfRange.status).toBe(422);
    expect(TtError.parse(outOfRange.body).message).toMatch(/priority must be an index between 0 and 2/);

    const malformed = await request(s.url, 'POST', `${G}/ticket`, { token, raw: '{"user_id": ' });
    expect(malformed.status).toBe(400);
    expect(TtError.parse(malformed.body).message).toMatch(/not valid JSON/);

    const text = await request(s.url, 'POST', `${G}/ticket`, { token, raw: 'user_id=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(text.status).toBe(415);
    expect(TtError.parse(text.body).message).toMatch(/Content-Type/);

    const huge = await request(s.url, 'POST', `${G}/ticket`, { token, raw: JSON.stringify({ user_id: DEMO.customerId, message: 'x'.repeat(400_000) }) });
    expect(huge.status).toBe(413);
    expect(TtError.parse(huge.body).message).toMatch(/too large/);

    const t = await open();
    await call('POST', `${G}/ticket/${t.id}/close`, {});
    const twice = await call('POST', `${G}/ticket/${t.id}/close`, {});
    expect(twice.status).toBe(409);
    expect(TtError.parse(twice.body).message).toMatch(/already closed/);

    const unknownRoute = await call('GET', `${G}/nothing-here`);
    expect(unknownRoute.status).toBe(404);
    TtError.parse(unknownRoute.body);
  });

  it('keeps long JSON integers exact and ignores fields Ticketeer does not document', async () => {
    const r = await request(s.url, 'POST', `${G}/ticket`, { token, raw: `{"user_id": ${DEMO.customerId}, "colour": "blue"}` });
    expect(r.status).toBe(200);
    expect((r.body as Ticket).owner_id).toBe(DEMO.customerId);
  });

  // ---- guild, user, channel message and transcript routes ----
  const staff = { userId: DEMO.staffId, tokenId: null, abilities: 'all' as const, guilds: null, asBot: false };

  it('gets the guild and the current user with exactly the documented fields', async () => {
    const g = await call('GET', G);
    expect(g.status).toBe(200);
    const engineView = await s.engine.guilds.get(DEMO.guildId);
    expect(TtGuild.strict().parse(g.body)).toMatchObject({ id: DEMO.guildId, name: 'TicketBridge Demo', premium: engineView.premium, premium_ends_at: null });
    expect((g.body as { joined_at: string }).joined_at).toMatch(LARAVEL_TIME);
    const me = await call('GET', '/api/v1/user/me');
    expect(me.status).toBe(200);
    expect(TtUser.strict().parse(me.body)).toMatchObject({ id: DEMO.staffId, name: 'Sam', username: 'sam.support', bot: false, locale: 'en-GB', verified: true });
    const guilds = await call('GET', '/api/v1/user/me/guilds');
    expect(guilds.status).toBe(200);
    expect(z.array(TtGuild.strict()).parse(guilds.body).map((x) => x.id)).toContain(DEMO.guildId);
  });

  it('lists the guilds a token covers, and only those, for any valid token (tickets:read alone included)', async () => {
    const other = await seedGuild(database().db);
    const list = async (t: string) => {
      const r = await call('GET', '/api/v1/user/me/guilds', undefined, t);
      expect(r.status, r.text).toBe(200);
      return z.array(TtGuild.strict()).parse(r.body).map((x) => x.id).sort();
    };
    const readerOfDemo = (await s.engine.tokens.create({ abilities: ['tickets:read'], guild_ids: [DEMO.guildId] })).token;
    expect(await list(readerOfDemo)).toEqual([DEMO.guildId]);
    const writerOfOther = (await s.engine.tokens.create({ abilities: ['tickets:write'], guild_ids: [other.guildId] })).token;
    expect(await list(writerOfOther)).toEqual([other.guildId]);
    const unscoped = (await s.engine.tokens.create({ abilities: ['transcripts:read'] })).token;
    expect(await list(unscoped)).toEqual(expect.arrayContaining([DEMO.guildId, other.guildId]));
    // Reading a guild itself still needs guild:read.
    expect((await call('GET', G, undefined, readerOfDemo)).status).toBe(403);
  });

  it('lists groups, panels and custom messages with a working Laravel paginator', async () => {
    const page1 = await call('GET', `${G}/groups?per_page=2`);
    expect(page1.status).toBe(200);
    const p1 = paginator(TtGroup.strict()).strict().parse(page1.body);
    expect(p1).toMatchObject({ current_page: 1, per_page: 2, total: 3, last_page: 2, from: 1, to: 2, prev_page_url: null });
    expect(p1.path).toBe(`${s.url}${G}/groups`);
    expect(p1.next_page_url).toBe(`${s.url}${G}/groups?page=2&per_page=2`);
    expect(p1.data.map((x) => x.id)).toEqual([DEMO.groupId, DEMO.threadGroupId]);
    const support = await s.engine.groups.get({ guild_id: DEMO.guildId, group_id: DEMO.groupId });
    expect(support.count).toBeGreaterThan(0);
    expect(p1.data[0]).toMatchObject({ name: 'Support', count: support.count, closed_category_id: '1441604990945853530', transcript_channel_id: '1441604990945853510' });
    const p2 = paginator(TtGroup.strict()).parse((await call('GET', p1.next_page_url!.slice(s.url.length))).body);
    expect(p2).toMatchObject({ current_page: 2, from: 3, to: 3, next_page_url: null });
    expect(p2.data.map((x) => x.id)).toEqual([DEMO.billingGroupId]);
    const dflt = paginator(TtGroup).parse((await call('GET', `${G}/groups`)).body);
    expect(dflt).toMatchObject({ per_page: 30, last_page: 1, first_page_url: `${s.url}${G}/groups?page=1` });

    await s.engine.panels.create(staff, { guild_id: DEMO.guildId, name: 'Support panel', group_id: DEMO.groupId });
    const panels = paginator(TtNamed.strict()).parse((await call('GET', `${G}/panels`)).body);
    expect(panels.data.map((x) => x.name)).toEqual(['Support panel']);
    const cm = await s.engine.customMessages.create(staff, { guild_id: DEMO.guildId, name: 'Welcome', content: 'Hi {user}' });
    const messages = paginator(TtNamed.strict()).parse((await call('GET', `${G}/messages`)).body);
    expect(messages.data).toEqual([{ id: cm.id, name: 'Welcome' }]);

    const bad = await call('GET', `${G}/groups?per_page=500`);
    expect(bad.status).toBe(422);
    expect(Object.keys(TtError.parse(bad.body).errors ?? {})).toEqual(['per_page']);
  });

  it('reports guild stats and answers 503 in its documented shape when Discord cannot be reached for a sync', async () => {
    const stats = await call('GET', `${G}/stats`);
    expect(stats.status).toBe(200);
    const engineStats = await s.engine.stats.guild({ guild_id: DEMO.guildId });
    expect(stats.body).toMatchObject({ guild_id: DEMO.guildId, open: engineStats.open, closed: engineStats.closed, total: engineStats.total });
    expect(engineStats.total).toBeGreaterThan(1);
    expect(stats.body).not.toHaveProperty('volvox');
    const sync = await call('POST', `${G}/sync`);
    expect(sync.status).toBe(503);
    expect(TtUnavailable.parse(sync.body).message).toMatch(/not connected to Discord/);
  });

  it('queues channel messages and custom messages as Discord jobs', async () => {
    const jobs = async () => (await database().db.selectFrom('discord_jobs').select(['kind', 'payload']).where('ticket_id', 'is', null).orderBy('id').execute());
    const before = (await jobs()).length;
    const sent = await call('POST', `${G}/channel/${DEMO.channelId}`, { username: 'Foo', avatar_url: 'https://example.com/avatar.png', content: 'Hello, world!', flags: 0 });
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({ status: 'queued', channel_id: DEMO.channelId, message_id: null });
    const edited = await call('POST', `${G}/channel/${DEMO.channelId}/1441604990945853999`, { content: 'Edited' });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ status: 'queued', message_id: '1441604990945853999' });
    const cm = await s.engine.customMessages.create(staff, { guild_id: DEMO.guildId, name: 'Hello', content: 'Hello {name}' });
    const custom = await call('POST', `${G}/message/${cm.id}/${DEMO.channelId}`, { context: { name: 'Alice' } });
    expect(custom.status).toBe(200);
    const missingVar = await call('POST', `${G}/message/${cm.id}/${DEMO.channelId}`, {});
    expect(missingVar.status).toBe(422);
    expect(TtError.parse(missingVar.body).message).toMatch(/name/);
    const kinds = (await jobs()).slice(before).map((j) => j.kind);
    expect(kinds).toEqual(['channel.message.send', 'channel.message.edit', 'channel.message.send']);
    const notSnowflake = await call('POST', `${G}/channel/${DEMO.channelId}/architecto`, { content: 'x' });
    expect(notSnowflake.status).toBe(422);
    expect(Object.keys(TtError.parse(notSnowflake.body).errors ?? {})).toEqual(['message_id']);
  });

  it('returns, saves and sends the transcript in the documented shape, by ticket and by channel', async () => {
    const byId = await call('GET', `${G}/ticket/${DEMO.ticketId}/transcript`);
    expect(byId.status).toBe(200);
    const tr = TtTranscript.parse(byId.body);
    expect(tr.ticket).toMatchObject({ id: DEMO.ticketId, owner_id: DEMO.customerId, number: 1, status: 'open' });
    expect(tr.ticket.created_at).toMatch(LARAVEL_TIME);
    expect(tr.guild.id).toBe(DEMO.guildId);
    const byChannel = await call('GET', `${G}/channel/${DEMO.channelId}/ticket/transcript`);
    expect(TtTranscript.parse(byChannel.body).ticket.id).toBe(DEMO.ticketId);
    const saved = await call('POST', `${G}/ticket/${DEMO.ticketId}/save`);
    expect(saved.status).toBe(200);
    expect(TtTranscript.parse(saved.body).ticket.transcript_saved_at).toMatch(LARAVEL_TIME);
    const sent = await call('POST', `${G}/ticket/${DEMO.ticketId}/send/${DEMO.memberId}`);
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({ queued: true, user_id: DEMO.memberId, ticket: { id: DEMO.ticketId } });
    const viaChannel = await call('POST', `${G}/channel/${DEMO.channelId}/ticket/send/${DEMO.staffId}`);
    expect(viaChannel.status).toBe(200);
    const kinds = (await database().db.selectFrom('discord_jobs').select('kind').where('ticket_id', '=', DEMO.ticketId).where('kind', 'like', 'transcript.%').orderBy('id').execute()).map((j) => j.kind);
    expect(kinds).toEqual(['transcript.post', 'transcript.send', 'transcript.send']);
  });
});
