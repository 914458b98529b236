/**
 * Periodic work runs once across processes: two engines on one PostgreSQL database (as two `serve`
 * processes have), each with its own scheduler, tick together over the same due items. Each due item
 * takes effect once: one close per expired / idle / unanswered ticket, one warning message job, one
 * sweep run. Sweeps read the sandbox through discord.js (the same channel reader `serve` installs).
 */
import { REST } from 'discord.js';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connect.js';
import { openDatabase } from '../../src/db/connect.js';
import { createEngine, type Engine } from '../../src/engine/index.js';
import { channelHistory } from '../../src/discord/channel-history.js';
import { startScheduler, type Scheduler } from '../../src/discord/scheduler.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { clonePostgres, postgresAvailable, type TestDatabase } from '../support/databases.js';
import { manualClock, seedGuild, staffActor } from '../support/fixtures.js';

const HOUR = 3600;
const staff = staffActor('601082144459178129');
const owner = '849383430663776372';

describe.skipIf(!postgresAvailable())('periodic work across processes [postgres]', () => {
  let test: TestDatabase;
  let databases: Database[] = [];
  let engines: Engine[] = [];
  let schedulers: Scheduler[] = [];
  let sandbox: Sandbox;
  const clock = manualClock('2031-02-01T08:00:00.000Z');
  const logger = pino({ level: 'silent' });

  beforeAll(async () => {
    test = await clonePostgres();
    databases = [await test.open(), await openDatabase({ databaseUrl: test.url!, migrate: false, poolSize: 4 })];
    engines = databases.map((d) => createEngine(d, { now: clock.now }));
    sandbox = await startSandbox({ rateLimits: false, logger });
    for (const e of engines) {
      const rest = new REST({ api: sandbox.apiUrl, version: '10' }).setToken(sandbox.botToken);
      e.outbox.installPort({
        syncGuild: () => Promise.reject(new Error('not used here')),
        channelMessages: (channelId, after, max, signal) => channelHistory(rest, channelId, after, max, signal),
        botUserId: () => sandbox.botUserId,
        status: () => ({ mode: 'sandbox', url: sandbox.url, ready: true }),
      });
    }
    // Long intervals: the test ticks them itself.
    schedulers = engines.map((e) => startScheduler(e, logger, 3_600_000));
  });
  afterAll(async () => {
    for (const s of schedulers) s.stop();
    await sandbox?.close();
    for (const d of databases) await d.close();
    await test?.drop();
  });

  it('two schedulers ticking together close, warn and sweep each due item once', async () => {
    const [a] = engines as [Engine, Engine];
    const db = databases[0]!.db;
    const g = await seedGuild(db);
    await a.groups.update(staff, { guild_id: g.guildId, group_id: g.groupId, auto_close_hours: 24, stale_warning_hours: 6 });
    // Expiry and close requests in the group without auto-close, so only their own rule closes them.
    const other = { guild_id: g.guildId, group_id: g.threadGroupId };
    const expiring = await a.tickets.create(staff, { ...other, user_id: owner });
    await a.tickets.setExpiry(staff, { guild_id: g.guildId, ticket: { ticket_id: expiring.id }, expire_at: new Date(clock.now().getTime() + HOUR * 1000).toISOString() });
    const asked = await a.tickets.create(staff, { ...other, user_id: owner });
    await a.tickets.requestClose(staff, { guild_id: g.guildId, ticket: { ticket_id: asked.id }, reason: 'Solved?', close_after_hours: 2 });
    const idle = await Promise.all([0, 1, 2].map(() => a.tickets.create(staff, { guild_id: g.guildId, user_id: owner })));
    clock.advance(7 * HOUR);
    const quiet = await Promise.all([0, 1, 2].map(() => a.tickets.create(staff, { guild_id: g.guildId, user_id: owner })));
    // A monitored channel (the sandbox's general channel) with an action item in it; never swept yet.
    const general = sandbox.demo.generalChannelId;
    await db.insertInto('channels').values({ id: general, guild_id: g.guildId, name: 'general', type: 0, parent_id: null, topic: null, permission_overwrites: JSON.stringify([]), deleted_at: null }).execute();
    await a.actionItems.config.monitor(staff, { guild_id: g.guildId, channel_id: general });
    sandbox.actMessage({ user_id: sandbox.demo.customerUserId, channel_id: general, content: 'TODO: renew the certificate' });
    // 25 h after the first tickets opened: those are idle past 24 h, the later ones 18 h (warning time).
    clock.advance(18 * HOUR);

    // Both processes, several ticks each, all at once.
    await Promise.all(schedulers.flatMap((s) => [s.tick(), s.tick()]));
    await Promise.all(schedulers.map((s) => s.tick()));

    const events = await db.selectFrom('ticket_events').select(['ticket_id', 'kind', 'reason'])
      .where('ticket_id', 'in', [expiring.id, asked.id, ...idle.map((t) => t.id), ...quiet.map((t) => t.id)])
      .where('kind', 'in', ['closed', 'stale_warned']).execute();
    const count = (id: string, kind: string) => events.filter((e) => e.ticket_id === id && e.kind === kind).length;
    expect(count(expiring.id, 'closed')).toBe(1);
    expect(events.find((e) => e.ticket_id === expiring.id)?.reason).toBe('The ticket expired.');
    expect(count(asked.id, 'closed')).toBe(1);
    for (const t of idle) expect([count(t.id, 'closed'), count(t.id, 'stale_warned')]).toEqual([1, 0]);
    for (const t of quiet) expect([count(t.id, 'closed'), count(t.id, 'stale_warned')]).toEqual([0, 1]);
    const warnings = await db.selectFrom('discord_jobs').select('ticket_id').where('kind', '=', 'ticket.notice')
      .where('ticket_id', 'in', quiet.map((t) => t.id)).execute();
    expect(warnings.map((w) => w.ticket_id).sort()).toEqual(quiet.map((t) => t.id).sort());
    const statuses = await db.selectFrom('tickets').select(['id', 'status']).where('id', 'in', [expiring.id, asked.id, ...idle.map((t) => t.id)]).execute();
    expect(statuses.every((t) => t.status === 'closed')).toBe(true);

    const sweeps = await db.selectFrom('sweeps').select(['status', 'action_items_found']).where('guild_id', '=', g.guildId).execute();
    expect(sweeps).toEqual([{ status: 'completed', action_items_found: 1 }]);
    expect(await db.selectFrom('action_items').select('text').where('guild_id', '=', g.guildId).execute()).toEqual([{ text: 'renew the certificate' }]);
  });
});
