/**
 * Past one process: three `ticketbridge serve` processes (dist/cli.js) on one PostgreSQL split the
 * three gateway shards of a sandbox with four guilds (the demo guild and one per shard). Each
 * message is recorded once, each slash command answered once (one callback, no "already
 * acknowledged"), no shard ever has two sessions; a process killed with SIGKILL has its shard taken
 * over within 30 s, and messages written while nobody held that shard reach the transcripts, once.
 * Lease timings are shortened (6 s lease, 2 s renewal) to keep the test quick; the drill
 * tools/drills/scale-out.ts runs the defaults.
 */
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connect.js';
import { operatorActor } from '../../src/engine/actor.js';
import { createEngine, type Engine } from '../../src/engine/index.js';
import { shardOf, startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { clonePostgres, postgresAvailable, type TestDatabase } from '../support/databases.js';
import { heldShards, serveProcess, stopProcess, until, type ServeProcess } from '../support/serve-processes.js';
import { quietLogger } from './harness.js';

const LEASE = { TICKETBRIDGE_SHARD_LEASE_MS: '6000', TICKETBRIDGE_SHARD_RENEW_MS: '2000' };

describe.skipIf(!postgresAvailable())('gateway shards across processes [postgres]', () => {
  let test: TestDatabase;
  let database: Database;
  let sandbox: Sandbox;
  let engine: Engine;
  const children: ChildProcess[] = [];
  /** The most sessions ever connected at once on one shard, sampled every 20 ms. */
  const mostSessions = new Map<number, number>();
  let sampler: NodeJS.Timeout | undefined;

  beforeAll(async () => {
    test = await clonePostgres();
    database = await test.open();
    // A loaded test machine: give the bot more than Discord's 3 s to answer, so a slow answer is not a lost one.
    sandbox = await startSandbox({ rateLimits: false, maxConcurrency: 3, logger: quietLogger, interactionDeadlineMs: 10_000 });
    engine = createEngine(database);
    sampler = setInterval(() => {
      const counts = new Map<number, number>();
      for (const s of sandbox.state().gateway.shards) if (s.connected) counts.set(s.shard[0], (counts.get(s.shard[0]) ?? 0) + 1);
      for (const [id, n] of counts) mostSessions.set(id, Math.max(n, mostSessions.get(id) ?? 0));
    }, 20);
  });
  afterAll(async () => {
    clearInterval(sampler);
    await Promise.all(children.map(stopProcess));
    await sandbox?.close();
    await database?.close();
    await test?.drop();
  });

  const ticketRows = (ids: string[]) => database.db.selectFrom('tickets').select(['id', 'guild_id', 'number', 'channel_id', 'opening_message_id']).where('id', 'in', ids).execute();
  const recorded = async (ids: string[]) => new Set((await database.db.selectFrom('messages').select('id').where('id', 'in', ids).execute()).map((r) => r.id));

  it('splits the shards, handles each event once, and takes a killed process\'s shard over with nothing lost', async () => {
    sandbox.setSharding({ recommended_shards: 3 }); // the processes read their shard count from GET /gateway/bot
    const guilds = [0, 1, 2].map((k) => sandbox.createGuild({ name: `Shard ${k}`, shard: [k, 3] }));
    const guildIds = [sandbox.demo.guildId, ...guilds.map((g) => g.guildId)];

    const procs: ServeProcess[] = [];
    for (const name of ['a', 'b', 'c']) {
      const p = await serveProcess(sandbox, test.url!, name, LEASE);
      procs.push(p);
      children.push(p.child);
    }
    // Fair shares: one shard each, all connected.
    const layout = await until('one shard per process', async () => {
      const hs = await Promise.all(procs.map(heldShards));
      return hs.every((h) => h?.held.length === 1 && h.held[0]!.ready) ? hs : undefined;
    }, 60_000);
    expect(layout.map((h) => h!.count)).toEqual([3, 3, 3]);
    expect(layout.map((h) => h!.held[0]!.id).sort()).toEqual([0, 1, 2]);
    await until('guilds synced with their commands', () => {
      const cmds = sandbox.state().commands.map((c) => String(c.guild_id));
      return guildIds.every((g) => cmds.includes(g)) || undefined;
    }, 30_000);

    // Two tickets per new guild, opened by whichever process's outbox worker claims the job.
    const admin = operatorActor(sandbox.demo.ownerId);
    const tickets: Array<{ id: string }> = [];
    for (const g of guilds) for (let i = 0; i < 2; i++) tickets.push(await engine.tickets.create(admin, { guild_id: g.guildId, user_id: g.customerUserId }));
    const opened = await until('tickets opened', async () => {
      const rows = await ticketRows(tickets.map((t) => t.id));
      return rows.every((r) => r.opening_message_id) ? rows : undefined;
    }, 30_000);
    // Exactly one channel per ticket in each guild.
    const channels = sandbox.state().channels;
    for (const t of opened) {
      expect(channels.filter((c) => c.guild_id === t.guild_id && c.name === `ticket-${String(t.number).padStart(4, '0')}`)).toHaveLength(1);
    }

    // Five member messages per ticket: each recorded, once.
    const say = (t: { channel_id: string | null }, text: string) => String((sandbox.actMessage({ user_id: sandbox.demo.customerUserId, channel_id: t.channel_id!, content: text }) as { id: string }).id);
    const sent = opened.flatMap((t) => Array.from({ length: 5 }, (_, i) => say(t, `message ${i}`)));
    await until('messages recorded', async () => ((await recorded(sent)).size === sent.length ? true : undefined), 30_000);
    const rows = await database.db.selectFrom('messages').select('id').where('id', 'in', sent).execute();
    expect(rows).toHaveLength(sent.length);

    // Slash commands in every guild: each answered with exactly one callback, by the shard's holder.
    const ask = async (guild: { guildId: string; generalChannelId: string }) => {
      const r = await sandbox.actInteraction({ user_id: sandbox.demo.ownerId, channel_id: guild.generalChannelId, type: 'command', command: 'ticket queue', settle_ms: 10_000 });
      const rec = sandbox.state().interactions.find((i) => i.id === r.interaction_id);
      return { outcome: r.outcome, attempts: rec?.callback_attempts, text: String(r.message?.content ?? '') };
    };
    const answers: Array<Awaited<ReturnType<typeof ask>>> = [];
    for (const g of guilds) for (let i = 0; i < 3; i++) answers.push(await ask(g));
    for (const a of answers) {
      expect(a.outcome).toBe('responded');
      expect(a.attempts).toBe(1);
      expect(a.text).toMatch(/waiting on staff|Nobody is waiting/);
    }

    // kill -9 the holder of shard 1; talk in shard 1's tickets while nobody holds it.
    const shard1 = guilds[1]!;
    expect(shardOf(shard1.guildId, 3)).toBe(1);
    const victim = procs[layout.findIndex((h) => h!.held[0]!.id === 1)]!;
    const killedAt = Date.now();
    victim.child.kill('SIGKILL');
    await new Promise((r) => victim.child.once('exit', r));
    await until('shard 1 session gone', () => (sandbox.state().gateway.shards.some((s) => s.connected && s.shard[0] === 1) ? undefined : true), 5_000, 10);
    const gapTickets = opened.filter((t) => t.guild_id === shard1.guildId);
    const gap = gapTickets.flatMap((t) => Array.from({ length: 4 }, (_, i) => say(t, `while nobody held the shard ${i}`)));
    // Nobody heard them: no connected session on shard 1 yet.
    expect(sandbox.state().gateway.shards.some((s) => s.connected && s.shard[0] === 1)).toBe(false);
    const survivors = procs.filter((p) => p !== victim);
    const taker = await until('shard 1 taken over', async () => {
      for (const p of survivors) if ((await heldShards(p))?.held.some((h) => h.id === 1 && h.ready)) return p;
      return undefined;
    }, 30_000);
    const takeoverMs = Date.now() - killedAt;
    expect(takeoverMs).toBeLessThan(30_000);
    expect(survivors).toContain(taker);
    await until('gap messages recorded', async () => ((await recorded(gap)).size === gap.length ? true : undefined), 30_000);
    expect(await database.db.selectFrom('messages').select('id').where('id', 'in', gap).execute()).toHaveLength(gap.length);

    // After the takeover the gateway delivers again: a new message and a command, once each.
    const after = gapTickets.map((t) => say(t, 'after the takeover'));
    await until('messages after the takeover recorded', async () => ((await recorded(after)).size === after.length ? true : undefined), 30_000);
    const late = await ask(shard1);
    expect(late).toMatchObject({ outcome: 'responded', attempts: 1 });

    // Never two sessions on one shard at once, through start, rebalancing and the takeover.
    expect(Math.max(...mostSessions.values())).toBe(1);
    process.stderr.write(`shards test: takeover of shard 1 after kill -9 took ${takeoverMs} ms (lease 6 s, renewal 2 s)\n`);
  }, 240_000);
});
