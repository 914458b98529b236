import fc from 'fast-check';
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { createEngineContext } from '../../src/engine/context.js';
import { createEngine, type Engine } from '../../src/engine/index.js';
import { EngineError } from '../../src/engine/errors.js';
import { createStats, type GuildStats } from '../../src/engine/stats.js';
import { invoke } from '../../src/operations/define.js';
import { getGuildStats } from '../../src/operations/stats.js';
import { describeEachDatabase } from '../support/databases.js';
import { attachDiscordIds, manualClock, seedGuild, setStaffRoles, snowflake, staffActor } from '../support/fixtures.js';

const staffIds = ['601082144459178129', '1305908865287852092', '1100000000000000003'];
const owners = ['849383430663776372', '1200000000000000001'];
const staff = staffActor(staffIds[0]!);
const DAY = 86_400_000;

type CountMap = Record<string, { open: number; closed: number; total: number }>;

function toMap<T extends { open: number; closed: number; total: number }>(rows: T[], key: (r: T) => string): CountMap {
  const out: CountMap = {};
  for (const r of rows) if (r.total > 0) out[key(r)] = { open: r.open, closed: r.closed, total: r.total };
  return out;
}

describeEachDatabase('guild stats', (database) => {
  const db = () => database().db;
  const clock = manualClock();
  let engine: Engine;
  const e = () => (engine ??= createEngine(database(), { now: clock.now }));

  /** The same figures computed the slow way: a plain aggregate over the tickets table. */
  async function aggregate(guildId: string, todayStart: Date) {
    const by = async (column: 'group_id' | 'assigned_id' | 'priority') => {
      const rows = await db().selectFrom('tickets')
        .select([sql<string>`coalesce(${sql.ref(column)}::text, 'none')`.as('k'), 'status', (eb) => eb.fn.countAll<string>().as('n')])
        .where('guild_id', '=', guildId).groupBy([column, 'status']).execute();
      const out: CountMap = {};
      for (const r of rows) {
        if (column === 'assigned_id' && r.k === 'none') continue;
        const c = (out[r.k] ??= { open: 0, closed: 0, total: 0 });
        c[r.status] += Number(r.n);
        c.total += Number(r.n);
      }
      return out;
    };
    const all = (await by('group_id'));
    const sum = Object.values(all).reduce((a, c) => ({ open: a.open + c.open, closed: a.closed + c.closed, total: a.total + c.total }), { open: 0, closed: 0, total: 0 });
    const week = await db().selectFrom('tickets').select((eb) => eb.fn.countAll<string>().as('n'))
      .where('guild_id', '=', guildId).where('created_at', '>=', new Date(todayStart.getTime() - 6 * DAY)).executeTakeFirstOrThrow();
    const rated = await db().selectFrom('tickets').select([sql<string | null>`avg(rating)`.as('avg'), sql<string>`count(rating)`.as('n')])
      .where('guild_id', '=', guildId).executeTakeFirstOrThrow();
    return {
      ...sum, byGroup: all, byAssignee: await by('assigned_id'), byPriority: await by('priority'), createdThisWeek: Number(week.n),
      averageRating: rated.avg === null ? null : Number(rated.avg), rated: Number(rated.n),
    };
  }

  const stats = (guildId: string): Promise<GuildStats> => e().stats.guild({ guild_id: guildId });

  it('keeps counters equal to a plain aggregate over tickets through any mix of changes', async () => {
    const Op = fc.oneof(
      fc.record({ op: fc.constant('create' as const), owner: fc.nat(1), group: fc.nat(2), priority: fc.option(fc.nat(2), { nil: undefined }) }),
      fc.record({ op: fc.constantFrom('close' as const, 'reopen' as const, 'delete' as const, 'hard_delete' as const, 'unassign' as const, 'answer' as const, 'owner_says' as const), t: fc.nat(40) }),
      fc.record({ op: fc.constant('assign' as const), t: fc.nat(40), who: fc.nat(2) }),
      fc.record({ op: fc.constant('priority' as const), t: fc.nat(40), p: fc.option(fc.nat(2), { nil: null }) }),
      fc.record({ op: fc.constant('move' as const), t: fc.nat(40) }),
      fc.record({ op: fc.constant('rate' as const), t: fc.nat(40), stars: fc.integer({ min: 1, max: 5 }) }),
      fc.record({ op: fc.constant('wait' as const), hours: fc.integer({ min: 1, max: 60 }) }),
    );
    await fc.assert(fc.asyncProperty(fc.array(Op, { minLength: 25, maxLength: 40 }), async (ops) => {
      clock.set('2025-03-01T08:00:00.000Z');
      const g = await seedGuild(db());
      const billingId = snowflake();
      await db().insertInto('ticket_groups').values({
        id: billingId, guild_id: g.guildId, name: 'Billing', mode: 'channel', staff_role_ids: '[]', form_fields: '[]',
        priority_levels: JSON.stringify([{ label: 'P0' }, { label: 'P1' }, { label: 'P2' }]), rating_levels: '[]',
        opened_channel_id: null, opened_category_id: null, closed_category_id: null, locked_category_id: null, assigned_category_id: null,
        transcript_channel_id: null, form_channel_id: null, feedback_channel_id: null, opening_message: null, form_title: null,
        schedule_timezone: null, per_user_limit: null,
      }).execute();
      const groups = [g.groupId, billingId, g.threadGroupId];
      for (const id of groups) await setStaffRoles(db(), id, ['1300000000000000001']);
      // The model: what resolution and first-response averages must be (history, not the current rows).
      const live: Array<{ id: string; channel: string; owner: string; createdAt: number; openedAt: number; answered: boolean }> = [];
      const hardDeletedCreatedAt: number[] = [];
      let resolutionSum = 0; let resolutionCount = 0; let firstSum = 0; let firstCount = 0;
      const pick = (i: number) => live[i % Math.max(live.length, 1)];
      const attempt = async (fn: () => Promise<unknown>): Promise<boolean> => {
        try { await fn(); return true; } catch (err) {
          if (err instanceof EngineError && ['conflict', 'invalid'].includes(err.code)) return false;
          throw err;
        }
      };
      for (const o of ops) {
        const now = clock.now().getTime();
        if (o.op === 'wait') { clock.advance(o.hours * 3600); continue; }
        if (o.op === 'create') {
          const t = await e().tickets.create(staff, { guild_id: g.guildId, user_id: owners[o.owner]!, ticket_group_id: groups[o.group], ...(o.priority !== undefined ? { priority: o.priority } : {}) });
          const { channel_id } = await attachDiscordIds(db(), t.id);
          live.push({ id: t.id, channel: channel_id, owner: owners[o.owner]!, createdAt: now, openedAt: now, answered: false });
          continue;
        }
        const t = pick(o.t);
        if (!t) continue;
        const ref = { guild_id: g.guildId, ticket: { ticket_id: t.id } };
        const state = () => db().selectFrom('tickets').select(['status', 'deleted_at', 'group_id']).where('id', '=', t.id).executeTakeFirstOrThrow();
        switch (o.op) {
          case 'close':
            if (await attempt(() => e().tickets.close(staff, ref))) { resolutionSum += (now - t.openedAt) / 1000; resolutionCount++; }
            break;
          case 'reopen':
            if (await attempt(() => e().tickets.reopen(staff, ref))) t.openedAt = now;
            break;
          case 'delete': {
            const wasOpen = (await state()).status === 'open';
            if (await attempt(() => e().tickets.delete(staff, ref)) && wasOpen) { resolutionSum += (now - t.openedAt) / 1000; resolutionCount++; }
            break;
          }
          case 'hard_delete':
            await db().deleteFrom('tickets').where('id', '=', t.id).execute();
            hardDeletedCreatedAt.push(t.createdAt);
            live.splice(live.indexOf(t), 1);
            break;
          case 'assign': await attempt(() => e().tickets.assign(staff, { ...ref, user_id: staffIds[o.who]! })); break;
          case 'unassign': await attempt(() => e().tickets.unassign(staff, ref)); break;
          case 'rate': await attempt(() => e().tickets.rate(staff, { ...ref, rating: o.stars })); break;
          case 'priority': await attempt(() => e().tickets.setPriority(staff, { ...ref, priority: o.p })); break;
          case 'move': {
            const target = (await state()).group_id === g.groupId ? billingId : g.groupId;
            await attempt(() => e().tickets.move(staff, { ...ref, ticket_group_id: target }));
            break;
          }
          case 'answer': case 'owner_says': {
            const author = o.op === 'answer' ? { id: staffIds[1]!, username: 'helper' } : { id: t.owner, username: 'owner' };
            const before = await state();
            const res = await e().transcripts.recordMessage({
              guild_id: g.guildId, channel_id: t.channel,
              message: { id: snowflake(), author, content: 'x', embeds: [], attachments: [], created_at: clock.now().toISOString(), member_roles: o.op === 'answer' ? ['1300000000000000001'] : [] },
            });
            if (res?.first_response) { expect(t.answered).toBe(false); t.answered = true; firstSum += (now - t.createdAt) / 1000; firstCount++; }
            if (o.op === 'answer' && !before.deleted_at && !t.answered) throw new Error('a staff answer to a live ticket must set its first response');
            break;
          }
        }
      }

      const s = await stats(g.guildId);
      const todayStart = new Date(`${clock.now().toISOString().slice(0, 10)}T00:00:00.000Z`);
      const agg = await aggregate(g.guildId, todayStart);
      expect({ open: s.open, closed: s.closed, total: s.total }).toEqual({ open: agg.open, closed: agg.closed, total: agg.total });
      expect(toMap(s.by_group, (r) => r.group_id)).toEqual(agg.byGroup);
      expect(toMap(s.by_assignee, (r) => r.user_id)).toEqual(agg.byAssignee);
      expect(toMap(s.by_priority, (r) => String(r.priority ?? 'none'))).toEqual(agg.byPriority);
      const weekStart = todayStart.getTime() - 6 * DAY;
      expect(s.created_this_week).toBe(agg.createdThisWeek + hardDeletedCreatedAt.filter((c) => c >= weekStart).length);
      if (resolutionCount === 0) expect(s.average_resolution_seconds).toBeNull();
      else expect(s.average_resolution_seconds).toBeCloseTo(resolutionSum / resolutionCount, 2);
      if (firstCount === 0) expect(s.average_first_response_seconds).toBeNull();
      else expect(s.average_first_response_seconds).toBeCloseTo(firstSum / firstCount, 2);
      // Ratings are current state (a re-rating replaces the old one; a hard delete takes it away).
      expect(s.rated).toBe(agg.rated);
      if (agg.averageRating === null) expect(s.average_rating).toBeNull();
      else expect(s.average_rating).toBeCloseTo(agg.averageRating, 2);
      expect(s.volvox).toEqual({ openCount: s.open, avgResolutionSeconds: Math.round(s.average_resolution_seconds ?? 0), ticketsThisWeek: s.created_this_week });
    }), { numRuns: 3, seed: 20250301, endOnFailure: true });
  });

  it('averages resolution and first response exactly with a controlled clock, and counts the UTC week', async () => {
    clock.set('2025-06-01T10:00:00.000Z');
    const g = await seedGuild(db());
    const role = snowflake();
    await setStaffRoles(db(), g.groupId, [role]);
    const empty = await stats(g.guildId);
    expect(empty).toMatchObject({ open: 0, closed: 0, total: 0, created_this_week: 0, average_resolution_seconds: null, average_first_response_seconds: null, average_rating: null, rated: 0, volvox: { openCount: 0, avgResolutionSeconds: 0, ticketsThisWeek: 0 } });
    expect(empty.by_group.map((r) => [r.name, r.total])).toEqual([['Support', 0], ['Threads', 0]]);

    // 2025-06-01: a ticket that will be a week old (outside the window) by the time we read.
    const old = await e().tickets.create(staff, { guild_id: g.guildId, user_id: owners[0]! });
    clock.set('2025-06-02T00:00:00.000Z'); // 6 days before the reading day: inside the window.
    const a = await e().tickets.create(staff, { guild_id: g.guildId, user_id: owners[0]!, priority: 2 });
    const { channel_id: chA } = await attachDiscordIds(db(), a.id);
    const say = (channel: string, who: string, roles: string[]) => e().transcripts.recordMessage({
      guild_id: g.guildId, channel_id: channel,
      message: { id: snowflake(), author: { id: who, username: who }, content: 'hi', embeds: [], attachments: [], created_at: clock.now().toISOString(), member_roles: roles },
    });
    clock.advance(30); await say(chA, owners[0]!, []); // the owner writing is no response
    clock.advance(90); await say(chA, staffIds[0]!, [role]); // 120 s after creation
    clock.advance(3480); await e().tickets.close(staff, { guild_id: g.guildId, ticket: { ticket_id: a.id } }); // 3600 s after opening

    clock.set('2025-06-08T12:00:00.000Z');
    const b = await e().tickets.create(staff, { guild_id: g.guildId, user_id: owners[1]! });
    const { channel_id: chB } = await attachDiscordIds(db(), b.id);
    await e().tickets.assign(staff, { guild_id: g.guildId, ticket: { ticket_id: b.id }, user_id: staffIds[2]! });
    clock.advance(300); await say(chB, staffIds[2]!, []); // the assignee counts as staff without roles: 300 s
    clock.advance(100); await e().tickets.close(staff, { guild_id: g.guildId, ticket: { ticket_id: b.id } }); // 400 s
    clock.advance(50); await e().tickets.reopen(staff, { guild_id: g.guildId, ticket: { ticket_id: b.id } });
    clock.advance(2000); await e().tickets.close(staff, { guild_id: g.guildId, ticket: { ticket_id: b.id } }); // 2000 s after reopening
    void old;
    await e().tickets.rate(staff, { guild_id: g.guildId, ticket: { ticket_id: a.id }, rating: 5 });
    await e().tickets.rate(staff, { guild_id: g.guildId, ticket: { ticket_id: b.id }, rating: 2 });
    await e().tickets.rate(staff, { guild_id: g.guildId, ticket: { ticket_id: b.id }, rating: 3, comment: 'better on second look' });

    const s = await invoke(getGuildStats, { engine: e(), actor: staff, requestId: 't', signal: new AbortController().signal, progress: () => {} }, { guild_id: g.guildId });
    expect(s).toMatchObject({
      open: 1, closed: 2, total: 3, created_this_week: 2, closed_this_week: 3,
      average_resolution_seconds: (3600 + 400 + 2000) / 3,
      average_first_response_seconds: (120 + 300) / 2,
      average_rating: 4, rated: 2,
      volvox: { openCount: 1, avgResolutionSeconds: 2000, ticketsThisWeek: 2 },
    });
    expect(s.last_7_days.map((d) => d.day)).toEqual(['2025-06-02', '2025-06-03', '2025-06-04', '2025-06-05', '2025-06-06', '2025-06-07', '2025-06-08']);
    expect(s.last_7_days[0]).toEqual({ day: '2025-06-02', created: 1, closed: 1 });
    expect(s.by_priority).toEqual([
      { priority: null, label: null, open: 1, closed: 1, total: 2 },
      { priority: 2, label: 'High', open: 0, closed: 1, total: 1 },
    ]);
    expect(s.by_assignee).toEqual([{ user_id: staffIds[2], open: 0, closed: 1, total: 1 }]);
    expect(s.by_group).toEqual([
      { group_id: g.groupId, name: 'Support', open: 1, closed: 2, total: 3 },
      { group_id: g.threadGroupId, name: 'Threads', open: 0, closed: 0, total: 0 },
    ]);
  });

  it('reads only the counter tables, never the tickets table', async () => {
    const g = await seedGuild(db());
    await e().tickets.create(staff, { guild_id: g.guildId, user_id: owners[0]! });
    const expected = await stats(g.guildId);
    // With the tickets table renamed away (inside a transaction we roll back), any read of it fails.
    const hidden = await db().transaction().execute(async (trx) => {
      await sql`ALTER TABLE tickets RENAME TO tickets_hidden_for_test`.execute(trx);
      const out = await createStats(createEngineContext(trx, database().kind, clock.now)).guild({ guild_id: g.guildId });
      await sql`ALTER TABLE tickets_hidden_for_test RENAME TO tickets`.execute(trx);
      return out;
    });
    expect(hidden).toEqual(expected);
  });

  it('refuses an unknown guild and a guild whose tickets module is off', async () => {
    const err = await stats(snowflake()).catch((x: unknown) => x);
    expect((err as EngineError).code).toBe('not_found');
    const g = await seedGuild(db());
    await db().updateTable('guilds').set({ module_enabled: false }).where('id', '=', g.guildId).execute();
    expect(((await stats(g.guildId).catch((x: unknown) => x)) as EngineError).code).toBe('module_disabled');
  });
});
