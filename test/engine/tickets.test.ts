import { describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/engine/index.js';
import { EngineError } from '../../src/engine/errors.js';
import { replayEvents } from '../../src/engine/tickets/replay.js';
import { describeEachDatabase } from '../support/databases.js';
import { seedGuild, snowflake, staffActor } from '../support/fixtures.js';

const owner = '849383430663776372';
const staff = staffActor('601082144459178129');

async function expectError(p: Promise<unknown>, code: string, pattern?: RegExp): Promise<void> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err, 'expected the call to fail').toBeInstanceOf(EngineError);
  expect((err as EngineError).code).toBe(code);
  if (pattern) expect((err as EngineError).message).toMatch(pattern);
}

describeEachDatabase('ticket engine', (database) => {
  let engine: Engine;
  const e = () => (engine ??= createEngine(database()));

  it('refuses a create whose default group is gone, giving the number back, and lists an empty page with its total', async () => {
    const g = await seedGuild(database().db);
    await e().tickets.create(staff, { guild_id: g.guildId, user_id: owner });
    const beyond = await e().tickets.list({ guild_id: g.guildId, status: 'open', page: 5 });
    expect(beyond).toMatchObject({ tickets: [], total: 1, page: 5, next_cursor: null });
    await expectError(e().tickets.list({ guild_id: snowflake() }), 'not_found', /Unknown guild/);

    await database().db.updateTable('ticket_groups').set({ deleted_at: new Date() }).where('id', '=', g.groupId).execute();
    await expectError(e().tickets.create(staff, { guild_id: g.guildId, user_id: owner }), 'not_found', /default ticket group .* no longer exists/);
    // The refused create rolled back its number: the next ticket (in a live group) is #2.
    const next = await e().tickets.create(staff, { guild_id: g.guildId, user_id: owner, ticket_group_id: g.threadGroupId });
    expect(next.number).toBe(2);
  });

  it('opens a ticket in the default group with the next number, an event and a Discord job', async () => {
    const g = await seedGuild(database().db);
    const t1 = await e().tickets.create(staff, { guild_id: g.guildId, user_id: owner, message: 'Hello', topic: 'Billing' });
    const t2 = await e().tickets.create(staff, { guild_id: g.guildId, user_id: owner });
    expect(t1).toMatchObject({ number: 1, status: 'open', group_id: g.groupId, owner_id: owner, topic: 'Billing', name: 'ticket-0001' });
    expect(t2.number).toBe(2);
    const events = await e().tickets.events({ guild_id: g.guildId, ticket: { ticket_id: t1.id } });
    expect(events.events.map((x) => x.kind)).toEqual(['created']);
    const jobs = await database().db.selectFrom('discord_jobs').selectAll().where('ticket_id', '=', t1.id).execute();
    expect(jobs.map((j) => j.kind)).toEqual(['ticket.open']);
    expect(jobs[0]?.payload).toMatchObject({ message: 'Hello' });
  });

  it('runs a ticket through its lifecycle, recording every change as an event and a job', async () => {
    const g = await seedGuild(database().db);
    const t = await e().tickets.create(staff, { guild_id: g.guildId, user_id: owner });
    const ref = { guild_id: g.guildId, ticket: { ticket_id: t.id } };
    expect((await e().tickets.claim(staff, ref)).assigned_id).toBe(staff.userId);
    expect((await e().tickets.transfer(staff, { ...ref, user_id: '1305908865287852092' })).assigned_id).toBe('1305908865287852092');
    expect((await e().tickets.setPriority(staff, { ...ref, priority: 2 })).priority).toBe(2);
    expect((await e().tickets.lock(staff, ref)).locked_at).not.toBeNull();
    expect((await e().tickets.unlock(staff, ref)).locked_at).toBeNull();
    expect((await e().tickets.rename(staff, { ...ref, name: 'refund-case' })).name).toBe('refund-case');
    expect((await e().tickets.rename(staff, { ...ref, name: '' })).name).toBe('ticket-0001');
    await e().tickets.addMember(staff, { ...ref, user_id: '1305908865287852092' });
    await e().tickets.createNotes(staff, ref);
    await e().tickets.addNotesMember(staff, { ...ref, user_id: staff.userId! });
    const closed = await e().tickets.close(staff, { ...ref, reason: 'Solved' });
    expect(closed).toMatchObject({ status: 'closed', closed_reason: 'Solved', closed_by: staff.userId });
    const reopened = await e().tickets.reopen(staff, ref);
    expect(reopened).toMatchObject({ status: 'open', closed_reason: null, closed_at: null });
    const deleted = await e().tickets.delete(staff, ref);
    expect(deleted.status).toBe('closed');
    expect(deleted.deleted_at).not.toBeNull();
    const { events } = await e().tickets.events(ref);
    expect(events.map((x) => x.kind)).toEqual(['created', 'claimed', 'transferred', 'priority_set', 'locked', 'unlocked', 'renamed', 'renamed',
      'member_added', 'notes_created', 'notes_member_added', 'closed', 'reopened', 'deleted']);
    expect(events.every((x) => x.actor_id === staff.userId && x.as_bot === false)).toBe(true);
    const jobs = await database().db.selectFrom('discord_jobs').select('kind').where('ticket_id', '=', t.id).orderBy('id').execute();
    expect(jobs.map((j) => j.kind)).toEqual(['ticket.open', 'ticket.assign', 'ticket.assign', 'ticket.priority', 'ticket.lock', 'ticket.unlock',
      'ticket.rename', 'ticket.rename', 'ticket.member.add', 'ticket.notes.create', 'ticket.notes.member.add', 'ticket.close', 'ticket.reopen', 'ticket.delete']);
  });

  it('finds a ticket by its channel id', async () => {
    const g = await seedGuild(database().db);
    const t = await e().tickets.create(staff, { guild_id: g.guildId, user_id: owner });
    const channelId = snowflake();
    await database().db.updateTable('tickets').set({ channel_id: channelId }).where('id', '=', t.id).execute();
    expect((await e().tickets.get({ guild_id: g.guildId, ticket: { channel_id: channelId } })).id).toBe(t.id);
  });

  it('rejects illegal transitions with typed errors and writes nothing', async () => {
    const g = await seedGuild(database().db);
    const other = await seedGuild(database().db);
    const t = await e().tickets.create(staff, { guild_id: g.guildId, user_id: owner });
    const ref = { guild_id: g.guildId, ticket: { ticket_id: t.id } };
    await e().tickets.close(staff, ref);
    const before = await database().db.selectFrom('ticket_events').select((eb) => eb.fn.countAll<string>().as('n')).where('ticket_id', '=', t.id).executeTakeFirstOrThrow();
    await expectError(e().tickets.close(staff, ref), 'conflict', /already closed/);
    await expectError(e().tickets.lock(staff, ref), 'conflict', /closed/);
    await e().tickets.reopen(staff, ref);
    await expectError(e().tickets.setPriority(staff, { ...ref, priority: 3 }), 'invalid', /between 0 and 2/);
    await expectError(e().tickets.move(staff, { ...ref, ticket_group_id: g.threadGroupId }), 'conflict', /same mode/);
    await expectError(e().tickets.get({ guild_id: g.guildId, ticket: { ticket_id: snowflake() } }), 'not_found', /list_tickets/);
    await expectError(e().tickets.close(staff, { guild_id: other.guildId, ticket: { ticket_id: t.id } }), 'not_found');
    await expectError(e().tickets.create(staff, { guild_id: g.guildId, user_id: owner, ticket_group_id: other.groupId }), 'not_found', /No ticket group .* list_ticket_groups/);
    await expectError(e().tickets.create(staff, { guild_id: g.guildId, user_id: owner, priority: 3 }), 'invalid', /between 0 and 2 \(0=Low, 1=Medium, 2=High\)/);
    await database().db.updateTable('ticket_groups').set({ priority_levels: '[]' }).where('id', '=', g.threadGroupId).execute();
    await expectError(e().tickets.create(staff, { guild_id: g.guildId, user_id: owner, ticket_group_id: g.threadGroupId, priority: 0 }), 'invalid', /no priority levels/);
    expect((await e().tickets.list({ guild_id: g.guildId })).total).toBe(1);
    await expectError(e().tickets.removeMember(staff, { ...ref, user_id: snowflake() }), 'not_found');
    await expectError(e().tickets.addNotesMember(staff, { ...ref, user_id: snowflake() }), 'conflict', /create_notes_thread/);
    const after = await database().db.selectFrom('ticket_events').select((eb) => eb.fn.countAll<string>().as('n')).where('ticket_id', '=', t.id).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n) + 1); // only the reopen
    const current = await e().tickets.get(ref);
    expect(current).toMatchObject({ status: 'open', priority: null, group_id: g.groupId, locked_at: null });
  });

  it('answers ModuleDisabled for every ticket operation of a guild whose module is off', async () => {
    const g = await seedGuild(database().db);
    const t = await e().tickets.create(staff, { guild_id: g.guildId, user_id: owner });
    await database().db.updateTable('guilds').set({ module_enabled: false }).where('id', '=', g.guildId).execute();
    await expectError(e().tickets.create(staff, { guild_id: g.guildId, user_id: owner }), 'module_disabled', /disabled/);
    await expectError(e().tickets.get({ guild_id: g.guildId, ticket: { ticket_id: t.id } }), 'module_disabled');
    await expectError(e().tickets.close(staff, { guild_id: g.guildId, ticket: { ticket_id: t.id } }), 'module_disabled');
    await expectError(e().tickets.list({ guild_id: g.guildId }), 'module_disabled');
  });

  it('enforces the per-user open limit of a group', async () => {
    const g = await seedGuild(database().db, { perUserLimit: 1 });
    await e().tickets.create(staff, { guild_id: g.guildId, user_id: owner });
    await expectError(e().tickets.create(staff, { guild_id: g.guildId, user_id: owner }), 'conflict', /limit 1/);
    const next = await e().tickets.create(staff, { guild_id: g.guildId, user_id: '1305908865287852092' });
    expect(next.number).toBe(2); // the refused create gave its number back
  });

  it('lists with filters, text search, page and cursor pagination', async () => {
    const g = await seedGuild(database().db);
    for (let i = 0; i < 7; i++) {
      const t = await e().tickets.create(staff, { guild_id: g.guildId, user_id: i % 2 ? owner : '1305908865287852092', topic: i === 3 ? 'Refund for order 42' : `Question ${i}` });
      if (i < 2) await e().tickets.close(staff, { guild_id: g.guildId, ticket: { ticket_id: t.id } });
    }
    const open = await e().tickets.list({ guild_id: g.guildId, status: 'open' });
    expect(open.total).toBe(5);
    expect(open.tickets.map((t) => t.number)).toEqual([7, 6, 5, 4, 3]);
    expect((await e().tickets.list({ guild_id: g.guildId, owner_id: owner })).total).toBe(3);
    const search = await e().tickets.list({ guild_id: g.guildId, q: 'refund' });
    expect(search.tickets.map((t) => t.number)).toEqual([4]);
    const p2 = await e().tickets.list({ guild_id: g.guildId, per_page: 3, page: 2 });
    expect(p2.tickets.map((t) => t.number)).toEqual([4, 3, 2]);
    const seen: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await e().tickets.list({ guild_id: g.guildId, per_page: 3, sort: 'number', order: 'asc', cursor });
      seen.push(...page.tickets.map((t) => t.number));
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7]);
    await expectError(e().tickets.list({ guild_id: g.guildId, cursor: 'garbage' }), 'invalid', /cursor/);
    await expectError(e().tickets.list({ guild_id: g.guildId, created_after: 'yesterday' }), 'invalid', /created_after/);
    const forged = (c: unknown) => Buffer.from(JSON.stringify(c)).toString('base64url');
    await expectError(e().tickets.list({ guild_id: g.guildId, cursor: forged({ n: 1.5, o: 'asc' }) }), 'invalid', /cursor/);
    await expectError(e().tickets.list({ guild_id: g.guildId, cursor: forged({ n: 1e300, o: 'desc' }) }), 'invalid', /cursor/);
    await expectError(e().tickets.list({ guild_id: g.guildId, cursor: forged(null) }), 'invalid', /cursor/);
    const first = (await e().tickets.list({ guild_id: g.guildId, per_page: 1 })).tickets[0]!;
    await expectError(e().tickets.events({ guild_id: g.guildId, ticket: { ticket_id: first.id }, after_id: '99999999999999999999999' }), 'invalid', /after_id/);
    await expectError(e().tickets.list({ guild_id: g.guildId, created_before: '2030-13-45T99:00:00Z' }), 'invalid', /created_before/);
  });

  it('reports totals that equal a count of the listed tickets, deleted ones included or not', async () => {
    const g = await seedGuild(database().db);
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push((await e().tickets.create(staff, { guild_id: g.guildId, user_id: owner })).id);
    const ref = (id: string) => ({ guild_id: g.guildId, ticket: { ticket_id: id } });
    await e().tickets.close(staff, ref(ids[0]!));
    await e().tickets.delete(staff, ref(ids[1]!)); // open → closed and deleted
    await e().tickets.close(staff, ref(ids[2]!));
    await e().tickets.delete(staff, ref(ids[2]!)); // closed → deleted
    const all = async (input: Parameters<Engine['tickets']['list']>[0]) => {
      const page = await e().tickets.list({ ...input, per_page: 100 });
      expect(page.total, JSON.stringify(input)).toBe(page.tickets.length);
      return page.total;
    };
    expect(await all({ guild_id: g.guildId })).toBe(4);
    expect(await all({ guild_id: g.guildId, status: 'open' })).toBe(3);
    expect(await all({ guild_id: g.guildId, status: 'closed' })).toBe(1);
    expect(await all({ guild_id: g.guildId, include_deleted: true })).toBe(6);
    expect(await all({ guild_id: g.guildId, status: 'closed', include_deleted: true })).toBe(3);
    expect(await all({ guild_id: g.guildId, owner_id: owner, include_deleted: true })).toBe(6);
    expect(await all({ guild_id: g.guildId, owner_id: owner })).toBe(4);
  });

  it('gives 200 concurrent creates in one guild the numbers 1..200 exactly once', async () => {
    const g = await seedGuild(database().db);
    const created = await Promise.all(Array.from({ length: 200 }, (_, i) =>
      e().tickets.create(staff, { guild_id: g.guildId, user_id: owner, topic: `t${i}` })));
    expect(created.map((t) => t.number).sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
  });

  it('leaves a ticket equal to its replayed history after 50 concurrent conflicting changes', async () => {
    const g = await seedGuild(database().db);
    const t = await e().tickets.create(staff, { guild_id: g.guildId, user_id: owner });
    const ref = { guild_id: g.guildId, ticket: { ticket_id: t.id } };
    const staffIds = ['601082144459178129', '1305908865287852092', '849383430663776372'];
    const calls = Array.from({ length: 50 }, (_, i) => {
      const op = i % 5;
      if (op === 0) return e().tickets.close(staff, { ...ref, reason: `r${i}` });
      if (op === 1) return e().tickets.reopen(staff, ref);
      if (op === 2) return e().tickets.assign(staff, { ...ref, user_id: staffIds[i % 3]! });
      if (op === 3) return e().tickets.lock(staff, ref);
      return e().tickets.unlock(staff, ref);
    });
    const results = await Promise.allSettled(calls);
    for (const r of results) if (r.status === 'rejected') expect((r.reason as EngineError).code).toBe('conflict');
    const { events } = await e().tickets.events({ ...ref, limit: 500 });
    const replayed = replayEvents(events);
    const row = await database().db.selectFrom('tickets').selectAll().where('id', '=', t.id).executeTakeFirstOrThrow();
    expect(replayed['status']).toBe(row.status);
    expect(replayed['assigned_id'] ?? null).toBe(row.assigned_id);
    expect(replayed['locked_at'] ?? null).toBe(row.locked_at?.toISOString() ?? null);
    expect(replayed['closed_reason'] ?? null).toBe(row.closed_reason);
    expect(row.version).toBe(events.length);
  });
});

describe('replayEvents', () => {
  it('applies changes in order', () => {
    expect(replayEvents([{ data: { changes: { status: 'open', assigned_id: null } } }, { data: { changes: { status: 'closed' } } }, { data: {} }]))
      .toEqual({ status: 'closed', assigned_id: null });
  });
});
