/**
 * Inactivity auto-close on the engine with a hand-moved clock: a group's idle tickets are warned
 * once per stretch of silence, then closed; a person's message restarts the count, a bot's does not;
 * eternal tickets and groups without the setting are left alone; settings are checked.
 */
import { expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/engine/index.js';
import { EngineError } from '../../src/engine/errors.js';
import { replayEvents } from '../../src/engine/tickets/replay.js';
import { describeEachDatabase } from '../support/databases.js';
import { attachDiscordIds, manualClock, seedGuild, snowflake, staffActor } from '../support/fixtures.js';

const owner = { id: '849383430663776372', username: 'casey' };
const bot = { id: '1190000000000000001', username: 'ticketbridge', bot: true };
const staff = staffActor('601082144459178129');
const HOUR = 3600;

describeEachDatabase('inactivity auto-close', (database) => {
  const clock = manualClock('2030-05-01T08:00:00.000Z');
  let engine: Engine;
  const e = () => (engine ??= createEngine(database(), { now: clock.now }));
  const db = () => database().db;
  const row = (id: string) => db().selectFrom('tickets').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  /** Other tests' tickets share the database: each test looks at its own tickets' state, not the tick's counts. */
  const notices = (id: string) => db().selectFrom('discord_jobs').select('payload').where('ticket_id', '=', id).where('kind', '=', 'ticket.notice').execute();

  it('warns the owner once, restarts on a person\'s message (not a bot\'s), then closes with the reason', async () => {
    const g = await seedGuild(db());
    const group = await e().groups.update(staff, { guild_id: g.guildId, group_id: g.groupId, auto_close_hours: 24, stale_warning_hours: 6 });
    expect(group).toMatchObject({ auto_close_hours: 24, stale_warning_hours: 6 });
    const t = await e().tickets.create(staff, { guild_id: g.guildId, user_id: owner.id });
    const { channel_id } = await attachDiscordIds(db(), t.id);
    const ref = { guild_id: g.guildId, ticket: { ticket_id: t.id } };
    const tick = async () => { await e().tickets.closeIdle(staff); return { status: (await row(t.id)).status, warnings: (await notices(t.id)).length }; };
    const record = (author: typeof owner | typeof bot, text: string) => e().transcripts.recordMessage({
      guild_id: g.guildId, channel_id, message: { id: snowflake(), author, content: text, embeds: [], attachments: [], created_at: clock.now().toISOString() },
    });

    // A ticket nobody wrote in counts from its opening: 17 h in, nothing is due yet.
    clock.advance(17 * HOUR);
    expect(await tick()).toEqual({ status: 'open', warnings: 0 });
    clock.advance(1 * HOUR);
    expect(await tick()).toEqual({ status: 'open', warnings: 1 });
    const [warning] = await notices(t.id);
    expect(warning?.payload).toMatchObject({ ping_user_id: owner.id, text: expect.stringContaining(`<@${owner.id}>`) });
    // The close time is in the text as a Discord timestamp: opening + 24 h.
    expect(String(warning?.payload['text'])).toContain(`<t:${Date.parse('2030-05-02T08:00:00.000Z') / 1000}:R>`);
    // One warning per silence, however often the scheduler looks.
    clock.advance(1 * HOUR);
    expect(await tick()).toEqual({ status: 'open', warnings: 1 });

    // The bot's own line (the warning itself, as Discord echoes it) is no activity; the owner's is.
    await record(bot, 'This ticket closes by itself soon');
    clock.advance(1 * HOUR);
    await record(owner, 'Still waiting for the refund!');
    clock.advance(18 * HOUR - 1);
    expect(await tick()).toEqual({ status: 'open', warnings: 1 });
    clock.advance(1);
    expect(await tick()).toEqual({ status: 'open', warnings: 2 });

    clock.advance(6 * HOUR);
    expect(await tick()).toEqual({ status: 'closed', warnings: 2 });
    const closed = await e().tickets.get(ref);
    expect(closed).toMatchObject({ status: 'closed', closed_reason: 'No activity for 24 hours.' });
    expect(await tick()).toEqual({ status: 'closed', warnings: 2 });

    const { events } = await e().tickets.events({ ...ref, limit: 100 });
    expect(events.map((x) => x.kind)).toEqual(['created', 'stale_warned', 'stale_warned', 'closed']);
    const jobs = await db().selectFrom('discord_jobs').select('kind').where('ticket_id', '=', t.id).orderBy('id').execute();
    expect(jobs.map((j) => j.kind)).toEqual(['ticket.open', 'ticket.notice', 'ticket.notice', 'ticket.close']);
    // The row still equals its replayed history.
    const r = await row(t.id);
    expect(replayEvents(events)['stale_warned_at']).toBe(r.stale_warned_at?.toISOString());
    expect(r.version).toBe(events.length);

    // Reopened, it counts again from the reopening.
    await e().tickets.reopen(staff, ref);
    clock.advance(17 * HOUR);
    expect(await tick()).toEqual({ status: 'open', warnings: 2 });
    clock.advance(1 * HOUR);
    expect(await tick()).toEqual({ status: 'open', warnings: 3 });
    clock.advance(6 * HOUR);
    expect(await tick()).toEqual({ status: 'closed', warnings: 3 });
  });

  it('leaves eternal tickets, groups without the setting and disabled guilds alone, and closes without a warning when none is set', async () => {
    const g = await seedGuild(db());
    await e().groups.update(staff, { guild_id: g.guildId, group_id: g.threadGroupId, auto_close_hours: 2 });
    const plain = await e().tickets.create(staff, { guild_id: g.guildId, user_id: owner.id });
    const idle = await e().tickets.create(staff, { guild_id: g.guildId, user_id: owner.id, ticket_group_id: g.threadGroupId });
    const eternal = await e().tickets.create(staff, { guild_id: g.guildId, user_id: owner.id, ticket_group_id: g.threadGroupId });
    await e().tickets.setEternal(staff, { guild_id: g.guildId, ticket: { ticket_id: eternal.id }, eternal: true });
    clock.advance(200 * HOUR);
    const counts = await e().tickets.closeIdle(staff);
    expect(counts.closed).toBeGreaterThanOrEqual(1);
    expect((await row(idle.id)).status).toBe('closed');
    expect(await notices(idle.id)).toHaveLength(0);
    expect((await row(plain.id)).status).toBe('open');
    expect((await row(eternal.id)).status).toBe('open');

    const off = await seedGuild(db());
    await e().groups.update(staff, { guild_id: off.guildId, group_id: off.groupId, auto_close_hours: 1 });
    const kept = await e().tickets.create(staff, { guild_id: off.guildId, user_id: owner.id });
    await e().guilds.disableModule(staff, off.guildId);
    clock.advance(5 * HOUR);
    await e().tickets.closeIdle(staff);
    expect((await row(kept.id)).status).toBe('open');
  });

  it('checks the settings: a warning needs a close after it', async () => {
    const g = await seedGuild(db());
    const fail = async (p: Promise<unknown>, pattern: RegExp) => {
      const err = await p.then(() => undefined, (x: unknown) => x);
      expect(err).toBeInstanceOf(EngineError);
      expect((err as EngineError).code).toBe('invalid');
      expect((err as EngineError).message).toMatch(pattern);
      expect((err as EngineError).details.fields?.[0]?.path).toBe('stale_warning_hours');
    };
    await fail(e().groups.update(staff, { guild_id: g.guildId, group_id: g.groupId, stale_warning_hours: 2 }), /set auto_close_hours too/);
    await fail(e().groups.update(staff, { guild_id: g.guildId, group_id: g.groupId, auto_close_hours: 4, stale_warning_hours: 4 }), /less than auto_close_hours \(4\)/);
    await fail(e().groups.create(staff, { guild_id: g.guildId, name: 'Sales', auto_close_hours: 3, stale_warning_hours: 5 }), /less than auto_close_hours/);
    await e().groups.update(staff, { guild_id: g.guildId, group_id: g.groupId, auto_close_hours: 48, stale_warning_hours: 12 });
    // Turning the close off while a warning is set would leave a warning without a close.
    await fail(e().groups.update(staff, { guild_id: g.guildId, group_id: g.groupId, auto_close_hours: null }), /set auto_close_hours too/);
    expect(await e().groups.update(staff, { guild_id: g.guildId, group_id: g.groupId, auto_close_hours: null, stale_warning_hours: null }))
      .toMatchObject({ auto_close_hours: null, stale_warning_hours: null });
  });
});
