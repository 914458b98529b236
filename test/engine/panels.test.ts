import { expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/engine/index.js';
import { EngineError } from '../../src/engine/errors.js';
import type { Actor } from '../../src/engine/actor.js';
import { invoke, type OperationContext } from '../../src/operations/define.js';
import { findOperation } from '../../src/operations/index.js';
import { describeEachDatabase } from '../support/databases.js';
import { guildSnapshot, seedGuild, snowflake, staffActor } from '../support/fixtures.js';

const staff = staffActor('601082144459178129');

interface OptionOut { id: string; title: string; group_id: string | null; position: number; emoji_name: string | null; emoji_id: string | null }
interface PanelOut { id: string; group_id: string | null; owns_group: boolean; channel_id: string | null; message_id: string | null; options: OptionOut[]; [k: string]: unknown }

describeEachDatabase('ticket panels', (database) => {
  let engine: Engine;
  const e = () => (engine ??= createEngine(database()));
  const ctx = (actor: Actor): OperationContext => ({ engine: e(), actor, requestId: 'test', signal: new AbortController().signal, progress: () => {} });
  const call = async <T = PanelOut>(name: string, input: unknown): Promise<T> => {
    const op = findOperation(name);
    if (!op) throw new Error(`no operation ${name}`);
    return await invoke(op, ctx(staff), input) as T;
  };
  const fail = async (name: string, input: unknown): Promise<EngineError> => {
    const err = await call(name, input).then(() => undefined, (x: unknown) => x);
    expect(err, `${name} should fail`).toBeInstanceOf(EngineError);
    return err as EngineError;
  };
  const db = () => database().db;
  const jobs = (guildId: string) => db().selectFrom('discord_jobs').select(['kind', 'payload']).where('guild_id', '=', guildId).orderBy('id').execute();
  const state = async (guildId: string) => ({
    panels: await db().selectFrom('panels').selectAll().where('guild_id', '=', guildId).orderBy('id').execute(),
    options: await db().selectFrom('panel_options').selectAll().where('guild_id', '=', guildId).orderBy('id').execute(),
    groups: await db().selectFrom('ticket_groups').selectAll().where('guild_id', '=', guildId).orderBy('id').execute(),
    jobs: await jobs(guildId),
  });

  it('creates a Husqy panel whose ticket settings become its own ticket group, and queues the panel post in the same step', async () => {
    const snap = guildSnapshot();
    await e().guilds.applySync(snap);
    const gid = snap.guild.id;
    const husqy = {
      guild_id: gid, name: 'Support panel', panel_type: 'dropdown', channel_id: snap.ids.transcripts, category_id: snap.ids.category,
      create_message_is_embed: true, create_message_content: 'default', title: 'Need help?', description: 'Pick a topic', color: '#5865F2',
      placeholder: 'Choose…',
      form_enabled: true, form_content: JSON.stringify({ title: 'Tell us more', fields: [{ label: 'What happened?', style: 2 }] }),
      ticket_opened_message_is_embed: false, ticket_opened_message_content: 'Thanks, {number} is yours.'.replace('{number}', 'this ticket'),
      ticket_opened_name: 'help-{number}', support_engineer_role_id: snap.ids.staffRole,
      open_tickets_categories: [snap.ids.category], closed_tickets_categories: [snap.ids.category], threads_enabled: true,
    };
    const panel = await call('create_panel', husqy);
    const { guild_id: _g, ...echo } = husqy;
    expect(panel).toMatchObject({ ...echo, component: 'select', owns_group: true, message_id: null, options: [] });
    const group = await db().selectFrom('ticket_groups').selectAll().where('id', '=', panel.group_id!).executeTakeFirstOrThrow();
    expect(group).toMatchObject({
      guild_id: gid, name: 'Support panel tickets', is_default: false, mode: 'thread', opened_channel_id: snap.ids.transcripts,
      name_template: 'help-{number}', opening_message: husqy.ticket_opened_message_content, staff_role_ids: [snap.ids.staffRole],
      opened_category_id: snap.ids.category, closed_category_id: snap.ids.category, form_title: 'Tell us more',
      form_fields: [{ label: 'What happened?', style: 2 }],
    });
    expect(await jobs(gid)).toEqual([{ kind: 'panel.post', payload: expect.objectContaining({ panel_id: panel.id, channel_id: snap.ids.transcripts, message_id: null, create_channel: false }) }]);
    expect(await call('get_panel', { guild_id: gid, panel_id: panel.id })).toEqual(panel);

    // Updating the ticket settings updates the panel's own group; nothing else is created.
    const updated = await call('update_panel', { guild_id: gid, panel_id: panel.id, threads_enabled: false, form_enabled: false, ticket_opened_name: 'case-{number}' });
    expect(updated).toMatchObject({ threads_enabled: false, form_enabled: false, ticket_opened_name: 'case-{number}', group_id: panel.group_id, owns_group: true });
    expect(await db().selectFrom('ticket_groups').select(['mode', 'form_fields', 'name_template']).where('id', '=', panel.group_id!).executeTakeFirstOrThrow())
      .toEqual({ mode: 'channel', form_fields: [], name_template: 'case-{number}' });
    expect(await db().selectFrom('ticket_groups').select('id').where('guild_id', '=', gid).execute()).toHaveLength(2);

    const page = await call<{ panels: PanelOut[]; total: number; page: number; per_page: number }>('list_panels', { guild_id: gid, per_page: 10 });
    expect(page).toMatchObject({ total: 1, page: 1, per_page: 10 });
    expect(page.panels[0]?.id).toBe(panel.id);
  });

  it('adds, lists and removes ticket types, each change queuing a panel re-post; a type points only at a group of its own guild', async () => {
    const g = await seedGuild(db());
    const other = await seedGuild(db());
    const channel = snowflake();
    const panel = await call('create_panel', { guild_id: g.guildId, name: 'Buttons', channel_id: channel, group_id: g.groupId });
    expect(panel).toMatchObject({ group_id: g.groupId, owns_group: false, panel_type: 'ticket_type_button', component: 'buttons' });
    const a = await call<OptionOut>('add_panel_option', { guild_id: g.guildId, panel_id: panel.id, title: 'Billing', emoji_name: '💳', group_id: g.threadGroupId, style: 3 });
    const b = await call<OptionOut>('add_panel_option', { guild_id: g.guildId, panel_id: panel.id, title: 'Other', emoji_name: 'ticket', emoji_id: snowflake() });
    expect([a.position, b.position]).toEqual([0, 1]);
    expect(a).toMatchObject({ title: 'Billing', emoji_name: '💳', emoji_id: null, group_id: g.threadGroupId, style: 3 });
    const listed = await call<{ options: OptionOut[] }>('list_panel_options', { guild_id: g.guildId, panel_id: panel.id });
    expect(listed.options.map((o) => o.id)).toEqual([a.id, b.id]);
    expect(await call('get_panel_option', { guild_id: g.guildId, panel_id: panel.id, option_id: b.id })).toEqual(b);
    expect((await call('get_panel', { guild_id: g.guildId, panel_id: panel.id })).options.map((o) => o.title)).toEqual(['Billing', 'Other']);

    const before = await state(g.guildId);
    const foreign = await fail('add_panel_option', { guild_id: g.guildId, panel_id: panel.id, title: 'Sneaky', group_id: other.groupId });
    expect(foreign.code).toBe('not_found');
    expect(foreign.message).toMatch(/list_ticket_groups/);
    const long = await fail('add_panel_option', { guild_id: g.guildId, panel_id: panel.id, title: 'x'.repeat(81) });
    expect(long.code).toBe('invalid');
    expect(long.message).toMatch(/80 characters/);
    expect(await state(g.guildId)).toEqual(before);

    await call('delete_panel_option', { guild_id: g.guildId, panel_id: panel.id, option_id: a.id });
    expect((await fail('get_panel_option', { guild_id: g.guildId, panel_id: panel.id, option_id: a.id })).code).toBe('not_found');
    const kinds = (await jobs(g.guildId)).map((j) => j.kind);
    expect(kinds).toEqual(['panel.post', 'panel.post', 'panel.post', 'panel.post']);

    for (let i = 1; i < 25; i++) await call('add_panel_option', { guild_id: g.guildId, panel_id: panel.id, title: `T${i}` });
    const full = await fail('add_panel_option', { guild_id: g.guildId, panel_id: panel.id, title: 'One too many' });
    expect(full.code).toBe('conflict');
    expect(full.message).toMatch(/25 ticket types/);
  });

  it('moves a posted panel to another channel (remove + post) and removes it from Discord when deleted', async () => {
    const g = await seedGuild(db());
    const first = snowflake();
    const panel = await call('create_panel', { guild_id: g.guildId, name: 'Moving', channel_id: first, form_enabled: true });
    expect(panel.owns_group).toBe(true);
    await call<OptionOut>('add_panel_option', { guild_id: g.guildId, panel_id: panel.id, title: 'Help' });
    // The driver records the posted message.
    const messageId = snowflake();
    await db().updateTable('panels').set({ message_id: messageId }).where('id', '=', panel.id).execute();
    const second = snowflake();
    const moved = await call('update_panel', { guild_id: g.guildId, panel_id: panel.id, channel_id: second, title: 'Moved' });
    expect(moved).toMatchObject({ channel_id: second, message_id: null, title: 'Moved' });
    const afterMove = (await jobs(g.guildId)).slice(-2);
    expect(afterMove).toEqual([
      { kind: 'panel.remove', payload: { panel_id: panel.id, channel_id: first, message_id: messageId } },
      { kind: 'panel.post', payload: expect.objectContaining({ panel_id: panel.id, channel_id: second, message_id: null }) },
    ]);

    const posted = snowflake();
    await db().updateTable('panels').set({ message_id: posted }).where('id', '=', panel.id).execute();
    const deleted = await call('delete_panel', { guild_id: g.guildId, panel_id: panel.id });
    expect(deleted.id).toBe(panel.id);
    expect((await jobs(g.guildId)).at(-1)).toEqual({ kind: 'panel.remove', payload: { panel_id: panel.id, channel_id: second, message_id: posted } });
    expect(await db().selectFrom('panel_options').select('id').where('panel_id', '=', panel.id).execute()).toEqual([]);
    const ownGroup = await db().selectFrom('ticket_groups').select('deleted_at').where('id', '=', panel.group_id!).executeTakeFirstOrThrow();
    expect(ownGroup.deleted_at).not.toBeNull();
    expect((await fail('get_panel', { guild_id: g.guildId, panel_id: panel.id })).code).toBe('not_found');
  });

  it('rejects bad panel input with a sentence saying what to fix, and writes nothing', async () => {
    const snap = guildSnapshot();
    await e().guilds.applySync(snap);
    const gid = snap.guild.id;
    const shared = await call<PanelOut>('create_panel', { guild_id: gid, name: 'Shared', group_id: (await db().selectFrom('guilds').select('default_group_id').where('id', '=', gid).executeTakeFirstOrThrow()).default_group_id });
    const before = await state(gid);
    const cases: Array<[string, unknown, RegExp, string]> = [
      ['create_panel', { guild_id: gid, name: 'X', channel_id: snowflake() }, /not a channel of guild/, 'channel_id'],
      ['create_panel', { guild_id: gid, name: 'X', channel_id: snap.ids.general, category_id: snap.ids.category }, /not in category/, 'channel_id'],
      ['create_panel', { guild_id: gid, name: 'X', category_id: snap.ids.general }, /must be a category/, 'category_id'],
      ['create_panel', { guild_id: gid, name: 'X', form_enabled: true, form_content: '{not json' }, /form_content must be "default" or JSON/, 'form_content'],
      ['create_panel', { guild_id: gid, name: 'X', form_enabled: true, form_content: JSON.stringify(Array.from({ length: 6 }, (_, i) => ({ label: `Q${i}` }))) }, /not a usable form/, 'form_content'],
      ['create_panel', { guild_id: gid, name: 'X', ticket_opened_name: 'ticket-{user}' }, /ticket_opened_name: unknown variable/, 'ticket_opened_name'],
      ['create_panel', { guild_id: gid, name: 'X', support_engineer_role_id: snowflake() }, /not a role/, 'support_engineer_role_id'],
      ['create_panel', { guild_id: gid, name: 'X', group_id: shared.group_id, threads_enabled: true }, /either group_id/, 'group_id'],
      ['create_panel', { guild_id: gid, name: 'X', color: 'blue' }, /hex color/, 'color'],
      ['create_panel', { guild_id: gid, name: 'X', panel_type: 'create button' }, /panel_type/, 'panel_type'],
      ['update_panel', { guild_id: gid, panel_id: shared.id, threads_enabled: true }, /shared ticket group/, 'group_id'],
      ['add_panel_option', { guild_id: gid, panel_id: shared.id, title: 'X', style: 7 }, /style/, 'style'],
    ];
    for (const [name, input, message, path] of cases) {
      const err = await fail(name, input);
      expect(err.code, JSON.stringify(input)).toBe('invalid');
      expect(err.message).toMatch(message);
      expect(err.details.fields?.map((f) => f.path)).toContain(path);
    }
    expect(await state(gid)).toEqual(before);
  });

  it("treats another guild's panel and ticket types as not found", async () => {
    const mine = await seedGuild(db());
    const theirs = await seedGuild(db());
    const panel = await call('create_panel', { guild_id: theirs.guildId, name: 'Theirs', channel_id: snowflake() });
    const option = await call<OptionOut>('add_panel_option', { guild_id: theirs.guildId, panel_id: panel.id, title: 'T' });
    const before = await state(theirs.guildId);
    const p = { guild_id: mine.guildId, panel_id: panel.id };
    for (const [name, input] of [
      ['get_panel', p], ['update_panel', { ...p, name: 'Mine now' }], ['delete_panel', p], ['add_panel_option', { ...p, title: 'X' }],
      ['list_panel_options', p], ['get_panel_option', { ...p, option_id: option.id }], ['delete_panel_option', { ...p, option_id: option.id }],
    ] as const) {
      const err = await fail(name, input);
      expect(err.code, name).toBe('not_found');
      expect(err.message).toMatch(/list_panels/);
    }
    expect(await state(theirs.guildId)).toEqual(before);
  });
});
