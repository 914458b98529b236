/**
 * Idempotency keys over the idempotency_keys table. A POST carrying an Idempotency-Key claims the
 * key before it runs (a placeholder row, status 0); a retry then gets the stored answer, a
 * concurrent duplicate learns the first one is still running, and a key reused for a different
 * request is refused. Answers of failed (5xx) requests are not kept, so a retry runs again.
 */
import { sql } from 'kysely';
import type { EngineContext } from './context.js';
import { translateDbError } from './tx.js';

export type IdempotencyClaim =
  | { state: 'claimed' }
  | { state: 'replay'; status: number; body: unknown }
  | { state: 'in_progress' }
  | { state: 'mismatch' };

interface Stored { fingerprint: string; response?: unknown }

const IN_PROGRESS = 0;

export function createIdempotencyStore(ctx: EngineContext, opts: { ttlSeconds: number; staleSeconds?: number }) {
  const stale = opts.staleSeconds ?? 120;
  return {
    async claim(scope: string, key: string, fingerprint: string): Promise<IdempotencyClaim> {
      try {
        const now = ctx.now();
        // Expired answers and abandoned placeholders free their key.
        await ctx.db.deleteFrom('idempotency_keys').where('scope', '=', scope).where('key', '=', key)
          .where((eb) => eb.or([
            eb('created_at', '<', new Date(now.getTime() - opts.ttlSeconds * 1000)),
            eb.and([eb('status_code', '=', IN_PROGRESS), eb('created_at', '<', new Date(now.getTime() - stale * 1000))]),
          ])).execute();
        const inserted = await ctx.db.insertInto('idempotency_keys')
          .values({ scope, key, status_code: IN_PROGRESS, body: JSON.stringify({ fingerprint } satisfies Stored), created_at: now })
          .onConflict((oc) => oc.columns(['scope', 'key']).doNothing())
          .returning(sql<number>`1`.as('one')).executeTakeFirst();
        if (inserted) return { state: 'claimed' };
        const row = await ctx.db.selectFrom('idempotency_keys').select(['status_code', 'body'])
          .where('scope', '=', scope).where('key', '=', key).executeTakeFirst();
        if (!row) return { state: 'in_progress' };
        const stored = row.body as Stored;
        if (stored.fingerprint !== fingerprint) return { state: 'mismatch' };
        if (row.status_code === IN_PROGRESS) return { state: 'in_progress' };
        return { state: 'replay', status: row.status_code, body: stored.response };
      } catch (err) {
        throw translateDbError(err);
      }
    },

    async complete(scope: string, key: string, fingerprint: string, status: number, response: unknown): Promise<void> {
      await ctx.db.updateTable('idempotency_keys')
        .set({ status_code: status, body: JSON.stringify({ fingerprint, response } satisfies Stored) })
        .where('scope', '=', scope).where('key', '=', key).execute();
    },

    async release(scope: string, key: string): Promise<void> {
      await ctx.db.deleteFrom('idempotency_keys').where('scope', '=', scope).where('key', '=', key)
        .where('status_code', '=', IN_PROGRESS).execute();
    },
  };
}

export type IdempotencyStore = ReturnType<typeof createIdempotencyStore>;
