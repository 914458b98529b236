import { expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/engine/index.js';
import { EngineError } from '../../src/engine/errors.js';
import { replayEvents } from '../../src/engine/tickets/replay.js';
import type { TranscriptMessage } from '../../src/engine/transcripts/index.js';
import { invoke, type OperationContext } from '../../src/operations/define.js';
import { getTranscript, listTranscriptMessages, saveTranscript, sendTranscript } from '../../src/operations/transcripts.js';
import { describeEachDatabase } from '../support/databases.js';
import { attachDiscordIds, seedGuild, seedMember, setStaffRoles, snowflake, staffActor } from '../support/fixtures.js';

const owner = { id: '849383430663776372', username: 'owner', global_name: 'Olive Owner' };
const helper = { id: '601082144459178129', username: 'helper', avatar: 'abc123' };
const bystander = { id: '1305908865287852092', username: 'bystander' };
const bot = { id: '1000000000000000001', username: 'ticketbridge', bot: true };
const staff = staffActor(helper.id);

async function expectError(p: Promise<unknown>, code: string, pattern?: RegExp): Promise<EngineError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err, 'expected the call to fail').toBeInstanceOf(EngineError);
  expect((err as EngineError).code).toBe(code);
  if (pattern) expect((err as EngineError).message).toMatch(pattern);
  return err as EngineError;
}

