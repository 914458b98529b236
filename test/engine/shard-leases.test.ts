/**
 * Gateway shard leases in the database: processes split the shards fairly, a shard never has two
 * holders (concurrent takers race for it: one wins), a lease not renewed expires and is taken over
 * with a new epoch (the old holder's heartbeat no longer renews it), a process that leaves frees its
 * shards at once, and a process with another shard count waits until the old leases are gone.
 * Also: the channels a process taking a shard over must read back.
 */
import { beforeEach, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/engine/index.js';
import { planShards, type LeaseTerms } from '../../src/engine/shard-leases.js';
import { shardOfGuild } from '../../src/engine/shard-gaps.js';
import { describeEachDatabase } from '../support/databases.js';
import { attachDiscordIds, seedGuild, snowflake, staffActor } from '../support/fixtures.js';

const terms = (processId: string, ttlMs = 10_000, shardCount = 3): LeaseTerms => ({ processId, shardCount, ttlMs });

/** What a process's runtime does on each heartbeat: renew, then take or give up its fair part. */
async function beat(e: Engine, t: LeaseTerms, held: Set<number>): Promise<void> {
  const hb = await e.shards.heartbeat(t, [...held]);
  for (const s of [...held]) if (!hb.renewed.includes(s)) held.delete(s);
  const plan = planShards({ count: t.shardCount, processes: hb.processes, rank: hb.rank, held: [...held], free: hb.free });
  for (const s of plan.release) held.delete(s);
  await e.shards.release(t.processId, plan.release);
  for (const s of plan.take) if (await e.shards.acquire(t, s)) held.add(s);
}

it('plans a fair share: count / processes, the first ranks one more, surplus given back', () => {
  expect(planShards({ count: 3, processes: 1, rank: 0, held: [], free: [0, 1, 2] })).toEqual({ take: [0, 1, 2], release: [] });
  expect(planShards({ count: 3, processes: 2, rank: 0, held: [0, 1, 2], free: [] })).toEqual({ take: [], release: [2] });
  expect(planShards({ count: 3, processes: 2, rank: 1, held: [], free: [2] })).toEqual({ take: [2], release: [] });
  expect(planShards({ count: 3, processes: 3, rank: 2, held: [1], free: [0, 2] })).toEqual({ take: [], release: [] });
  expect(planShards({ count: 2, processes: 3, rank: 2, held: [], free: [1] })).toEqual({ take: [], release: [] });
});

describeEachDatabase('shard leases', (database) => {
  let engine: Engine;
  const e = () => (engine ??= createEngine(database()));
  beforeEach(async () => {
    await database().db.deleteFrom('shard_leases').execute();
    await database().db.deleteFrom('gateway_processes').execute();
  });

  it('three processes end up with one shard each, and nobody holds a shard twice', async () => {
    const held = { a: new Set<number>(), b: new Set<number>(), c: new Set<number>() };
    await beat(e(), terms('a'), held.a);
    expect([...held.a].sort()).toEqual([0, 1, 2]); // alone: every shard
    for (let round = 0; round < 3; round++) {
      for (const id of ['a', 'b', 'c'] as const) await beat(e(), terms(id), held[id]);
    }
    expect([held.a.size, held.b.size, held.c.size]).toEqual([1, 1, 1]);
    const rows = await e().shards.list();
    expect(rows.map((r) => r.holder).sort()).toEqual(['a', 'b', 'c']);
    for (const [id, set] of Object.entries(held)) for (const s of set) expect(rows.find((r) => r.shard_id === s)?.holder).toBe(id);
    // A held shard cannot be taken.
    expect(await e().shards.acquire(terms('d'), [...held.a][0]!)).toBeNull();
  });

  it('concurrent takers race for a free shard: exactly one wins', async () => {
    await e().shards.heartbeat(terms('seed'), []);
    const results = await Promise.all(['p1', 'p2', 'p3', 'p4', 'p5'].map((p) => e().shards.acquire(terms(p), 1)));
    expect(results.filter((r) => r !== null)).toHaveLength(1);
  });

  it('a lease not renewed expires: another takes it with a new epoch, and the old holder cannot renew it', async () => {
    await e().shards.heartbeat(terms('old', 300), []);
    const first = await e().shards.acquire(terms('old', 300), 0);
    expect(first).not.toBeNull();
    expect(await e().shards.acquire(terms('new', 300), 0)).toBeNull();
    await new Promise((r) => setTimeout(r, 400)); // the lease's own lifetime: nothing to await but the clock
    const hb = await e().shards.heartbeat(terms('new', 300), []);
    expect(hb.free).toContain(0);
    const taken = await e().shards.acquire(terms('new', 300), 0);
    expect(taken?.epoch).toBe(first!.epoch + 1);
    expect((await e().shards.heartbeat(terms('old', 300), [0])).renewed).toEqual([]);
    expect((await e().shards.list()).find((r) => r.shard_id === 0)?.holder).toBe('new');
  });

  it('a process that leaves frees its shards and its place at once', async () => {
    const a = new Set<number>();
    const b = new Set<number>();
    await beat(e(), terms('a'), a);
    await beat(e(), terms('b'), b);
    await beat(e(), terms('a'), a);
    await beat(e(), terms('b'), b);
    expect(a.size + b.size).toBe(3);
    await e().shards.leave('a');
    const hb = await e().shards.heartbeat(terms('b'), [...b]);
    expect(hb.processes).toBe(1);
    expect(hb.free.sort()).toEqual([...a].sort());
    await beat(e(), terms('b'), b);
    expect([...b].sort()).toEqual([0, 1, 2]);
  });

  it('a process with another shard count takes nothing while a lease of the old count lives', async () => {
    await e().shards.heartbeat(terms('old', 10_000, 2), []);
    expect(await e().shards.acquire(terms('old', 10_000, 2), 0)).not.toBeNull();
    const hb = await e().shards.heartbeat(terms('new', 10_000, 3), []);
    expect(hb.free).toEqual([]);
    expect(await e().shards.acquire(terms('new', 10_000, 3), 2)).toBeNull();
    await e().shards.leave('old');
    expect((await e().shards.heartbeat(terms('new', 10_000, 3), [])).free).toEqual([0, 1, 2]);
    expect(await e().shards.acquire(terms('new', 10_000, 3), 2)).not.toBeNull();
  });

  it("lists the channels of a shard's open tickets with the newest recorded line", async () => {
    const g = await seedGuild(database().db);
    const staff = staffActor('601082144459178129');
    const open = await e().tickets.create(staff, { guild_id: g.guildId, user_id: '849383430663776372' });
    const { channel_id } = await attachDiscordIds(database().db, open.id);
    const closed = await e().tickets.create(staff, { guild_id: g.guildId, user_id: '849383430663776372' });
    await attachDiscordIds(database().db, closed.id);
    await e().tickets.close(staff, { guild_id: g.guildId, ticket: { ticket_id: closed.id } });
    const at = '2030-01-02T03:04:05.000Z';
    await e().transcripts.recordMessage({ guild_id: g.guildId, channel_id, message: { id: snowflake(), author: { id: '849383430663776372', username: 'casey' }, content: 'hi', created_at: at } });
    const shard = shardOfGuild(g.guildId, 3);
    const mine = (await e().shards.openTicketChannels(shard, 3)).filter((c) => c.guild_id === g.guildId);
    expect(mine.filter((c) => c.channel_id === channel_id)).toEqual([{ guild_id: g.guildId, ticket_id: open.id, channel_id, since: new Date(at) }]);
    expect(mine.some((c) => c.ticket_id === closed.id)).toBe(false);
    expect((await e().shards.openTicketChannels((shard + 1) % 3, 3)).some((c) => c.guild_id === g.guildId)).toBe(false);
  });
});
