/**
 * Background runs: a long operation that one request starts and later requests (on any process
 * sharing the database) read or cancel by id. The row is the truth; nothing a later request needs is
 * kept in one process's memory.
 *
 * - The id is 192 random bits (base64url): it is a handle only its owner is told, and every read and
 *   cancel also checks the owner (token) and guild scope, so a guessed or leaked id from another
 *   token reads as "not found".
 * - The process running a run holds it (`holder`) and beats its heartbeat; times are the database's
 *   clock (now()), so processes on different machines need not agree on the time. A run whose holder
 *   has not beaten within the lease died with its process: whoever reads it next (a poll, the
 *   retention pass) finishes it as failed with a reason, so no run stays "running" forever.
 * - Cancelling sets a flag; the holder reads it on its heartbeat (or at once when the cancel lands
 *   on the same process) and aborts the work.
 * - A finished run is kept at least `keepMs` (one hour by default) and then pruned.
 *
 * Hand-written rather than a job-queue library: it is one table and a handful of statements on the
 * database every process already shares, the same on PostgreSQL and PGlite.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { BackgroundRunStatus } from '../db/schema.js';
import type { EngineContext } from './context.js';
import { json } from './tx.js';

/** How long a finished run stays readable: at least an hour (the Tasks extension's promise). */
export const RUN_KEEP_MS = 3_600_000;
/** Why a run whose process vanished ended. */
export const HOLDER_STOPPED = 'The process running this task stopped before it finished (it was killed or lost its database connection). Nothing after its last completed step was kept; run it again.';

export interface RunView {
  id: string;
  operation: string;
  owner: string;
  guildId: string | null;
  status: BackgroundRunStatus;
  statusMessage: string | null;
  result: unknown;
  error: { code: string; message: string; details: Record<string, unknown> } | null;
  cancelRequested: boolean;
  createdAt: Date;
  updatedAt: Date;
  /** When the row may be deleted; null while it runs. */
  expiresAt: Date | null;
}

/** How a run ended, as its holder reports it. */
export type RunOutcome =
  | { status: 'done'; result: unknown; message?: string }
  | { status: 'refused'; code: string; message: string; details?: Record<string, unknown> }
  | { status: 'cancelled'; message: string }
  | { status: 'failed'; message: string };

const ms = (n: number) => sql<Date>`now() + ${n} * interval '1 millisecond'`;
const ago = (n: number) => sql<Date>`now() - ${n} * interval '1 millisecond'`;

type Row = {
  id: string; operation: string; owner: string; guild_id: string | null; status: BackgroundRunStatus; status_message: string | null;
  result: unknown; error_code: string | null; error: string | null; error_details: Record<string, unknown> | null;
  cancel_requested: boolean; created_at: Date; updated_at: Date; expires_at: Date | null;
};

function view(r: Row): RunView {
  return {
    id: r.id, operation: r.operation, owner: r.owner, guildId: r.guild_id, status: r.status, statusMessage: r.status_message,
    result: r.result,
    error: r.error_code !== null || r.error !== null ? { code: r.error_code ?? 'internal', message: r.error ?? '', details: r.error_details ?? {} } : null,
    cancelRequested: r.cancel_requested, createdAt: r.created_at, updatedAt: r.updated_at, expiresAt: r.expires_at,
  };
}

const COLUMNS = ['id', 'operation', 'owner', 'guild_id', 'status', 'status_message', 'result', 'error_code', 'error', 'error_details', 'cancel_requested', 'created_at', 'updated_at', 'expires_at'] as const;

export interface StartRun { operation: string; owner: string; guildId: string | null; holder: string; statusMessage?: string }

