/**
 * Retention soak: an hour of a busy server's finished work compressed into minutes. Rounds of Discord
 * jobs (enqueued, claimed and completed through the outbox, 1% dead), action-item webhook deliveries
 * (queued, claimed and marked sent, 1% given up) and Idempotency-Key answers, 100,000 jobs and
 * 100,000 deliveries in all, with the server's retention timer (src/retention.ts) pruning after
 * every round. Time is compressed by scaling the limits: a job's finish time is stamped by
 * PostgreSQL's clock (the outbox), so the bench runs on real time and "7 days" is `finishedSeconds`.
 * Each round prints live rows, on-disk size of each table (pg_total_relation_size, indexes included)
 * and the process's heap and RSS after a full GC. Flat means the last rounds stay where the rounds
 * after the retention limit first applied left them.
 *   node --expose-gc --max-semi-space-size=64 --import tsx tools/bench/retention.ts
 */
import { sql } from 'kysely';
import { pino } from 'pino';
import { openDatabase } from '../../src/db/connect.js';
import { createEngine } from '../../src/engine/index.js';
import { enqueueJobs } from '../../src/engine/jobs.js';
import { enqueueItemCreated } from '../../src/engine/action-items/webhooks.js';
import { createIdempotencyStore } from '../../src/engine/idempotency.js';
import { inTransaction } from '../../src/engine/tx.js';
import { startRetention } from '../../src/retention.js';
import { createBenchDatabase, seedBenchGuild } from './bench-db.js';
import { round } from './stats-util.js';

const TABLES = ['discord_jobs', 'webhook_deliveries', 'idempotency_keys'] as const;

interface Sample {
  round: number; seconds: number; created_jobs: number; created_deliveries: number;
  rows: Record<(typeof TABLES)[number], number>; size_mb: Record<(typeof TABLES)[number], number>;
  /** Dead row versions not yet vacuumed, and how often autovacuum has run on the table so far. */
  dead_tuples: Record<(typeof TABLES)[number], number>; autovacuums: Record<(typeof TABLES)[number], number>;
  pruned: number; prune_ms: number; heap_mb: number; rss_mb: number;
}

