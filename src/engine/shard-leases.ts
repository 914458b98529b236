/**
 * Gateway shard leases in the database: which process runs which shard. A lease row per shard is
 * taken when free or expired and renewed on the holder's heartbeat; every time is the database's
 * clock (now()), so processes on different machines need not agree on the time. A process that
 * cannot renew must stop the shard before the lease expires (the runtime's fence); only then may
 * another take it. Every process also keeps a row in gateway_processes, so each knows how many
 * share the shards and takes its fair part.
 *
 * Hand-written rather than a library: the leases are two small tables and four statements on the
 * database every process already shares, and they work the same on PostgreSQL and PGlite.
 */
import { sql } from 'kysely';
import type { EngineContext } from './context.js';
import { inTransaction } from './tx.js';

export interface LeaseTerms {
  /** This process's id (unique per process start). */
  processId: string;
  /** How many shards the bot runs; every process must use the same count. */
  shardCount: number;
  /** How long a lease lasts after each renewal. */
  ttlMs: number;
}

export interface Heartbeat {
  /** Shards still held by this process, their leases pushed out by ttlMs. */
  renewed: number[];
  /** Live processes (seen within ttlMs), this one included. */
  processes: number;
  /** This process's place among the live ones, by id (0-based): the first ones take the remainder. */
  rank: number;
  /** Shards nobody holds now (never taken, released, or expired). Empty while a lease taken with another shard count is alive. */
  free: number[];
}

export interface LeaseRow { shard_id: number; shard_count: number; holder: string | null; epoch: number; expires_at: Date | null }

const until = (ttlMs: number) => sql<Date>`now() + ${ttlMs} * interval '1 millisecond'`;

/**
 * Which shards to take and which to give up: each process's fair part is count / processes, the
 * first (count % processes) processes by rank one more. Gives up its highest shards first.
 */
export function planShards(input: { count: number; processes: number; rank: number; held: number[]; free: number[] }): { take: number[]; release: number[] } {
  const processes = Math.max(1, input.processes);
  const rank = Math.min(Math.max(0, input.rank), processes - 1);
  const target = Math.floor(input.count / processes) + (rank < input.count % processes ? 1 : 0);
  const held = [...input.held].sort((a, b) => a - b);
  if (held.length > target) return { take: [], release: held.slice(target) };
  return { take: [...input.free].sort((a, b) => a - b).slice(0, target - held.length), release: [] };
}

export function createShardLeases(ctx: EngineContext) {
  const db = ctx.db;
  return {
    /**
     * One heartbeat: this process is alive, its leases on `held` are renewed (those it lost are not
     * in `renewed`), leases it holds but no longer runs are freed, processes silent for longer than
     * a lease are forgotten, and the free shards are listed.
     */
    heartbeat(terms: LeaseTerms, held: number[]): Promise<Heartbeat> {
      return inTransaction(db, async (trx) => {
        await trx.insertInto('gateway_processes').values({ id: terms.processId })
          .onConflict((oc) => oc.column('id').doUpdateSet({ seen_at: sql<Date>`now()` })).execute();
        await trx.deleteFrom('gateway_processes').where('seen_at', '<', sql<Date>`now() - ${terms.ttlMs} * interval '1 millisecond'`).execute();
        await sql`INSERT INTO shard_leases (shard_id, shard_count) SELECT g, ${terms.shardCount} FROM generate_series(0, ${terms.shardCount - 1}) AS g ON CONFLICT (shard_id) DO NOTHING`.execute(trx);
        const renewed = held.length === 0 ? [] : await trx.updateTable('shard_leases')
          .set({ expires_at: until(terms.ttlMs), renewed_at: sql<Date>`now()` })
          .where('holder', '=', terms.processId).where('shard_id', 'in', held).where('expires_at', '>', sql<Date>`now()`)
          .returning('shard_id').execute();
        // Held in the table but not run here (a stop whose release failed): free them now.
        let stray = trx.updateTable('shard_leases').set({ holder: null, expires_at: null }).where('holder', '=', terms.processId);
        if (held.length > 0) stray = stray.where('shard_id', 'not in', held);
        await stray.execute();
        const live = await trx.selectFrom('gateway_processes').select('id').orderBy('id').execute();
        const otherCount = await trx.selectFrom('shard_leases').select('shard_id')
          .where('holder', 'is not', null).where('expires_at', '>', sql<Date>`now()`).where('shard_count', '<>', terms.shardCount)
          .executeTakeFirst();
        const free = otherCount ? [] : await trx.selectFrom('shard_leases').select('shard_id')
          .where('shard_id', '<', terms.shardCount)
          .where((eb) => eb.or([eb('holder', 'is', null), eb('expires_at', 'is', null), eb('expires_at', '<=', sql<Date>`now()`)]))
          .orderBy('shard_id').execute();
        return {
          renewed: renewed.map((r) => r.shard_id).sort((a, b) => a - b),
          processes: live.length,
          rank: Math.max(0, live.findIndex((p) => p.id === terms.processId)),
          free: free.map((r) => r.shard_id),
        };
      });
    },

    /** Takes shard `shardId` if nobody holds it (or its lease expired); its new epoch, or null when another process got it first. */
    async acquire(terms: LeaseTerms, shardId: number): Promise<{ epoch: number } | null> {
      const row = await db.updateTable('shard_leases')
        .set({
          holder: terms.processId, shard_count: terms.shardCount, epoch: sql<string>`epoch + 1`,
          expires_at: until(terms.ttlMs), acquired_at: sql<Date>`now()`, renewed_at: sql<Date>`now()`,
        })
        .where('shard_id', '=', shardId).where('shard_id', '<', terms.shardCount)
        .where((eb) => eb.or([eb('holder', 'is', null), eb('expires_at', 'is', null), eb('expires_at', '<=', sql<Date>`now()`)]))
        // While a lease taken with another shard count is alive, its guilds may overlap ours: wait.
        .where(({ not, exists, selectFrom }) => not(exists(selectFrom('shard_leases as other').select('other.shard_id')
          .where('other.holder', 'is not', null).where('other.expires_at', '>', sql<Date>`now()`).where('other.shard_count', '<>', terms.shardCount))))
        .returning('epoch').executeTakeFirst();
      return row ? { epoch: Number(row.epoch) } : null;
    },

    /** Gives up shards this process has stopped running: others may take them at once. */
    async release(processId: string, shardIds: number[]): Promise<void> {
      if (shardIds.length === 0) return;
      await db.updateTable('shard_leases').set({ holder: null, expires_at: null })
        .where('holder', '=', processId).where('shard_id', 'in', shardIds).execute();
    },

    /** A process stopping cleanly: its leases freed and its row gone, so the others rebalance at once. */
    async leave(processId: string): Promise<void> {
      await db.updateTable('shard_leases').set({ holder: null, expires_at: null }).where('holder', '=', processId).execute();
      await db.deleteFrom('gateway_processes').where('id', '=', processId).execute();
    },

    /** Every lease row, for status pages and tests. */
    async list(): Promise<LeaseRow[]> {
      const rows = await db.selectFrom('shard_leases').select(['shard_id', 'shard_count', 'holder', 'epoch', 'expires_at']).orderBy('shard_id').execute();
      return rows.map((r) => ({ ...r, epoch: Number(r.epoch) }));
    },
  };
}

export type ShardLeases = ReturnType<typeof createShardLeases>;