describeEachDatabase('transcript store', (database) => {
  let engine: Engine;
  const e = () => (engine ??= createEngine(database()));
  const db = () => database().db;

  /** A guild with one open ticket that has a channel and a notes thread in Discord. */
  async function ticketWithChannel(opts: { staffRole?: string } = {}) {
    const g = await seedGuild(db());
    const ticket = await e().tickets.create(staff, { guild_id: g.guildId, user_id: owner.id, topic: 'Refund' });
    const ids = await attachDiscordIds(db(), ticket.id, { notes_thread_id: snowflake() });
    if (opts.staffRole) await setStaffRoles(db(), g.groupId, [opts.staffRole]);
    return { g, ticket, channelId: ids.channel_id, notesId: ids.notes_thread_id as string };
  }

  const message = (author: typeof owner | typeof helper | typeof bot | typeof bystander, content: string, at: string, extra: Record<string, unknown> = {}) =>
    ({ id: snowflake(), author, content, embeds: [], attachments: [], created_at: at, ...extra });

  const row = (id: string) => db().selectFrom('tickets').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const opCtx = (over: Partial<OperationContext> = {}): OperationContext => ({
    engine: e(), actor: staff, requestId: 'test', signal: new AbortController().signal, progress: () => {}, ...over,
  });

  it('records a message once, with its attachments, marks activity and tells listeners after commit', async () => {
    const { g, ticket, channelId } = await ticketWithChannel();
    const seen: Array<{ ticketId: string; transcript?: boolean }> = [];
    const listener = (ev: { ticketId: string; transcript?: boolean }) => seen.push(ev);
    e().changes.on('ticket', listener);
    const m = message(owner, 'My order never arrived', '2030-01-02T03:04:05.678Z', {
      embeds: [{ title: 'Order 42' }],
      attachments: [{ id: snowflake(), filename: 'receipt.png', content_type: 'image/png', size: 2048, url: 'https://cdn.example/receipt.png' }],
    });
    const first = await e().transcripts.recordMessage({ guild_id: g.guildId, channel_id: channelId, message: m });
    const again = await e().transcripts.recordMessage({ guild_id: g.guildId, channel_id: channelId, message: { ...m, content: 'replayed' } });
    e().changes.off('ticket', listener);
    expect(first).toMatchObject({ ticket_id: ticket.id, recorded: true, in_notes: false, first_response: false });
    expect(again).toMatchObject({ ticket_id: ticket.id, recorded: false });
    const stored = await db().selectFrom('messages').selectAll().where('ticket_id', '=', ticket.id).execute();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ content: 'My order never arrived', author_name: 'Olive Owner', embeds: [{ title: 'Order 42' }] });
    const files = await db().selectFrom('attachments').selectAll().where('ticket_id', '=', ticket.id).execute();
    expect(files.map((f) => f.filename)).toEqual(['receipt.png']);
    expect((await row(ticket.id)).last_activity?.toISOString()).toBe('2030-01-02T03:04:05.678Z');
    expect(seen).toEqual([{ guildId: g.guildId, ticketId: ticket.id, transcript: true }]);
  });

  it('returns null for a channel that is no ticket and refuses malformed payloads without writing', async () => {
    const { g, ticket, channelId } = await ticketWithChannel();
    expect(await e().transcripts.recordMessage({ guild_id: g.guildId, channel_id: snowflake(), message: message(owner, 'hi', '2030-01-01T00:00:00Z') })).toBeNull();
    // The channel exists, but in another guild: still no ticket.
    const other = await seedGuild(db());
    expect(await e().transcripts.recordMessage({ guild_id: other.guildId, channel_id: channelId, message: message(owner, 'hi', '2030-01-01T00:00:00Z') })).toBeNull();
    const bad = { guild_id: g.guildId, channel_id: channelId, message: { ...message(owner, 'hi', 'yesterday'), attachments: [{ id: 'x' }] } };
    const err = await expectError(e().transcripts.recordMessage(bad as never), 'invalid', /created_at/);
    expect(err.details.fields?.map((f) => f.path)).toEqual(expect.arrayContaining(['message.created_at', 'message.attachments.0.id']));
    expect(await e().transcripts.countMessages(ticket.id)).toBe(0);
  });

  it('sets first_response_at on the first staff answer only: not for the owner, a bot, or a non-staff member', async () => {
    const role = snowflake();
    const { g, ticket, channelId } = await ticketWithChannel({ staffRole: role });
    const rec = (m: ReturnType<typeof message>, roles?: string[]) =>
      e().transcripts.recordMessage({ guild_id: g.guildId, channel_id: channelId, message: roles ? { ...m, member_roles: roles } : m });
    await rec(message(owner, 'help', '2030-01-01T00:00:10Z'));
    await rec(message(bot, 'Staff will be with you shortly', '2030-01-01T00:00:11Z'));
    await rec(message(bystander, 'me too', '2030-01-01T00:00:12Z'), [snowflake()]);
    expect((await row(ticket.id)).first_response_at).toBeNull();
    const answered = await rec(message(helper, 'Looking into it', '2030-01-01T00:01:00Z'), [role]);
    expect(answered?.first_response).toBe(true);
    await rec(message(helper, 'Found it', '2030-01-01T00:02:00Z'), [role]);
    const r = await row(ticket.id);
    expect(r.first_response_at?.toISOString()).toBe('2030-01-01T00:01:00.000Z');
    // The bot's own line did not count as activity; the last human line did.
    expect(r.last_activity?.toISOString()).toBe('2030-01-01T00:02:00.000Z');
    const { events } = await e().tickets.events({ guild_id: g.guildId, ticket: { ticket_id: ticket.id } });
    expect(events.filter((x) => x.kind === 'first_response')).toEqual([expect.objectContaining({ actor_id: helper.id, as_bot: false })]);
    expect(r.version).toBe(events.length);
  });

  it('recognises staff by the members table when the gateway sends no roles, and the assignee without roles', async () => {
    const role = snowflake();
    const a = await ticketWithChannel({ staffRole: role });
    await seedMember(db(), a.g.guildId, helper.id, [role]);
    await e().transcripts.recordMessage({ guild_id: a.g.guildId, channel_id: a.channelId, message: message(helper, 'hi', '2030-01-01T00:00:30Z') });
    expect((await row(a.ticket.id)).first_response_at?.toISOString()).toBe('2030-01-01T00:00:30.000Z');

    const b = await ticketWithChannel();
    await e().transcripts.recordMessage({ guild_id: b.g.guildId, channel_id: b.channelId, message: { ...message(bystander, 'hi', '2030-01-01T00:00:40Z'), member_roles: [] } });
    expect((await row(b.ticket.id)).first_response_at).toBeNull();
    await e().tickets.assign(staff, { guild_id: b.g.guildId, ticket: { ticket_id: b.ticket.id }, user_id: bystander.id });
    await e().transcripts.recordMessage({ guild_id: b.g.guildId, channel_id: b.channelId, message: { ...message(bystander, 'on it', '2030-01-01T00:00:50Z'), member_roles: [] } });
    expect((await row(b.ticket.id)).first_response_at?.toISOString()).toBe('2030-01-01T00:00:50.000Z');
  });

  it('clears a clearable expiry on a new message, keeps a non-clearable one, and stays equal to its replayed history', async () => {
    const { g, ticket, channelId } = await ticketWithChannel();
    const ref = { guild_id: g.guildId, ticket: { ticket_id: ticket.id } };
    await e().tickets.setExpiry(staff, { ...ref, expire_at: '2031-01-01T00:00:00.000Z', clearable: false });
    await e().transcripts.recordMessage({ guild_id: g.guildId, channel_id: channelId, message: message(owner, 'still here', '2030-01-01T00:00:00Z') });
    expect((await row(ticket.id)).expire_at?.toISOString()).toBe('2031-01-01T00:00:00.000Z');
    await e().tickets.setExpiry(staff, { ...ref, expire_at: '2031-01-01T00:00:00.000Z', clearable: true });
    await e().transcripts.recordMessage({ guild_id: g.guildId, channel_id: channelId, message: message(bot, 'Closing soon unless you answer', '2030-01-01T00:00:01Z') });
    expect((await row(ticket.id)).expire_at).not.toBeNull();
    const res = await e().transcripts.recordMessage({ guild_id: g.guildId, channel_id: channelId, message: message(owner, 'please keep it open', '2030-01-01T00:00:02Z') });
    expect(res?.expiry_cleared).toBe(true);
    const r = await row(ticket.id);
    expect(r.expire_at).toBeNull();
    const { events } = await e().tickets.events(ref);
    expect(events.map((x) => x.kind)).toEqual(['created', 'expiry_set', 'expiry_set', 'expiry_cleared']);
    expect(replayEvents(events)['expire_at']).toBeNull();
    expect(r.version).toBe(events.length);
  });

  it('keeps notes-thread messages apart: recorded as thread messages, no effect on activity or first response', async () => {
    const role = snowflake();
    const { g, ticket, notesId } = await ticketWithChannel({ staffRole: role });
    const before = await row(ticket.id);
    const res = await e().transcripts.recordMessage({ guild_id: g.guildId, channel_id: notesId, message: { ...message(helper, 'internal: refund approved', '2030-01-01T00:00:00Z'), member_roles: [role] } });
    expect(res).toMatchObject({ in_notes: true, recorded: true, first_response: false });
    const after = await row(ticket.id);
    expect(after.first_response_at).toBeNull();
    expect(after.last_activity).toEqual(before.last_activity);
    const doc = await invoke(getTranscript, opCtx(), { guild_id: g.guildId, ticket_id: ticket.id });
    expect(doc.channel_messages).toEqual([]);
    expect(doc.thread_messages.map((m) => m.content)).toEqual(['internal: refund approved']);
    expect(doc.thread_members.map((m) => m.id)).toEqual([helper.id]);
  });

  it('records edits and soft deletes; the transcript shows both', async () => {
    const { g, ticket, channelId } = await ticketWithChannel();
    const m = message(owner, 'typo', '2030-01-01T00:00:00Z');
    const gone = message(owner, 'oops, my password is hunter2', '2030-01-01T00:00:05Z');
    await e().transcripts.recordMessage({ guild_id: g.guildId, channel_id: channelId, message: m });
    await e().transcripts.recordMessage({ guild_id: g.guildId, channel_id: channelId, message: gone });
    expect(await e().transcripts.recordEdit({ guild_id: g.guildId, channel_id: channelId, message_id: m.id, content: 'fixed', edited_at: '2030-01-01T00:01:00Z' }))
      .toEqual({ guild_id: g.guildId, ticket_id: ticket.id, message_id: m.id });
    expect(await e().transcripts.recordDelete({ guild_id: g.guildId, channel_id: channelId, message_id: gone.id })).not.toBeNull();
    expect(await e().transcripts.recordEdit({ guild_id: g.guildId, channel_id: channelId, message_id: snowflake(), content: 'x' })).toBeNull();
    expect(await e().transcripts.recordDelete({ guild_id: g.guildId, channel_id: channelId, message_id: snowflake() })).toBeNull();
    const doc = await invoke(getTranscript, opCtx(), { guild_id: g.guildId, channel_id: channelId });
    expect(doc.channel_messages.map((x) => [x.content, x.edited_at, x.deleted])).toEqual([
      ['fixed', '2030-01-01T00:01:00.000Z', false],
      ['oops, my password is hunter2', null, true],
    ]);
    expect(doc.channel_messages[1]?.deleted_at).not.toBeNull();
  });

  it('streams thousands of messages in keyset order, batch by batch, each exactly once', async () => {
    const { g, ticket, channelId, notesId } = await ticketWithChannel();
    const base = Date.parse('2030-01-01T00:00:00Z');
    // Bulk rows straight into the store (the recorder path is covered above); many share a timestamp
    // and they are inserted out of time order, so ordering must come from (created_at, id).
    const rows = Array.from({ length: 2500 }, (_, i) => ({
      id: String(100000000000000000n + BigInt((i * 7919) % 2500)),
      ticket_id: ticket.id, guild_id: g.guildId, channel_id: i % 10 === 0 ? notesId : channelId, in_notes: i % 10 === 0,
      author_id: owner.id, author_name: 'Olive', content: `m${i}`, embeds: '[]',
      created_at: new Date(base + Math.floor(((i * 7919) % 2500) / 3) * 1000),
    }));
    for (let i = 0; i < rows.length; i += 500) await db().insertInto('messages').values(rows.slice(i, i + 500)).execute();
    const withFile = rows[5];
    await db().insertInto('attachments').values({ id: snowflake(), message_id: withFile!.id, ticket_id: ticket.id, filename: 'a.txt', content_type: null, size: 1, url: 'https://cdn.example/a.txt' }).execute();
    void g;

    const expected = [...rows].sort((a, b) => a.created_at.getTime() - b.created_at.getTime() || (a.id < b.id ? -1 : 1)).map((r) => r.id);
    const batchSizes: number[] = [];
    for await (const batch of e().transcripts.streamBatches(ticket.id, { batchSize: 300 })) batchSizes.push(batch.length);
    expect(batchSizes.every((n) => n <= 300)).toBe(true);
    expect(batchSizes.reduce((a, b) => a + b, 0)).toBe(2500);

    const seen: TranscriptMessage[] = [];
    for await (const m of e().transcripts.streamMessages(ticket.id, { batchSize: 300 })) seen.push(m);
    expect(seen.map((m) => m.id)).toEqual(expected);
    expect(seen.find((m) => m.id === withFile!.id)?.attachments.map((a) => a.filename)).toEqual(['a.txt']);

    const notes: string[] = [];
    for await (const m of e().transcripts.streamMessages(ticket.id, { batchSize: 64, scope: 'notes' })) notes.push(m.id);
    expect(notes).toEqual(expected.filter((id) => rows.find((r) => r.id === id)!.in_notes));

    // Paging through the operation visits the same sequence.
    const paged: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await invoke(listTranscriptMessages, opCtx(), { guild_id: g.guildId, ticket_id: ticket.id, limit: 500, ...(cursor ? { cursor } : {}) });
      expect(page.total).toBe(2500);
      paged.push(...page.messages.map((m) => m.id));
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    expect(paged).toEqual(expected);
    await expectError(invoke(listTranscriptMessages, opCtx(), { guild_id: g.guildId, ticket_id: ticket.id, cursor: 'nonsense' }), 'invalid', /cursor/);
  });

  it("answers get_transcript in Ticketeer's shape, valid against the output schema", async () => {
    const role = snowflake();
    const { g, ticket, channelId, notesId } = await ticketWithChannel({ staffRole: role });
    await db().insertInto('roles').values({ id: role, guild_id: g.guildId, name: 'Support', color: 0x3498db, position: 3, hoist: true, deleted_at: null }).execute();
    await db().insertInto('channels').values({ id: channelId, guild_id: g.guildId, name: 'ticket-0001', type: 0, parent_id: null, position: 2, topic: null, permission_overwrites: '[]', deleted_at: null }).execute();
    await seedMember(db(), g.guildId, helper.id, [role]);
    const ref = { guild_id: g.guildId, ticket: { ticket_id: ticket.id } };
    await e().tickets.addMember(staff, { ...ref, user_id: bystander.id });
    await e().tickets.rate(staff, { ...ref, rating: 4 });
    const file = { id: snowflake(), filename: 'log.txt', content_type: 'text/plain', size: 12, url: 'https://cdn.example/log.txt' };
    await e().transcripts.recordMessage({ guild_id: g.guildId, channel_id: channelId, message: { ...message(owner, 'here is the log', '2030-01-01T00:00:00Z'), attachments: [file] } });
    await e().transcripts.recordMessage({ guild_id: g.guildId, channel_id: channelId, message: message(helper, 'thanks', '2030-01-01T00:00:09Z') });
    await e().transcripts.recordMessage({ guild_id: g.guildId, channel_id: notesId, message: { ...message(helper, 'note', '2030-01-01T00:00:10Z'), attachments: [{ ...file, id: snowflake(), filename: 'n.txt' }] } });

    const doc = await invoke(getTranscript, opCtx(), { guild_id: g.guildId, ticket_id: ticket.id });
    expect(doc.guild).toMatchObject({ id: g.guildId, premium: true, roles: [{ id: role, name: 'Support', color: '#3498db', position: 3, hoist: true }] });
    expect(doc.guild.channels).toEqual([{ id: channelId, name: 'ticket-0001', type: 0, parent_id: null, position: 2 }]);
    expect(doc.group).toMatchObject({ id: g.groupId, name: 'Support', form_title: '', schedule: {}, schedule_timezone: 'UTC', priority_levels: [{ label: 'Low' }, { label: 'Medium' }, { label: 'High' }] });
    expect(doc.ticket).toMatchObject({ id: ticket.id, uuid: ticket.uuid, status: 'open', owner_id: owner.id, channel_id: channelId, number: 1, rating: 4, private: true, transcript_saved_at: null });
    const members = new Map(doc.channel_members.map((m) => [m.id, m]));
    expect([...members.keys()].sort()).toEqual([owner.id, helper.id, bystander.id].sort());
    expect(members.get(owner.id)).toMatchObject({ name: 'Olive Owner', rating: 4, joined_at: ticket.created_at });
    expect(members.get(helper.id)).toMatchObject({ roles: [role], avatar: `https://cdn.discordapp.com/avatars/${helper.id}/abc123.png`, rating: null });
    expect(members.get(bystander.id)?.avatar).toMatch(/^https:\/\/cdn\.discordapp\.com\/embed\/avatars\/\d\.png$/);
    expect(doc.channel_messages.map((m) => m.content)).toEqual(['here is the log', 'thanks']);
    expect(doc.channel_messages[0]?.attachments).toEqual([file.id]);
    expect(doc.channel_message_attachments).toEqual([expect.objectContaining({ id: file.id, name: 'log.txt', mime: 'text/plain', size: 12, url: file.url, encrypted: false })]);
    expect(doc.thread_message_attachments.map((a) => a.name)).toEqual(['n.txt']);
    expect(doc.thread_members.map((m) => m.id)).toEqual([helper.id]);
  });

  it('saves a transcript: timestamp, event and transcript.post job in one go, with progress; an aborted call writes nothing', async () => {
    const { g, ticket, channelId } = await ticketWithChannel();
    const transcriptChannel = snowflake();
    await db().updateTable('ticket_groups').set({ transcript_channel_id: transcriptChannel }).where('id', '=', g.groupId).execute();
    for (let i = 0; i < 5; i++) await e().transcripts.recordMessage({ guild_id: g.guildId, channel_id: channelId, message: message(owner, `line ${i}`, `2030-01-01T00:00:0${i}Z`) });

    const aborted = new AbortController();
    aborted.abort();
    await expectError(invoke(saveTranscript, opCtx({ signal: aborted.signal }), { guild_id: g.guildId, ticket_id: ticket.id }), 'unavailable', /cancelled/);
    expect((await row(ticket.id)).transcript_saved_at).toBeNull();
    expect(await db().selectFrom('discord_jobs').select('id').where('ticket_id', '=', ticket.id).where('kind', '=', 'transcript.post').execute()).toEqual([]);

    const progress: Array<[number, number | undefined]> = [];
    const doc = await invoke(saveTranscript, opCtx({ progress: (p, t) => progress.push([p, t]) }), { guild_id: g.guildId, ticket_id: ticket.id });
    const saved = await row(ticket.id);
    expect(saved.transcript_saved_at).not.toBeNull();
    expect(doc.ticket.transcript_saved_at).toBe(saved.transcript_saved_at?.toISOString());
    expect(doc.channel_messages).toHaveLength(5);
    const jobs = await db().selectFrom('discord_jobs').selectAll().where('ticket_id', '=', ticket.id).where('kind', '=', 'transcript.post').execute();
    expect(jobs).toHaveLength(1);
    expect(jobs[0]?.payload).toMatchObject({ transcript_channel_id: transcriptChannel, channel_id: channelId, requested_by: helper.id });
    const { events } = await e().tickets.events({ guild_id: g.guildId, ticket: { ticket_id: ticket.id } });
    expect(events.filter((x) => x.kind === 'transcript_saved')).toHaveLength(1);
    expect(progress.length).toBeGreaterThanOrEqual(3);
    expect(progress.map(([p]) => p)).toEqual([...progress.map(([p]) => p)].sort((a, b) => a - b));
    expect(progress.at(-1)).toEqual([6, 6]);
  });

  it('queues a transcript DM with its event, also for a deleted ticket', async () => {
    const { g, ticket } = await ticketWithChannel();
    const ref = { guild_id: g.guildId, ticket_id: ticket.id };
    const out = await invoke(sendTranscript, opCtx(), { ...ref, user_id: bystander.id });
    expect(out).toMatchObject({ queued: true, user_id: bystander.id, ticket: { id: ticket.id } });
    await e().tickets.delete(staff, { guild_id: g.guildId, ticket: { ticket_id: ticket.id } });
    await invoke(sendTranscript, opCtx(), { ...ref, user_id: owner.id });
    const jobs = await db().selectFrom('discord_jobs').select(['kind', 'payload']).where('ticket_id', '=', ticket.id).where('kind', '=', 'transcript.send').orderBy('id').execute();
    expect(jobs.map((j) => j.payload['user_id'])).toEqual([bystander.id, owner.id]);
    const { events } = await e().tickets.events({ guild_id: g.guildId, ticket: { ticket_id: ticket.id } });
    expect(events.filter((x) => x.kind === 'transcript_sent').map((x) => x.data['user_id'])).toEqual([bystander.id, owner.id]);
    // Saving needs the live channel: refused for the deleted ticket, with nothing written.
    await expectError(invoke(saveTranscript, opCtx(), ref), 'conflict', /deleted/);
  });

  it('leaves every ticket column equal to its replayed history through actions, Discord links, messages and transcript requests', async () => {
    const g = await seedGuild(db());
    const role = snowflake();
    await setStaffRoles(db(), g.groupId, [role]);
    const ticket = await e().tickets.create(staff, { guild_id: g.guildId, user_id: owner.id, topic: 'Refund', message: 'Hello', priority: 1, form: [{ title: 'Order', value: '42' }] });
    const ref = { guild_id: g.guildId, ticket: { ticket_id: ticket.id } };
    const channelId = snowflake();
    await e().outbox.linkTicket(ticket.id, { channel_id: channelId, channel_parent_id: snowflake() });
    await e().tickets.setExpiry(staff, { ...ref, expire_at: '2031-01-01T00:00:00.000Z', clearable: true });
    await e().tickets.assign(staff, { ...ref, user_id: bystander.id });
    await e().tickets.rename(staff, { ...ref, name: 'refund-42' });
    await e().tickets.lock(staff, ref);
    await e().tickets.setSummary(staff, { ...ref, summary: 'Wants a refund' });
    await e().tickets.setEternal(staff, { ...ref, eternal: true });
    await e().tickets.createNotes(staff, ref);
    await e().outbox.linkTicket(ticket.id, { notes_thread_id: snowflake() });
    await e().transcripts.recordMessage({ guild_id: g.guildId, channel_id: channelId, message: message(owner, 'any news?', '2030-01-01T00:00:00Z') });
    await e().transcripts.recordMessage({ guild_id: g.guildId, channel_id: channelId, message: { ...message(helper, 'on it', '2030-01-01T00:01:00Z'), member_roles: [role] } });
    await e().transcripts.recordMessage({ guild_id: g.guildId, channel_id: channelId, message: message(owner, 'thanks', '2030-01-01T00:02:00Z') });
    await e().tickets.close(staff, { ...ref, reason: 'solved' });
    await e().tickets.rate(staff, { ...ref, rating: 5 });
    await e().transcripts.save(staff, ref);
    await e().tickets.reopen(staff, ref);
    await e().transcripts.recordMessage({ guild_id: g.guildId, channel_id: channelId, message: message(owner, 'one more thing', '2030-01-02T00:00:00Z') });
    await e().tickets.delete(staff, { ...ref, reason: 'spam' });
    await e().transcripts.send(staff, { ...ref, user_id: owner.id });

    const { events } = await e().tickets.events({ ...ref, limit: 500 });
    const replayed = replayEvents(events);
    const r = await row(ticket.id);
    expect(r.version).toBe(events.length);
    // Columns the history does not carry: the row version (it counts the events, checked above), the
    // outbox's delivery state, and last_activity and whose turn it is (the transcript is their history).
    const outsideHistory = new Set(['version', 'discord_status', 'discord_error', 'opening_message_id', 'last_activity', 'waiting_on', 'waiting_since']);
    const mismatched: string[] = [];
    for (const [column, raw] of Object.entries(r)) {
      if (outsideHistory.has(column)) continue;
      const value = raw instanceof Date ? raw.toISOString() : raw;
      const expected = column in replayed ? replayed[column] : null;
      if (JSON.stringify(value) !== JSON.stringify(expected) && !(expected === null && value === false)) mismatched.push(`${column}: row ${JSON.stringify(value)}, history ${JSON.stringify(expected)}`);
    }
    expect(mismatched).toEqual([]);
    expect(r.last_activity?.toISOString()).toBe('2030-01-02T00:00:00.000Z');
    for (const column of ['last_activity', 'waiting_on', 'waiting_since']) expect(events.some((ev) => column in ((ev.data['changes'] ?? {}) as object))).toBe(false);
    expect(replayed).toMatchObject({ status: 'closed', closed_reason: 'spam', rating: 5, eternal: true, expire_at: null, summary: 'Wants a refund', first_response_at: '2030-01-01T00:01:00.000Z' });
  });

  it('stays consistent under concurrency: a replayed message once, the first response once', async () => {
    const role = snowflake();
    const { g, ticket, channelId } = await ticketWithChannel({ staffRole: role });
    const m = message(owner, 'dup', '2030-01-01T00:00:00Z');
    const dup = await Promise.all(Array.from({ length: 20 }, () => e().transcripts.recordMessage({ guild_id: g.guildId, channel_id: channelId, message: m })));
    expect(dup.filter((r) => r?.recorded)).toHaveLength(1);
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => e().transcripts.recordMessage({
      guild_id: g.guildId, channel_id: channelId, message: { ...message(helper, `answer ${i}`, `2030-01-01T00:01:${String(i).padStart(2, '0')}Z`), member_roles: [role] },
    })));
    expect(answers.filter((r) => r?.first_response)).toHaveLength(1);
    expect(await e().transcripts.countMessages(ticket.id)).toBe(21);
    const { events } = await e().tickets.events({ guild_id: g.guildId, ticket: { ticket_id: ticket.id } });
    expect(events.filter((x) => x.kind === 'first_response')).toHaveLength(1);
    expect((await row(ticket.id)).version).toBe(events.length);
  });
});
