import { expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/engine/index.js';
import { EngineError } from '../../src/engine/errors.js';
import type { Actor } from '../../src/engine/actor.js';
import { invoke, type OperationContext } from '../../src/operations/define.js';
import { findOperation } from '../../src/operations/index.js';
import { describeEachDatabase } from '../support/databases.js';
import { guildSnapshot as snapshot, seedGuild, snowflake, staffActor } from '../support/fixtures.js';

const owner = '849383430663776372';
const staff = staffActor('601082144459178129');

async function failure(p: Promise<unknown>): Promise<EngineError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err, 'expected the call to fail').toBeInstanceOf(EngineError);
  return err as EngineError;
}

describeEachDatabase('guild engine', (database) => {
  let engine: Engine;
  const e = () => (engine ??= createEngine(database()));
  const ctx = (actor: Actor): OperationContext => ({ engine: e(), actor, requestId: 'test', signal: new AbortController().signal, progress: () => {} });
  const call = (name: string, actor: Actor, input: unknown) => {
    const op = findOperation(name);
    if (!op) throw new Error(`no operation ${name}`);
    return invoke(op, ctx(actor), input);
  };
  const db = () => database().db;

  /** Every row the sync writes for a guild, to compare states. */
  async function dump(guildId: string, userIds: string[]) {
    return {
      guild: await db().selectFrom('guilds').selectAll().where('id', '=', guildId).execute(),
      channels: await db().selectFrom('channels').selectAll().where('guild_id', '=', guildId).orderBy('id').execute(),
      roles: await db().selectFrom('roles').selectAll().where('guild_id', '=', guildId).orderBy('id').execute(),
      emojis: await db().selectFrom('emojis').selectAll().where('guild_id', '=', guildId).orderBy('id').execute(),
      users: await db().selectFrom('users').selectAll().where('id', 'in', userIds).orderBy('id').execute(),
      members: await db().selectFrom('members').selectAll().where('guild_id', '=', guildId).orderBy('user_id').execute(),
      groups: await db().selectFrom('ticket_groups').selectAll().where('guild_id', '=', guildId).execute(),
    };
  }

  it('records a guild snapshot with one default group wired to the given channels, and a second identical sync changes nothing', async () => {
    const snap = snapshot();
    const first = await e().guilds.applySync(snap);
    expect(first.created).toBe(true);
    expect(first.changed).toMatchObject({ guild: 1, channels: 4, roles: 2, emojis: 1, members: 3 });
    expect(first.changed.users).toBeGreaterThanOrEqual(1); // the users table is shared by every guild of this database
    const groups = await db().selectFrom('ticket_groups').selectAll().where('guild_id', '=', snap.guild.id).execute();
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({
      id: first.default_group_id, is_default: true, name: 'Support', opened_category_id: snap.ids.category,
      transcript_channel_id: snap.ids.transcripts, staff_role_ids: [snap.ids.staffRole],
    });
    const guild = await e().guilds.get(snap.guild.id);
    expect(guild).toMatchObject({ name: 'Demo Guild', default_group_id: first.default_group_id, module_enabled: true, joined_at: '2024-01-01T00:00:00.000Z', synced_at: '2025-01-01T12:00:00.000Z' });
    expect(guild.counts).toMatchObject({ channels: 4, roles: 2, members: 3, groups: 1, tickets: { open: 0, closed: 0, total: 0 } });

    const userIds = snap.members!.map((m) => m.user.id);
    const before = await dump(snap.guild.id, userIds);
    const second = await e().guilds.applySync(snap);
    expect(second).toEqual({ guild_id: snap.guild.id, created: false, default_group_id: first.default_group_id, changed: { guild: 0, channels: 0, roles: 0, emojis: 0, users: 0, members: 0 } });
    expect(await dump(snap.guild.id, userIds)).toEqual(before);

    // A later snapshot: a channel renamed, one gone, a member left, an emoji removed. Still one group.
    const later = { ...snap, fetched_at: '2025-01-02T12:00:00.000Z', emojis: [],
      channels: snap.channels.filter((c) => c.id !== snap.ids.forum).map((c) => (c.id === snap.ids.general ? { ...c, name: 'chat' } : c)),
      members: snap.members!.filter((m) => m.user.id !== snap.ids.other) };
    const third = await e().guilds.applySync(later);
    expect(third.changed).toMatchObject({ guild: 0, channels: 2, roles: 0, emojis: 1, users: 0, members: 1 });
    const forum = await db().selectFrom('channels').selectAll().where('id', '=', snap.ids.forum).executeTakeFirstOrThrow();
    expect(forum.deleted_at?.toISOString()).toBe('2025-01-02T12:00:00.000Z');
    const left = await db().selectFrom('members').selectAll().where('guild_id', '=', snap.guild.id).where('user_id', '=', snap.ids.other).executeTakeFirstOrThrow();
    expect(left.left_at).not.toBeNull();
    expect(await db().selectFrom('ticket_groups').select('id').where('guild_id', '=', snap.guild.id).execute()).toHaveLength(1);
    const listed = await call('list_guild_channels', staff, { guild_id: snap.guild.id, types: [0] }) as { channels: Array<{ name: string }> };
    expect(listed.channels.map((c) => c.name)).toEqual(['chat', 'transcripts']);
  });

  it('gives concurrent first syncs of one guild exactly one default group', async () => {
    const snap = snapshot();
    const results = await Promise.all([e().guilds.applySync(snap), e().guilds.applySync(snap), e().guilds.applySync(snap)]);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const groups = await db().selectFrom('ticket_groups').select(['id', 'is_default']).where('guild_id', '=', snap.guild.id).execute();
    expect(groups).toEqual([{ id: results[0]!.default_group_id, is_default: true }]);
  });

  it('refuses a malformed snapshot and writes nothing', async () => {
    const snap = snapshot();
    const bad = { ...snap, channels: [...snap.channels, { id: 'not-a-snowflake', name: 'x', type: 0 }] };
    const err = await failure(e().guilds.applySync(bad));
    expect(err.code).toBe('invalid');
    expect(err.message).toMatch(/channels\.4\.id: must be a Discord snowflake/);
    expect(await db().selectFrom('guilds').select('id').where('id', '=', snap.guild.id).execute()).toEqual([]);
  });

  it('reads guilds, roles and the current user through the catalogue, scoped to the caller', async () => {
    const a = snapshot();
    const b = await seedGuild(db());
    await e().guilds.applySync(a);
    const scoped: Actor = { ...staffActor(owner, [a.guild.id]), abilities: new Set(['guild:read', 'tickets:read']) };
    const mine = await call('list_guilds', scoped, {}) as { guilds: Array<{ id: string }> };
    expect(mine.guilds.map((g) => g.id)).toEqual([a.guild.id]);
    const all = await call('list_guilds', staff, {}) as { guilds: Array<{ id: string }> };
    expect(all.guilds.map((g) => g.id)).toEqual(expect.arrayContaining([a.guild.id, b.guildId]));
    expect((await failure(call('get_guild', scoped, { guild_id: b.guildId }))).code).toBe('forbidden');
    expect((await failure(call('get_guild', staff, { guild_id: snowflake() }))).code).toBe('not_found');
    const bad = await failure(call('get_guild', staff, { guild_id: 'abc' }));
    expect(bad.code).toBe('invalid');
    expect(bad.details.fields?.[0]?.path).toBe('guild_id');

    const roles = await call('list_guild_roles', scoped, { guild_id: a.guild.id }) as { roles: Array<{ name: string }> };
    expect(roles.roles.map((r) => r.name)).toEqual(['Staff', '@everyone']);

    expect(await call('get_current_user', scoped, {})).toEqual({
      id: owner, name: 'Owner Person', username: 'owner', discriminator: '0', locale: null, bot: false, verified: true,
      avatar: `https://cdn.discordapp.com/embed/avatars/${Number((BigInt(owner) >> 22n) % 6n)}.png`, joined_at: '2024-02-01T00:00:00.000Z',
    });
    const staffer = await call('get_current_user', staff, {}) as { avatar: string; name: string };
    expect(staffer).toMatchObject({ name: 'staffer', avatar: `https://cdn.discordapp.com/avatars/${staff.userId}/a_abcdef.gif` });
    expect(await call('get_current_user', { ...staff, userId: null }, {})).toMatchObject({ id: '0', name: 'ticketbridge operator', bot: false });
    expect((await failure(call('get_current_user', staffActor(snowflake()), {}))).code).toBe('not_found');
    expect((await failure(call('get_guild', { ...scoped, abilities: new Set(['tickets:read']) }, { guild_id: a.guild.id }))).code).toBe('forbidden');
  });

  it('answers module_disabled for every ticket operation of a disabled guild while other guilds work, and toggles like Husqy', async () => {
    const g = await seedGuild(db());
    const other = await seedGuild(db());
    const t = await e().tickets.create(staff, { guild_id: g.guildId, user_id: owner });
    expect(await call('get_tickets_module_status', staff, { guild_id: g.guildId })).toEqual({ guild_id: g.guildId, enabled: true });
    const enabledAgain = await failure(call('enable_tickets_module', staff, { guild_id: g.guildId }));
    expect(enabledAgain.code).toBe('conflict');
    expect(enabledAgain.details['reason']).toBe('module_enabled');

    expect(await call('disable_tickets_module', staff, { guild_id: g.guildId })).toEqual({ guild_id: g.guildId, enabled: false });
    const ref = { guild_id: g.guildId, ticket_id: t.id };
    for (const [name, input] of [
      ['create_ticket', { guild_id: g.guildId, user_id: owner }],
      ['get_ticket', ref], ['list_tickets', { guild_id: g.guildId }], ['close_ticket', ref], ['claim_ticket', ref],
      ['list_ticket_groups', { guild_id: g.guildId }], ['create_panel', { guild_id: g.guildId, name: 'Support' }],
    ] as const) {
      const err = await failure(call(name, staff, input));
      expect(err.code, name).toBe('module_disabled');
      expect(err.message).toMatch(/enable_tickets_module/);
    }
    expect((await e().tickets.get({ guild_id: g.guildId, ticket: { ticket_id: t.id } }).catch((x: EngineError) => x.code))).toBe('module_disabled');
    const row = await db().selectFrom('tickets').select('status').where('id', '=', t.id).executeTakeFirstOrThrow();
    expect(row.status).toBe('open');
    // The other guild is unaffected.
    const elsewhere = await call('create_ticket', staff, { guild_id: other.guildId, user_id: owner }) as { number: number };
    expect(elsewhere.number).toBe(1);

    const disabledAgain = await failure(call('disable_tickets_module', staff, { guild_id: g.guildId }));
    expect(disabledAgain.code).toBe('module_disabled');
    expect(await call('enable_tickets_module', staff, { guild_id: g.guildId })).toEqual({ guild_id: g.guildId, enabled: true });
    expect(await call('close_ticket', staff, ref)).toMatchObject({ status: 'closed' });
  });

  it('deletes all ticket data of one guild in one step, stats included, and leaves the guild and other guilds alone', async () => {
    const g = await seedGuild(db());
    const other = await seedGuild(db());
    for (const guildId of [g.guildId, other.guildId]) {
      const t = await e().tickets.create(staff, { guild_id: guildId, user_id: owner, topic: 'x' });
      await e().tickets.close(staff, { guild_id: guildId, ticket: { ticket_id: t.id } });
      await e().tickets.create(staff, { guild_id: guildId, user_id: owner });
      await db().insertInto('messages').values({ id: snowflake(), ticket_id: t.id, guild_id: guildId, channel_id: snowflake(), author_id: owner, author_name: 'owner', author_avatar: null, content: 'hi', embeds: '[]', created_at: new Date(), edited_at: null, deleted_at: null }).execute();
      await call('create_panel', staff, { guild_id: guildId, name: 'Panel', channel_id: snowflake(), form_enabled: true });
      await call('create_custom_message', staff, { guild_id: guildId, name: 'Hello', content: 'Hi {user}' });
      await call('add_ticket_block', staff, { guild_id: guildId, user_id: '1200000000000000009', reason: 'spam' });
      await call('create_ticket_webhook', staff, { guild_id: guildId, url: 'https://example.com/hook' });
      await e().tickets.create(staff, { guild_id: guildId, user_id: owner, topic: 'after the webhook' });
    }
    const count = async (guildId: string) => {
      const n = async (table: 'tickets' | 'ticket_events' | 'messages' | 'ticket_groups' | 'panels' | 'panel_options' | 'custom_messages' | 'discord_jobs' | 'ticket_blocks' | 'ticket_webhooks' | 'webhook_deliveries' | 'guild_stats' | 'guild_stat_counts' | 'guild_daily_stats') =>
        Number((await db().selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n')).where('guild_id', '=', guildId).executeTakeFirstOrThrow()).n);
      return {
        tickets: await n('tickets'), events: await n('ticket_events'), messages: await n('messages'), groups: await n('ticket_groups'),
        panels: await n('panels'), options: await n('panel_options'), custom: await n('custom_messages'), jobs: await n('discord_jobs'), blocks: await n('ticket_blocks'),
        webhooks: await n('ticket_webhooks'), deliveries: await n('webhook_deliveries'),
        stats: await n('guild_stats'), statCounts: await n('guild_stat_counts'), daily: await n('guild_daily_stats'),
      };
    };
    const otherBefore = await count(other.guildId);
    const before = await count(g.guildId);
    expect(before.stats).toBe(1);
    const result = await call('delete_guild_ticket_data', staff, { guild_id: g.guildId });
    expect(before.deliveries, 'the ticket opened after the webhook was sent there').toBe(1);
    expect(result).toEqual({ guild_id: g.guildId, deleted: { tickets: 3, events: before.events, messages: 1, groups: 3, panels: 1, custom_messages: 1, jobs: before.jobs, blocks: 1, webhooks: 1 } });
    expect(await count(g.guildId)).toEqual({ tickets: 0, events: 0, messages: 0, groups: 0, panels: 0, options: 0, custom: 0, jobs: 0, blocks: 0, webhooks: 0, deliveries: 0, stats: 0, statCounts: 0, daily: 0 });
    expect(await count(other.guildId)).toEqual(otherBefore);
    const guild = await call('get_guild', staff, { guild_id: g.guildId }) as { default_group_id: string | null; counts: { tickets: { total: number } } };
    expect(guild).toMatchObject({ default_group_id: null, counts: { tickets: { total: 0 } } });
    // Again: nothing left to delete.
    expect(await call('delete_guild_ticket_data', staff, { guild_id: g.guildId })).toMatchObject({ deleted: { tickets: 0, groups: 0 } });
    // The guild starts over: a new default group, ticket numbers from 1.
    const group = await call('create_ticket_group', staff, { guild_id: g.guildId, name: 'Fresh' }) as { id: string; is_default: boolean };
    expect(group.is_default).toBe(true);
    expect((await e().tickets.create(staff, { guild_id: g.guildId, user_id: owner })).number).toBe(1);
  });
});
