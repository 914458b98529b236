import { expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/engine/index.js';
import { EngineError } from '../../src/engine/errors.js';
import type { Actor } from '../../src/engine/actor.js';
import { invoke, type OperationContext } from '../../src/operations/define.js';
import { findOperation } from '../../src/operations/index.js';
import { describeEachDatabase } from '../support/databases.js';
import { guildSnapshot, seedGuild, snowflake, staffActor } from '../support/fixtures.js';

const owner = '849383430663776372';
const staff = staffActor('601082144459178129');

interface GroupOut { id: string; name: string; is_default: boolean; count: number; mode: string; [k: string]: unknown }

describeEachDatabase('ticket groups', (database) => {
  let engine: Engine;
  const e = () => (engine ??= createEngine(database()));
  const ctx = (actor: Actor): OperationContext => ({ engine: e(), actor, requestId: 'test', signal: new AbortController().signal, progress: () => {} });
  const call = async <T = GroupOut>(name: string, input: unknown, actor: Actor = staff): Promise<T> => {
    const op = findOperation(name);
    if (!op) throw new Error(`no operation ${name}`);
    return await invoke(op, ctx(actor), input) as T;
  };
  const fail = async (name: string, input: unknown): Promise<EngineError> => {
    const err = await call(name, input).then(() => undefined, (x: unknown) => x);
    expect(err, `${name} should fail`).toBeInstanceOf(EngineError);
    return err as EngineError;
  };
  const db = () => database().db;
  const groupRows = (guildId: string) => db().selectFrom('ticket_groups').selectAll().where('guild_id', '=', guildId).orderBy('id').execute();
  const defaults = async (guildId: string) => {
    const rows = await db().selectFrom('ticket_groups').select('id').where('guild_id', '=', guildId).where('is_default', '=', true).where('deleted_at', 'is', null).execute();
    const guild = await db().selectFrom('guilds').select('default_group_id').where('id', '=', guildId).executeTakeFirstOrThrow();
    return { rows: rows.map((r) => r.id), guild: guild.default_group_id };
  };

  it('creates a group with every field, reads it back, and lists groups with ticket counts and pages', async () => {
    const snap = guildSnapshot();
    const sync = await e().guilds.applySync(snap);
    const full = {
      guild_id: snap.guild.id, name: 'Billing', mode: 'channel', opened_category_id: snap.ids.category, closed_category_id: snap.ids.category,
      locked_category_id: null, assigned_category_id: snap.ids.category, transcript_channel_id: snap.ids.transcripts,
      form_channel_id: snap.ids.general, feedback_channel_id: snap.ids.general, staff_role_ids: [snap.ids.staffRole],
      name_template: 'billing-{number}', opening_message: 'Welcome! Staff will be with you soon.', form_title: 'Billing question',
      form_fields: [
        { label: 'Invoice number', style: 1, required: true, max_length: 20 },
        { label: 'Plan', type: 3, options: [{ label: 'Free', value: 'free' }, { label: 'Pro', value: 'pro' }] },
      ],
      schedule: { mo: [['09:00', '12:00'], ['13:00', '17:30']], fr: [['09:00', '24:00']] }, schedule_timezone: 'Europe/Amsterdam',
      priority_levels: [{ label: 'Low' }, { label: 'High', default: true }], rating_levels: [{ label: 'Bad' }, { label: 'Good' }],
      per_user_limit: 2, private: true, close_on_leave: true,
    };
    const created = await call('create_ticket_group', full);
    const { guild_id: _g, ...fields } = full;
    expect(created).toMatchObject({ ...fields, is_default: false, count: 0 });
    expect(await call('get_ticket_group', { guild_id: snap.guild.id, group_id: created.id })).toEqual(created);

    await e().tickets.create(staff, { guild_id: snap.guild.id, user_id: owner, ticket_group_id: created.id });
    await e().tickets.create(staff, { guild_id: snap.guild.id, user_id: owner, ticket_group_id: created.id });
    await e().tickets.create(staff, { guild_id: snap.guild.id, user_id: owner });
    const list = await call<{ groups: GroupOut[]; total: number }>('list_ticket_groups', { guild_id: snap.guild.id });
    expect(list.total).toBe(2);
    expect(list.groups.map((g) => [g.id, g.count, g.is_default])).toEqual([[sync.default_group_id, 1, true], [created.id, 2, false]]);
    const page2 = await call<{ groups: GroupOut[]; total: number; page: number; per_page: number }>('list_ticket_groups', { guild_id: snap.guild.id, page: 2, per_page: 1 });
    expect(page2).toMatchObject({ total: 2, page: 2, per_page: 1 });
    expect(page2.groups.map((g) => g.id)).toEqual([created.id]);
  });

  it('close_on_leave is off by default, set by create and update, and shown by get and list', async () => {
    const g = await seedGuild(db());
    const plain = await call('create_ticket_group', { guild_id: g.guildId, name: 'Plain' });
    expect(plain.close_on_leave).toBe(false);
    const on = await call('update_ticket_group', { guild_id: g.guildId, group_id: plain.id, close_on_leave: true });
    expect(on.close_on_leave).toBe(true);
    expect((await call('get_ticket_group', { guild_id: g.guildId, group_id: plain.id })).close_on_leave).toBe(true);
    // A patch without the field leaves it as it is.
    expect((await call('update_ticket_group', { guild_id: g.guildId, group_id: plain.id, name: 'Renamed' })).close_on_leave).toBe(true);
    const list = await call<{ groups: GroupOut[] }>('list_ticket_groups', { guild_id: g.guildId });
    expect(list.groups.find((x) => x.id === plain.id)?.close_on_leave).toBe(true);
    const row = await db().selectFrom('ticket_groups').select('close_on_leave').where('id', '=', plain.id).executeTakeFirstOrThrow();
    expect(row.close_on_leave).toBe(true);
    const off = await call('update_ticket_group', { guild_id: g.guildId, group_id: plain.id, close_on_leave: false });
    expect(off.close_on_leave).toBe(false);
    const err = await fail('update_ticket_group', { guild_id: g.guildId, group_id: plain.id, close_on_leave: 'yes' });
    expect(err.code).toBe('invalid');
    expect(err.message).toContain('close_on_leave');
  });

  it('keeps exactly one default group per guild, moved atomically with guilds.default_group_id', async () => {
    const g = await seedGuild(db());
    const b = await call('create_ticket_group', { guild_id: g.guildId, name: 'B', is_default: true });
    expect(b.is_default).toBe(true);
    expect(await defaults(g.guildId)).toEqual({ rows: [b.id], guild: b.id });
    const c = await call('create_ticket_group', { guild_id: g.guildId, name: 'C' });
    expect(c.is_default).toBe(false);
    await call('update_ticket_group', { guild_id: g.guildId, group_id: g.groupId, is_default: true });
    expect(await defaults(g.guildId)).toEqual({ rows: [g.groupId], guild: g.groupId });
    // New tickets follow the new default.
    expect((await e().tickets.create(staff, { guild_id: g.guildId, user_id: owner })).group_id).toBe(g.groupId);

    // Concurrent default switches still leave one default, the one the guild row names.
    await Promise.allSettled([b.id, c.id, g.groupId, b.id, c.id].map((id) => call('update_ticket_group', { guild_id: g.guildId, group_id: id, is_default: true })));
    const after = await defaults(g.guildId);
    expect(after.rows).toHaveLength(1);
    expect(after.guild).toBe(after.rows[0]);

    const undefault = await fail('update_ticket_group', { guild_id: g.guildId, group_id: after.guild, is_default: false });
    expect(undefault.code).toBe('conflict');
    expect(undefault.message).toMatch(/Make another group the default/);
    const del = await fail('delete_ticket_group', { guild_id: g.guildId, group_id: after.guild });
    expect(del.code).toBe('conflict');
    expect(del.message).toMatch(/default group.*Make another group the default first/);
  });

  it('refuses to delete a group with open tickets or to switch its mode, and soft-deletes an idle group', async () => {
    const g = await seedGuild(db());
    const t = await e().tickets.create(staff, { guild_id: g.guildId, user_id: owner, ticket_group_id: g.threadGroupId });
    const ref = { guild_id: g.guildId, group_id: g.threadGroupId };
    const busy = await fail('delete_ticket_group', ref);
    expect(busy.code).toBe('conflict');
    expect(busy.message).toMatch(/1 open ticket.*move_ticket/);
    const mode = await fail('update_ticket_group', { ...ref, mode: 'channel' });
    expect(mode.code).toBe('conflict');
    expect(mode.message).toMatch(/mode can change only when none are open/);

    const panel = await call<{ id: string }>('create_panel', { guild_id: g.guildId, name: 'P' });
    const option = await call<{ id: string }>('add_panel_option', { guild_id: g.guildId, panel_id: panel.id, title: 'Threads', group_id: g.threadGroupId });
    await e().tickets.close(staff, { guild_id: g.guildId, ticket: { ticket_id: t.id } });
    const deleted = await call('delete_ticket_group', ref);
    expect(deleted.id).toBe(g.threadGroupId);
    const list = await call<{ groups: GroupOut[] }>('list_ticket_groups', { guild_id: g.guildId });
    expect(list.groups.map((x) => x.id)).toEqual([g.groupId]);
    expect((await fail('get_ticket_group', ref)).code).toBe('not_found');
    // The closed ticket keeps its group; the panel option falls back to the default group.
    expect((await e().tickets.get({ guild_id: g.guildId, ticket: { ticket_id: t.id } })).group_id).toBe(g.threadGroupId);
    expect((await call<{ group_id: string | null }>('get_panel_option', { guild_id: g.guildId, panel_id: panel.id, option_id: option.id })).group_id).toBeNull();
  });

  it('rejects bad group input with a sentence saying what to fix, and writes nothing', async () => {
    const snap = guildSnapshot();
    await e().guilds.applySync(snap);
    const gid = snap.guild.id;
    const before = await groupRows(gid);
    const cases: Array<[unknown, RegExp, string]> = [
      [{ guild_id: gid, name: 'X', schedule: { mo: [['09:00', '17:00']] }, schedule_timezone: 'Mars/Olympus' }, /not an IANA time zone/, 'schedule_timezone'],
      [{ guild_id: gid, name: 'X', schedule: { mo: [['09:00', '17:00']] } }, /need a time zone/, 'schedule_timezone'],
      [{ guild_id: gid, name: 'X', schedule: { tu: [['17:00', '09:00']] }, schedule_timezone: 'UTC' }, /must start before it ends/, 'schedule.tu.0'],
      [{ guild_id: gid, name: 'X', schedule: { tu: [['9:00', '17:00']] }, schedule_timezone: 'UTC' }, /HH:MM/, 'schedule.tu.0.0'],
      [{ guild_id: gid, name: 'X', form_fields: Array.from({ length: 6 }, (_, i) => ({ label: `Q${i}` })) }, /at most 5|<=5/i, 'form_fields'],
      [{ guild_id: gid, name: 'X', form_fields: [{ label: 'Pick', type: 3 }] }, /needs options/, 'form_fields.0.options'],
      [{ guild_id: gid, name: 'X', name_template: 'ticket-{user}' }, /unknown variable \{user\}/, 'name_template'],
      [{ guild_id: gid, name: 'X', opened_category_id: snap.ids.general }, /must be a category/, 'opened_category_id'],
      [{ guild_id: gid, name: 'X', transcript_channel_id: snowflake() }, /not a channel of guild.*list_guild_channels/, 'transcript_channel_id'],
      [{ guild_id: gid, name: 'X', staff_role_ids: [snowflake()] }, /not a role.*list_guild_roles/, 'staff_role_ids'],
      [{ guild_id: gid, name: 'X', mode: 'thread', opened_channel_id: snap.ids.forum }, /text or announcement channel/, 'opened_channel_id'],
      [{ guild_id: gid, name: 'X', priority_levels: [{ label: 'A', default: true }, { label: 'B', default: true }] }, /at most one level/, 'priority_levels'],
      [{ guild_id: gid, name: 'X', surprise: true }, /surprise|unrecognized/i, ''],
      [{ guild_id: gid, name: '' }, /name/, 'name'],
    ];
    for (const [input, message, path] of cases) {
      const err = await fail('create_ticket_group', input);
      expect(err.code, JSON.stringify(input)).toBe('invalid');
      expect(err.message).toMatch(message);
      if (path) expect(err.details.fields?.map((f) => f.path)).toContain(path);
    }
    const existing = before[0]!;
    const upd = await fail('update_ticket_group', { guild_id: gid, group_id: existing.id, schedule: { we: [['10:00', '11:00']] } });
    expect(upd.message).toMatch(/need a time zone/);
    expect(await groupRows(gid)).toEqual(before);
  });

  it("treats another guild's group as not found", async () => {
    const mine = await seedGuild(db());
    const theirs = await seedGuild(db());
    const ref = { guild_id: mine.guildId, group_id: theirs.groupId };
    for (const [name, input] of [['get_ticket_group', ref], ['update_ticket_group', { ...ref, name: 'Stolen' }], ['delete_ticket_group', ref]] as const) {
      const err = await fail(name, input);
      expect(err.code, name).toBe('not_found');
      expect(err.message).toMatch(/list_ticket_groups/);
    }
    const row = await db().selectFrom('ticket_groups').select(['name', 'deleted_at']).where('id', '=', theirs.groupId).executeTakeFirstOrThrow();
    expect(row).toEqual({ name: 'Support', deleted_at: null });
  });
});