export async function runRetentionSoakBench(opts: { total?: number; rounds?: number; finishedSeconds?: number; deadSeconds?: number } = {}) {
  const total = opts.total ?? 100_000;
  const rounds = opts.rounds ?? 20;
  const perRound = Math.ceil(total / rounds);
  const finishedSeconds = opts.finishedSeconds ?? 60;
  const deadSeconds = opts.deadSeconds ?? 180;
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc (npm run bench does)');

  const scratch = await createBenchDatabase('tb_bench_retention');
  const database = await openDatabase({ databaseUrl: scratch.url, poolSize: 8 });
  const engine = createEngine(database);
  const db = database.db;
  const guildId = '919722116696391721';
  await seedBenchGuild(db, guildId, '919722116696391722');
  const config = { guild_id: guildId, webhook_url: 'https://example.com/hooks/items', webhook_secret: 'bench secret, sixteen+' };
  const keys = createIdempotencyStore(engine.ctx, { ttlSeconds: finishedSeconds });
  const retention = startRetention(engine, pino({ level: 'silent' }), {
    finishedMs: finishedSeconds * 1000, deadMs: deadSeconds * 1000, idempotencyTtlMs: finishedSeconds * 1000,
    firstDelayMs: 2 ** 30, intervalMs: 2 ** 30,
  });
  const text = 'x'.repeat(200);
  const chunk = 500;
  /** Runs `fn` over `items` with `width` in flight. */
  const parallel = async <T>(items: readonly T[], width: number, fn: (item: T, i: number) => Promise<unknown>) => {
    let next = 0;
    await Promise.all(Array.from({ length: width }, async () => { while (next < items.length) { const i = next++; await fn(items[i]!, i); } }));
  };

  const samples: Sample[] = [];
  const started = Date.now();
  let jobsMade = 0;
  let deliveriesMade = 0;
  let keySerial = 0;
  for (let r = 1; r <= rounds; r++) {
    const n = Math.min(perRound, total - jobsMade);
    // Discord jobs: written as operations write them, finished as the worker finishes them.
    for (let i = 0; i < n; i += chunk) {
      const size = Math.min(chunk, n - i);
      await inTransaction(db, (trx) => enqueueJobs(trx, Array.from({ length: size }, (_, k) => ({ guildId, kind: 'ticket.notice' as const, payload: { channel_id: String(1_300_000_000_000_000_000n + BigInt(jobsMade + i + k)), text } }))));
      const claimed = await engine.outbox.claim('bench-worker', size);
      await parallel(claimed, 8, (job, k) => (k % 100 === 99
        ? engine.outbox.fail(job, 'bench-worker', 'Missing Access', { permanent: true })
        : engine.outbox.complete(job, 'bench-worker', { message_id: String(1_400_000_000_000_000_000n + BigInt(jobsMade + i + k)) })));
    }
    jobsMade += n;
    // Webhook deliveries: queued as a new action item queues them, then sent (1% given up).
    for (let i = 0; i < n; i += chunk) {
      const size = Math.min(chunk, n - i);
      await inTransaction(db, (trx) => enqueueItemCreated(trx, config,
        Array.from({ length: size }, (_, k) => ({ id: String(deliveriesMade + i + k), text: `Follow up ${text}`, priority: 'medium', channel_name: 'support' })), engine.ctx.now()));
      const due = await engine.actionItems.webhooks.claim(size, 20_000);
      await parallel(due, 8, (d, k) => (k % 100 === 99
        ? engine.actionItems.webhooks.failed(d.id, 'the receiver answered 500', null)
        : engine.actionItems.webhooks.delivered(d.id)));
    }
    deliveriesMade += n;
    // Idempotent POSTs: one key for every tenth job.
    await parallel(Array.from({ length: Math.ceil(n / 10) }), 8, async () => {
      const key = `key-${keySerial++}`;
      await keys.claim('bench', key, 'fp');
      await keys.complete('bench', key, 'fp', 201, { ticket: { id: key, text } });
    });

    const t0 = Date.now();
    const report = await retention.prune();
    const pruneMs = Date.now() - t0;
    const rows = {} as Sample['rows'];
    const sizes = {} as Sample['size_mb'];
    const deadTuples = {} as Sample['dead_tuples'];
    const vacuums = {} as Sample['autovacuums'];
    for (const table of TABLES) {
      const { rows: [row] } = await sql<{ n: string; bytes: string; dead: string | null; vacuums: string | null }>`
        SELECT (SELECT count(*) FROM ${sql.table(table)}) AS n, pg_total_relation_size(${table}::regclass) AS bytes,
          (SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = ${table}) AS dead,
          (SELECT autovacuum_count FROM pg_stat_user_tables WHERE relname = ${table}) AS vacuums`.execute(db);
      rows[table] = Number(row!.n);
      sizes[table] = round(Number(row!.bytes) / 2 ** 20, 1);
      deadTuples[table] = Number(row!.dead ?? 0);
      vacuums[table] = Number(row!.vacuums ?? 0);
    }
    gc(); gc();
    const mem = process.memoryUsage();
    const sample: Sample = {
      round: r, seconds: round((Date.now() - started) / 1000, 1), created_jobs: jobsMade, created_deliveries: deliveriesMade, rows, size_mb: sizes, dead_tuples: deadTuples, autovacuums: vacuums,
      pruned: report ? Object.values(report.deleted).reduce((a, b) => a + b, 0) : 0, prune_ms: pruneMs, heap_mb: round(mem.heapUsed / 2 ** 20, 1), rss_mb: round(mem.rss / 2 ** 20, 1),
    };
    samples.push(sample);
    process.stderr.write(`round ${r} (${sample.seconds}s): made ${jobsMade} jobs / ${deliveriesMade} deliveries; rows ${JSON.stringify(rows)}; MB ${JSON.stringify(sizes)}; dead tuples ${JSON.stringify(deadTuples)}; autovacuums ${JSON.stringify(vacuums)}; pruned ${sample.pruned} in ${pruneMs} ms; heap ${sample.heap_mb} MB, rss ${sample.rss_mb} MB\n`);
    if (jobsMade >= total) break;
  }
  await retention.stop();
  await database.close();
  await scratch.drop();

  // "Applies" from the first round that pruned done work; flat: the last round against the peak after it.
  const firstPrune = samples.findIndex((s) => s.pruned > 0);
  const after = firstPrune >= 0 ? samples.slice(firstPrune) : [];
  const last = samples.at(-1)!;
  const peak = (pick: (s: Sample) => number) => Math.max(...after.map(pick));
  return {
    total_jobs: jobsMade, total_deliveries: deliveriesMade, rounds: samples.length, finished_seconds: finishedSeconds, dead_seconds: deadSeconds,
    retention_first_applied_round: firstPrune + 1,
    last: { rows: last.rows, size_mb: last.size_mb, heap_mb: last.heap_mb, rss_mb: last.rss_mb },
    peak_after_first_prune: after.length === 0 ? null : {
      rows: Object.fromEntries(TABLES.map((t) => [t, peak((s) => s.rows[t])])),
      size_mb: Object.fromEntries(TABLES.map((t) => [t, peak((s) => s.size_mb[t])])),
      heap_mb: peak((s) => s.heap_mb), rss_mb: peak((s) => s.rss_mb),
    },
    samples,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runRetentionSoakBench().then((r) => process.stdout.write(`${JSON.stringify(r, null, 2)}\n`), (err: unknown) => { process.stderr.write(`${String((err as Error)?.stack ?? err)}\n`); process.exitCode = 1; });
}
