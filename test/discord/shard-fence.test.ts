/**
 * One process with several shards (PostgreSQL and PGlite): alone it holds every shard and hears
 * every guild. When the database says a lease is no longer this process's (another took it), the
 * next heartbeat stops that shard at once (its session closes, its guild's messages are no longer
 * recorded here) and the others keep running; once the lease is free again, the process takes it
 * back and fills in what was written meanwhile. On PostgreSQL also the fence in time: a process
 * whose renewals hang (the lease table locked) stops its shards before their leases can expire.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { operatorActor } from '../../src/engine/actor.js';
import { createEngine, type Engine } from '../../src/engine/index.js';
import { startDiscord, type DiscordRuntime } from '../../src/discord/runtime.js';
import { startSandbox, type CreatedGuild, type Sandbox } from '../../src/sandbox/index.js';
import { describeEachDatabase } from '../support/databases.js';
import { sql } from 'kysely';
import { eventually, quietLogger } from './harness.js';

describeEachDatabase('shards in one process', (database, info) => {
  let sandbox: Sandbox;
  let engine: Engine;
  let discord: DiscordRuntime;
  let guilds: CreatedGuild[];

  beforeAll(async () => {
    sandbox = await startSandbox({ rateLimits: false, maxConcurrency: 3, logger: quietLogger });
    guilds = [0, 1, 2].map((k) => sandbox.createGuild({ shard: [k, 3] }));
    engine = createEngine(database(), { outbox: { baseDelayMs: 50, maxDelayMs: 1_000 } });
    discord = await startDiscord({
      engine, database: database(), logger: quietLogger, token: sandbox.botToken, apiUrl: sandbox.apiUrl, mode: 'sandbox',
      shardCount: 3, shardLeaseMs: 60_000, shardRenewMs: 20_000, // heartbeats are run by hand below
    });
    await discord.synced;
  });
  afterAll(async () => {
    await discord?.close();
    await sandbox?.close();
  });

  const connected = (shard: number) => sandbox.state().gateway.shards.filter((s) => s.connected && s.shard[0] === shard).length;
  const lines = async (guildId: string, ticketId: string) => (await engine.transcripts.listMessages({ guild_id: guildId, ticket: { ticket_id: ticketId } })).messages.map((m) => m.content);

  it('holds every shard alone, and stops a shard whose lease the database gave to another at once', async () => {
    expect(discord.status().shards.held.map((h) => [h.id, h.ready])).toEqual([[0, true], [1, true], [2, true]]);
    const admin = operatorActor(sandbox.demo.ownerId);
    const tickets = await Promise.all(guilds.map((g) => engine.tickets.create(admin, { guild_id: g.guildId, user_id: g.customerUserId })));
    expect(tickets.every((t) => t.channel_id)).toBe(true);
    const say = (k: number, text: string) => sandbox.actMessage({ user_id: sandbox.demo.customerUserId, channel_id: tickets[k]!.channel_id!, content: text });
    for (const k of [0, 1, 2]) say(k, `hello ${k}`);
    await eventually(async () => { for (const k of [0, 1, 2]) expect(await lines(guilds[k]!.guildId, tickets[k]!.id)).toContain(`hello ${k}`); });

    // Another process took shard 1 (as after this one was paused past its lease).
    await database().db.updateTable('shard_leases').set({ holder: 'another-process' }).where('shard_id', '=', 1).execute();
    await discord.rebalance();
    await eventually(() => expect(connected(1)).toBe(0));
    expect(discord.status().shards.held.map((h) => h.id)).toEqual([0, 2]);
    expect([connected(0), connected(2)]).toEqual([1, 1]);
    say(1, 'while another held it');
    say(0, 'still here');
    await eventually(async () => expect(await lines(guilds[0]!.guildId, tickets[0]!.id)).toContain('still here'));
    expect(await lines(guilds[1]!.guildId, tickets[1]!.id)).not.toContain('while another held it');

    // The other process lets go: this one takes shard 1 back and reads back what was said meanwhile.
    await database().db.updateTable('shard_leases').set({ holder: null, expires_at: null }).where('shard_id', '=', 1).execute();
    await discord.rebalance();
    await eventually(() => expect(discord.status().shards.held.map((h) => [h.id, h.ready])).toEqual([[0, true], [1, true], [2, true]]), 20_000);
    await eventually(async () => expect((await lines(guilds[1]!.guildId, tickets[1]!.id)).filter((l) => l === 'while another held it')).toHaveLength(1), 20_000);
  });

  it('stops every shard before its lease can expire when renewals hang, and takes them back after', async (ctx) => {
    if (info().kind !== 'postgres') return ctx.skip();
    // PGlite has one connection: a held lock would stall the test itself.
    await discord.close();
    discord = await startDiscord({
      engine, database: database(), logger: quietLogger, token: sandbox.botToken, apiUrl: sandbox.apiUrl, mode: 'sandbox',
      shardCount: 3, shardLeaseMs: 3_000, shardRenewMs: 1_000,
    });
    await discord.synced;
    expect(discord.status().shards.held.map((h) => h.id)).toEqual([0, 1, 2]);
    // Renewals block on the lock: after lease - renewal (2 s) without one, the shards stop, and they
    // are stopped while the database still counts their leases as valid (nobody else could start them yet).
    await database().db.transaction().execute(async (trx) => {
      await sql`LOCK TABLE shard_leases IN EXCLUSIVE MODE`.execute(trx);
      const leases = await trx.selectFrom('shard_leases').select(['shard_id', 'expires_at']).where('shard_id', '<', 3).execute();
      const firstExpiry = Math.min(...leases.map((l) => l.expires_at!.getTime()));
      await eventually(() => expect(sandbox.state().gateway.shards.filter((s) => s.connected)).toHaveLength(0), 10_000);
      const { rows } = await sql<{ at: Date }>`SELECT clock_timestamp() AS at`.execute(trx);
      expect(discord.status().shards.held).toEqual([]);
      expect(rows[0]!.at.getTime()).toBeLessThan(firstExpiry);
    });
    await eventually(() => expect(discord.status().shards.held.map((h) => [h.id, h.ready])).toEqual([[0, true], [1, true], [2, true]]), 20_000);
  });
});
