/**
 * Retention: the work tables would otherwise grow forever. A prune deletes
 * - Discord jobs done longer ago than `finishedMs`, and dead ones (kept for inspection) after `deadMs`;
 * - webhook deliveries sent longer ago than `finishedMs`, and given-up ones after `deadMs` (counted
 *   from their last attempt);
 * - Idempotency-Key answers older than their TTL (they are no longer replayed anyway).
 * - background runs (src/engine/background-runs.ts) finished longer ago than their keep time; and it
 *   finishes, as failed, running ones whose process stopped beating (so none stays "running" even
 *   when nobody polls it).
 * Pending and running work is never touched. Ages are measured against the engine's clock.
 *
 * Each batch is one statement, `DELETE … WHERE id IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED)`, in
 * its own short transaction: a prune never holds many row locks for long, and processes sharing one
 * PostgreSQL that prune at the same moment split the old rows between them instead of waiting for
 * each other or deleting a row twice (PGlite runs the same SQL). A pass goes on while batches come
 * back full, so a backlog is cleared in one pass, batch by batch.
 *
 * Deleted rows leave dead row versions that only a VACUUM makes reusable. PostgreSQL's autovacuum
 * does that; PGlite has no autovacuum, and a PostgreSQL may run with it off, so there the pass
 * vacuums each table it deleted from itself. `VACUUM (SKIP_LOCKED)` takes no row locks, does not
 * block reads or writes, and skips a table another process is vacuuming at that moment.
 */
import { sql } from 'kysely';
import { createBackgroundRuns } from './background-runs.js';
import type { EngineContext } from './context.js';

export interface RetentionOptions {
  /** How long done jobs and sent deliveries are kept, ms. */
  finishedMs: number;
  /** How long dead jobs and given-up deliveries are kept, ms. */
  deadMs: number;
  /** Idempotency-Key answers are deleted once older than this, ms (their replay TTL). */
  idempotencyTtlMs: number;
  /** Rows per DELETE statement. */
  batchSize?: number;
  /** A running background run whose holder has been silent this long is finished as failed (default 60 s). */
  runLeaseMs?: number;
}

export interface PruneCounts { jobs_done: number; jobs_dead: number; deliveries_sent: number; deliveries_failed: number; idempotency_keys: number }
/** Rows deleted, and the tables this pass vacuumed (none where autovacuum runs). */
export interface PruneReport {
  deleted: PruneCounts; vacuumed: string[];
  /** Background runs deleted past their keep time, and running ones finished as failed (their process stopped). */
  runs: { pruned: number; failed: number };
}

type PrunedTable = 'discord_jobs' | 'webhook_deliveries' | 'idempotency_keys';

export function createRetention(ctx: EngineContext, opts: RetentionOptions) {
  const batch = Math.max(1, opts.batchSize ?? 1000);
  const db = ctx.db;
  const runs = createBackgroundRuns(ctx);

  /** Runs `step` (one batch, returning how many rows it deleted) until a batch is not full or `stop()`. */
  async function drain(step: () => Promise<bigint>, stop: () => boolean): Promise<number> {
    let total = 0;
    for (;;) {
      const n = Number(await step());
      total += n;
      if (n < batch || stop()) return total;
    }
  }

  const jobs = (status: 'done' | 'dead', before: Date) => async () => (await db.deleteFrom('discord_jobs')
    .where('id', 'in', (eb) => eb.selectFrom('discord_jobs').select('id').where('status', '=', status).where('updated_at', '<', before)
      .limit(batch).forUpdate().skipLocked())
    .executeTakeFirst()).numDeletedRows;

  const delivered = (before: Date) => async () => (await db.deleteFrom('webhook_deliveries')
    .where('id', 'in', (eb) => eb.selectFrom('webhook_deliveries').select('id').where('status', '=', 'delivered').where('delivered_at', '<', before)
      .limit(batch).forUpdate().skipLocked())
    .executeTakeFirst()).numDeletedRows;

  // A given-up delivery's next_attempt_at is the end of its last attempt's lease: when it was last tried.
  const failed = (before: Date) => async () => (await db.deleteFrom('webhook_deliveries')
    .where('id', 'in', (eb) => eb.selectFrom('webhook_deliveries').select('id').where('status', '=', 'failed').where('next_attempt_at', '<', before)
      .limit(batch).forUpdate().skipLocked())
    .executeTakeFirst()).numDeletedRows;

  const keys = (before: Date) => async () => (await db.deleteFrom('idempotency_keys')
    .where(({ eb, refTuple, selectFrom }) => eb(refTuple('scope', 'key'), 'in', selectFrom('idempotency_keys').select(['scope', 'key'])
      .where('created_at', '<', before).limit(batch).forUpdate().skipLocked().$asTuple('scope', 'key')))
    .executeTakeFirst()).numDeletedRows;

  /** Whether PostgreSQL's autovacuum reclaims what we delete (PGlite has none). */
  async function autovacuumRuns(): Promise<boolean> {
    if (ctx.kind === 'pglite') return false;
    const { rows } = await sql<{ on: string }>`SELECT current_setting('autovacuum') AS on`.execute(db);
    return rows[0]?.on === 'on';
  }

  return {
    /** One pass over every table; `stop` is asked between batches (a shutting-down server stops early). */
    async prune(stop: () => boolean = () => false): Promise<PruneReport> {
      const now = ctx.now().getTime();
      const finished = new Date(now - opts.finishedMs);
      const dead = new Date(now - opts.deadMs);
      const deleted: PruneCounts = {
        jobs_done: await drain(jobs('done', finished), stop),
        jobs_dead: await drain(jobs('dead', dead), stop),
        deliveries_sent: await drain(delivered(finished), stop),
        deliveries_failed: await drain(failed(dead), stop),
        idempotency_keys: await drain(keys(new Date(now - opts.idempotencyTtlMs)), stop),
      };
      const touched: PrunedTable[] = [];
      if (deleted.jobs_done + deleted.jobs_dead > 0) touched.push('discord_jobs');
      if (deleted.deliveries_sent + deleted.deliveries_failed > 0) touched.push('webhook_deliveries');
      if (deleted.idempotency_keys > 0) touched.push('idempotency_keys');
      const vacuumed: string[] = [];
      if (touched.length > 0 && !stop() && !(await autovacuumRuns())) {
        for (const table of touched) {
          await sql`VACUUM (SKIP_LOCKED) ${sql.table(table)}`.execute(db);
          vacuumed.push(table);
        }
      }
      const silent = await runs.failSilent(opts.runLeaseMs ?? 60_000);
      const prunedRuns = await drain(() => runs.prune(batch).then(BigInt), stop);
      return { deleted, vacuumed, runs: { pruned: prunedRuns, failed: silent } };
    },
  };
}

export type Retention = ReturnType<typeof createRetention>;
