/**
 * Retention with a hand-moved clock: done Discord jobs and sent webhook deliveries go after 7 days,
 * dead jobs and given-up deliveries after 30, Idempotency-Key answers after their TTL; pending and
 * running work stays whatever its age. Two prunes at once (two pools on PostgreSQL) delete each old
 * row once between them. The server's timer (src/retention.ts) prunes by itself with the configured days.
 * Background runs (MCP tasks) go an hour after they finished; a running one whose process stopped
 * beating is finished as failed with the reason, even when nobody polls it.
 */
import { sql } from 'kysely';
import { pino } from 'pino';
import { expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/engine/index.js';
import { enqueueItemCreated } from '../../src/engine/action-items/webhooks.js';
import { createIdempotencyStore } from '../../src/engine/idempotency.js';
import { createRetention, type PruneCounts, type Retention, type RetentionOptions } from '../../src/engine/retention.js';
import { inTransaction } from '../../src/engine/tx.js';
import type { Database } from '../../src/db/connect.js';
import { loadConfig } from '../../src/config.js';
import { retentionOptions, startRetention } from '../../src/retention.js';
import { describeEachDatabase } from '../support/databases.js';
import { manualClock, seedGuild, snowflake, staffActor } from '../support/fixtures.js';

const staff = staffActor('601082144459178129');
const DAY = 86_400;
const limits: RetentionOptions = { finishedMs: 7 * DAY * 1000, deadMs: 30 * DAY * 1000, idempotencyTtlMs: DAY * 1000, batchSize: 2 };

describeEachDatabase('retention', (database, info) => {
  /** Job ids of tickets opened now, one ticket (and one ticket.open job) each. */
  async function openTickets(e: Engine, guildId: string, n: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const t = await e.tickets.create(staff, { guild_id: guildId, user_id: snowflake() });
      const job = await e.db.selectFrom('discord_jobs').select('id').where('ticket_id', '=', t.id).executeTakeFirstOrThrow();
      ids.push(String(job.id));
    }
    return ids;
  }
  /** Action-item deliveries queued at the engine's now; their ids. */
  async function queueDeliveries(e: Engine, guildId: string, n: number): Promise<string[]> {
    const items = Array.from({ length: n }, (_, i) => ({ id: snowflake(), text: `item ${i}`, priority: 'low', channel_name: null }));
    await inTransaction(e.db, (trx) => enqueueItemCreated(trx, { guild_id: guildId, webhook_url: 'https://example.com/hook', webhook_secret: 'a secret of sixteen+' }, items, e.ctx.now()));
    const rows = await e.db.selectFrom('webhook_deliveries').select(['id', 'body']).where('guild_id', '=', guildId).where('status', '=', 'pending').execute();
    return rows.filter((r) => items.some((it) => r.body.includes(it.id))).map((r) => r.id);
  }
  const jobStatus = async (e: Engine, ids: string[]) => Object.fromEntries((await e.outbox.outcome(ids)).map((o) => [o.id, o.status]));
  const deliveryStatus = async (e: Engine, ids: string[]) => Object.fromEntries(
    (await e.db.selectFrom('webhook_deliveries').select(['id', 'status']).where('id', 'in', ids).execute()).map((r) => [r.id, r.status]));
  /**
   * One prune's deleted counts. Where no autovacuum reclaims the space (PGlite; a PostgreSQL with it
   * off, as on this machine) the pass vacuums exactly the tables it deleted from.
   */
  async function pruned(retention: Retention): Promise<PruneCounts> {
    const { deleted, vacuumed } = await retention.prune();
    const autovacuum = info().kind === 'postgres' && (await sql<{ on: string }>`SELECT current_setting('autovacuum') AS on`.execute(database().db)).rows[0]?.on === 'on';
    const touched = [
      ...(deleted.jobs_done + deleted.jobs_dead > 0 ? ['discord_jobs'] : []),
      ...(deleted.deliveries_sent + deleted.deliveries_failed > 0 ? ['webhook_deliveries'] : []),
      ...(deleted.idempotency_keys > 0 ? ['idempotency_keys'] : []),
    ];
    expect(vacuumed).toEqual(autovacuum ? [] : touched);
    return deleted;
  }
  const keysLeft = async (e: Engine) => (await e.db.selectFrom('idempotency_keys').select('key').where('scope', '=', 'retention-test').orderBy('key').execute()).map((r) => r.key);

  it('deletes old finished work, keeps recent, pending and running work, and dead work until its longer limit', async () => {
    const clock = manualClock(new Date().toISOString());
    const e = createEngine(database(), { now: clock.now });
    const retention = createRetention(e.ctx, limits);
    const keys = createIdempotencyStore(e.ctx, { ttlSeconds: DAY });
    const key = async (k: string) => { expect(await keys.claim('retention-test', k, 'fp')).toEqual({ state: 'claimed' }); await keys.complete('retention-test', k, 'fp', 201, { ok: true }); };
    const g = await seedGuild(e.db);

    // Day 0: two jobs done, one dead, one running, one pending; a delivery sent, one given up, one pending; a key.
    const [done1, done2, dead, running, pending] = await openTickets(e, g.guildId, 5) as [string, string, string, string, string];
    const claimed = await e.outbox.claim('worker-1', 4);
    expect(claimed.map((j) => j.id).sort()).toEqual([done1, done2, dead, running].sort());
    const job = (id: string) => claimed.find((j) => j.id === id)!;
    await e.outbox.complete(job(done1), 'worker-1');
    await e.outbox.complete(job(done2), 'worker-1');
    await e.outbox.fail(job(dead), 'worker-1', 'Missing Permissions', { permanent: true });
    const jobs = [done1, done2, dead, running, pending];

    const [sent, givenUp, waiting] = await queueDeliveries(e, g.guildId, 3) as [string, string, string];
    const due = await e.actionItems.webhooks.claim(10, 20_000);
    expect(due.map((d) => d.id).sort()).toEqual([sent, givenUp, waiting].sort());
    await e.actionItems.webhooks.delivered(sent);
    await e.actionItems.webhooks.failed(givenUp, 'the receiver answered 500', null);
    await key('day-0');

    // Day 3: another delivery sent, another key. Only the day-0 key has outlived its 24 h.
    clock.advance(3 * DAY);
    const [sentLater] = await queueDeliveries(e, g.guildId, 1) as [string];
    // The waiting one's lease ran out long ago: it is tried again, and stays pending.
    expect((await e.actionItems.webhooks.claim(10, 20_000)).map((d) => d.id).sort()).toEqual([sentLater, waiting].sort());
    await e.actionItems.webhooks.delivered(sentLater);
    await key('day-3');
    expect(await pruned(retention)).toEqual({ jobs_done: 0, jobs_dead: 0, deliveries_sent: 0, deliveries_failed: 0, idempotency_keys: 1 });
    expect(await keysLeft(e)).toEqual(['day-3']);
    const deliveries = [sent, givenUp, waiting, sentLater];
    expect(await deliveryStatus(e, deliveries)).toEqual({ [sent]: 'delivered', [givenUp]: 'failed', [waiting]: 'pending', [sentLater]: 'delivered' });

    // Day 8: what finished on day 0 is past 7 days; dead and given-up work is kept.
    clock.advance(5 * DAY);
    expect(await pruned(retention)).toEqual({ jobs_done: 2, jobs_dead: 0, deliveries_sent: 1, deliveries_failed: 0, idempotency_keys: 1 });
    expect(await jobStatus(e, jobs)).toEqual({ [dead]: 'dead', [running]: 'running', [pending]: 'pending' });
    expect(await deliveryStatus(e, deliveries)).toEqual({ [givenUp]: 'failed', [waiting]: 'pending', [sentLater]: 'delivered' });
    expect(await keysLeft(e)).toEqual([]);

    // Day 31: dead work is past 30 days; the day-3 delivery is past 7.
    clock.advance(23 * DAY);
    expect(await pruned(retention)).toEqual({ jobs_done: 0, jobs_dead: 1, deliveries_sent: 1, deliveries_failed: 1, idempotency_keys: 0 });
    expect(await jobStatus(e, jobs)).toEqual({ [running]: 'running', [pending]: 'pending' });
    expect(await deliveryStatus(e, deliveries)).toEqual({ [waiting]: 'pending' });

    // A year on, unfinished work is still there.
    clock.advance(365 * DAY);
    expect(await pruned(retention)).toEqual({ jobs_done: 0, jobs_dead: 0, deliveries_sent: 0, deliveries_failed: 0, idempotency_keys: 0 });
    expect(await jobStatus(e, jobs)).toEqual({ [running]: 'running', [pending]: 'pending' });
    expect(await deliveryStatus(e, deliveries)).toEqual({ [waiting]: 'pending' });
  });

  it('two prunes at once delete each old row once between them', async () => {
    const clock = manualClock(new Date().toISOString());
    const e = createEngine(database(), { now: clock.now });
    const g = await seedGuild(e.db);
    await openTickets(e, g.guildId, 40);
    for (let claimed = await e.outbox.claim('worker-2', 100); claimed.length > 0; claimed = await e.outbox.claim('worker-2', 100)) {
      for (const j of claimed) await e.outbox.complete(j, 'worker-2');
    }
    const deliveries = await queueDeliveries(e, g.guildId, 30);
    for (const d of await e.actionItems.webhooks.claim(100, 20_000)) await e.actionItems.webhooks.delivered(d.id);
    const count = async (db: Database['db']) => ({
      jobs: Number((await db.selectFrom('discord_jobs').select((eb) => eb.fn.countAll<string>().as('n')).where('status', '=', 'done').executeTakeFirstOrThrow()).n),
      deliveries: Number((await db.selectFrom('webhook_deliveries').select((eb) => eb.fn.countAll<string>().as('n')).where('status', '=', 'delivered').executeTakeFirstOrThrow()).n),
    });
    const before = await count(e.db);
    expect(before.jobs).toBeGreaterThanOrEqual(40);
    expect(before.deliveries).toBeGreaterThanOrEqual(deliveries.length);

    // A second process: its own pool on PostgreSQL; PGlite has one process, so the same instance.
    const other = info().kind === 'postgres' ? await info().open() : null;
    try {
      clock.advance(8 * DAY);
      const opts = { ...limits, batchSize: 5 };
      const first = createRetention(e.ctx, opts);
      const second = createRetention(createEngine(other ?? database(), { now: clock.now }).ctx, opts);
      const [a, b] = (await Promise.all([first.prune(), second.prune()])).map((r) => r.deleted) as [PruneCounts, PruneCounts];
      expect(a.jobs_done + b.jobs_done).toBe(before.jobs);
      expect(a.deliveries_sent + b.deliveries_sent).toBe(before.deliveries);
      expect(await count(e.db)).toEqual({ jobs: 0, deliveries: 0 });
    } finally {
      await other?.close();
    }
  });

  it('the server\'s timer prunes by itself, with the days from the configuration', async () => {
    expect(retentionOptions(loadConfig({}))).toEqual({ finishedMs: 7 * DAY * 1000, deadMs: 30 * DAY * 1000, idempotencyTtlMs: DAY * 1000 });
    expect(retentionOptions(loadConfig({ TICKETBRIDGE_RETENTION_DAYS: '2', TICKETBRIDGE_DEAD_RETENTION_DAYS: '90' })))
      .toMatchObject({ finishedMs: 2 * DAY * 1000, deadMs: 90 * DAY * 1000 });
    expect(() => loadConfig({ TICKETBRIDGE_RETENTION_DAYS: '0' })).toThrow('Invalid setting TICKETBRIDGE_RETENTION_DAYS: must be 1 or more (got "0")');
    expect(() => loadConfig({ TICKETBRIDGE_DEAD_RETENTION_DAYS: 'a month' })).toThrow(/Invalid setting TICKETBRIDGE_DEAD_RETENTION_DAYS/);

    const clock = manualClock(new Date().toISOString());
    const e = createEngine(database(), { now: clock.now });
    const g = await seedGuild(e.db);
    const [id] = await openTickets(e, g.guildId, 1) as [string];
    const claimed = await e.outbox.claim('worker-3', 100);
    for (const j of claimed) await e.outbox.complete(j, 'worker-3');
    expect(claimed.map((j) => j.id)).toContain(id);
    clock.advance(8 * DAY);
    let logged: (line: Record<string, unknown>) => void = () => {};
    const line = new Promise<Record<string, unknown>>((resolve) => { logged = resolve; });
    const logger = pino({ level: 'info' }, { write: (l: string) => { const o = JSON.parse(l) as Record<string, unknown>; if (o['msg'] === 'retention: old finished work deleted') logged(o); } });
    const timer = startRetention(e, logger, { ...retentionOptions(loadConfig({})), firstDelayMs: 0 });
    try {
      expect(await line).toMatchObject({ deleted: { jobs_done: claimed.length } });
      expect(await e.outbox.outcome([id])).toEqual([]);
    } finally {
      await timer.stop();
    }
  });

  it('prunes background runs an hour after they finished, and fails a running one whose process went silent', async () => {
    const e = createEngine(database());
    const runs = e.backgroundRuns;
    const start = (holder: string) => runs.start({ operation: 'export_guild_config', owner: 'tok', guildId: null, holder });
    const old = await start('p1');
    await runs.finish(old.id, 'p1', { status: 'done', result: { ok: true } });
    const recent = await start('p1');
    await runs.finish(recent.id, 'p1', { status: 'done', result: { ok: true } });
    const silent = await start('killed');
    const alive = await start('p2');
    await sql`UPDATE background_runs SET expires_at = now() - interval '1 second' WHERE id = ${old.id}`.execute(e.db);
    await sql`UPDATE background_runs SET heartbeat_at = now() - interval '1 hour' WHERE id = ${silent.id}`.execute(e.db);
    expect((await runs.get(recent.id, 'tok', 60_000))?.expiresAt?.getTime()).toBeGreaterThanOrEqual(recent.createdAt.getTime() + 3_600_000);
    const report = await createRetention(e.ctx, { ...limits, runLeaseMs: 60_000 }).prune();
    expect(report.runs).toEqual({ pruned: 1, failed: 1 });
    expect(await runs.get(old.id, 'tok', 60_000)).toBeNull();
    expect(await runs.get(recent.id, 'tok', 60_000)).toMatchObject({ status: 'done', result: { ok: true } });
    expect(await runs.get(silent.id, 'tok', 60_000)).toMatchObject({ status: 'failed', error: { message: expect.stringMatching(/process running this task stopped/) } });
    expect(await runs.get(alive.id, 'tok', 60_000)).toMatchObject({ status: 'running' });
    // Only the holder may finish a run, and a run failed as silent stays failed.
    expect(await runs.finish(silent.id, 'killed', { status: 'done', result: {} })).toBe(false);
    expect(await runs.finish(alive.id, 'p1', { status: 'done', result: {} })).toBe(false);
    expect(await runs.get(alive.id, 'another-token', 60_000)).toBeNull();
  });
});
