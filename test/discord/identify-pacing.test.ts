/**
 * Discord's identify limit across processes: two ticketbridge runtimes (on PostgreSQL with a pool
 * each, as two processes; on PGlite sharing its one process) start together on a bot of three
 * shards with `max_concurrency` 1. The sandbox refuses, as Discord does, an IDENTIFY that comes less
 * than 5 s after the last session start of its bucket (op 9); every shard must come up with none
 * refused and the starts at least 5 s apart. Without the shared gate each shard's own discord.js
 * Client would identify at once and two of the three would be refused.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Database } from '../../src/db/connect.js';
import { createEngine } from '../../src/engine/index.js';
import { startDiscord, type DiscordRuntime } from '../../src/discord/runtime.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { describeEachDatabase } from '../support/databases.js';
import { eventually, quietLogger } from './harness.js';

describeEachDatabase('identify pacing', (database, info) => {
  let sandbox: Sandbox;
  let second: Database | null = null;
  const runtimes: DiscordRuntime[] = [];

  beforeAll(async () => {
    sandbox = await startSandbox({ rateLimits: false, logger: quietLogger });
    for (const k of [0, 1, 2]) sandbox.createGuild({ shard: [k, 3] });
    second = info().kind === 'postgres' ? await info().open() : null;
  });
  afterAll(async () => {
    await Promise.all(runtimes.map((r) => r.close()));
    await second?.close();
    await sandbox?.close();
  });

  it('brings every shard of two processes up with their identifies a window apart and none refused', async () => {
    expect(sandbox.state().gateway.max_concurrency).toBe(1);
    const start = (db: Database) => startDiscord({
      engine: createEngine(db), database: db, logger: quietLogger, token: sandbox.botToken, apiUrl: sandbox.apiUrl, mode: 'sandbox',
      shardCount: 3, shardLeaseMs: 6_000, shardRenewMs: 2_000,
    });
    runtimes.push(...await Promise.all([start(database()), start(second ?? database())]));
    await eventually(() => expect(sandbox.state().gateway.shards.filter((s) => s.connected).map((s) => s.shard[0]).sort()).toEqual([0, 1, 2]), 30_000);
    const { identifies } = sandbox.state().gateway;
    expect(identifies.refused).toBe(0);
    // Three, or more when one process took a shard before the other joined and then handed it over.
    expect(identifies.started).toBeGreaterThanOrEqual(3);
    expect(identifies.min_gap_ms).toBeGreaterThanOrEqual(5_000);
  }, 60_000);
});