export function createBackgroundRuns(ctx: EngineContext) {
  const db = ctx.db;

  /** Finishes, as failed, the running runs whose holder has been silent for longer than `leaseMs`. */
  async function failSilent(leaseMs: number, id?: string): Promise<number> {
    let q = db.updateTable('background_runs')
      .set({ status: 'failed', error_code: 'holder_stopped', error: HOLDER_STOPPED, status_message: HOLDER_STOPPED, holder: null, finished_at: sql<Date>`now()`, updated_at: sql<Date>`now()`, expires_at: ms(RUN_KEEP_MS) })
      .where('status', '=', 'running').where('heartbeat_at', '<', ago(leaseMs));
    if (id !== undefined) q = q.where('id', '=', id);
    return Number((await q.executeTakeFirst()).numUpdatedRows);
  }

  return {
    /** Records a new run, held by `holder`, before anyone is told its id. */
    async start(input: StartRun): Promise<RunView> {
      const row = await db.insertInto('background_runs').values({
        id: randomBytes(24).toString('base64url'), operation: input.operation, owner: input.owner, guild_id: input.guildId,
        status: 'running', status_message: input.statusMessage ?? null, holder: input.holder,
      }).returning(COLUMNS).executeTakeFirstOrThrow();
      return view(row);
    },

    /**
     * The run as its owner sees it, or null when there is none for this owner (never started, pruned,
     * or another token's). A run whose holder went silent is finished as failed first.
     */
    async get(id: string, owner: string, leaseMs: number): Promise<RunView | null> {
      const row = await db.selectFrom('background_runs').select([...COLUMNS, sql<boolean>`heartbeat_at < ${ago(leaseMs)}`.as('silent')])
        .where('id', '=', id).where('owner', '=', owner).executeTakeFirst();
      if (!row) return null;
      if (row.status === 'running' && row.silent) {
        await failSilent(leaseMs, id);
        return this.get(id, owner, leaseMs);
      }
      return view(row);
    },

    /** Asks the holder to stop. False when the owner has no such run. Finished runs stay as they are. */
    async requestCancel(id: string, owner: string): Promise<boolean> {
      const found = await db.selectFrom('background_runs').select(['status']).where('id', '=', id).where('owner', '=', owner).executeTakeFirst();
      if (!found) return false;
      await db.updateTable('background_runs').set({ cancel_requested: true, updated_at: sql<Date>`now()` })
        .where('id', '=', id).where('status', '=', 'running').execute();
      return true;
    },

    /**
     * The holder's heartbeat for the runs it runs: pushes their heartbeat, records their latest
     * status message, and returns those whose cancel was asked for.
     */
    async heartbeat(holder: string, runs: ReadonlyArray<{ id: string; statusMessage: string | null }>): Promise<string[]> {
      if (runs.length === 0) return [];
      const cancelled: string[] = [];
      for (const run of runs) {
        const row = await db.updateTable('background_runs')
          .set({ heartbeat_at: sql<Date>`now()`, ...(run.statusMessage !== null ? { status_message: run.statusMessage } : {}) })
          .where('id', '=', run.id).where('holder', '=', holder).where('status', '=', 'running')
          .returning(['cancel_requested']).executeTakeFirst();
        if (row?.cancel_requested) cancelled.push(run.id);
      }
      return cancelled;
    },

    /** Records how a run ended. Only its holder may, and only while it runs (a run failed as silent stays failed). */
    async finish(id: string, holder: string, outcome: RunOutcome): Promise<boolean> {
      const base = { holder: null, finished_at: sql<Date>`now()`, updated_at: sql<Date>`now()`, expires_at: ms(RUN_KEEP_MS) };
      const set = outcome.status === 'done' ? { ...base, status: 'done' as const, result: json(outcome.result), status_message: outcome.message ?? null }
        : outcome.status === 'refused' ? { ...base, status: 'refused' as const, error_code: outcome.code, error: outcome.message, error_details: json(outcome.details ?? {}), status_message: outcome.message }
          : { ...base, status: outcome.status, error_code: outcome.status, error: outcome.message, status_message: outcome.message };
      const res = await db.updateTable('background_runs').set(set)
        .where('id', '=', id).where('holder', '=', holder).where('status', '=', 'running').executeTakeFirst();
      return Number(res.numUpdatedRows) > 0;
    },

    failSilent,

    /** Deletes finished runs past their keep time; returns how many. */
    async prune(batch = 1000): Promise<number> {
      const res = await db.deleteFrom('background_runs')
        .where('id', 'in', (eb) => eb.selectFrom('background_runs').select('id').where('status', '<>', 'running').where('expires_at', '<', sql<Date>`now()`)
          .limit(batch).forUpdate().skipLocked())
        .executeTakeFirst();
      return Number(res.numDeletedRows);
    },
  };
}

export type BackgroundRuns = ReturnType<typeof createBackgroundRuns>;
