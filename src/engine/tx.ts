/** One transaction per operation, with database errors translated into engine errors. */
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../db/schema.js';
import { EngineError, asUnavailable, conflict, isUnavailableError } from './errors.js';

export type Tx = Transaction<DB>;
export type Db = Kysely<DB>;

export async function inTransaction<T>(db: Db, fn: (trx: Tx) => Promise<T>): Promise<T> {
  // Already inside one (an operation made of others, such as a config import): join it, so the
  // whole stands or falls together.
  if (db.isTransaction) return fn(db as Tx);
  for (let attempt = 1; ; attempt++) {
    let reachedCommit = false;
    try {
      return await db.transaction().execute(async (trx) => {
        const result = await fn(trx);
        reachedCommit = true;
        return result;
      });
    } catch (err) {
      // A deadlock or serialization failure rolled the whole transaction back, so running it again
      // is safe and usually succeeds: the other party has gone on. So is a connection that died
      // before COMMIT was sent (a pooled connection the server closed while it sat idle, as after a
      // database restart): nothing was written, and the retry takes a fresh connection. A connection
      // lost during COMMIT is not retried: the change may have been made. Callers hear of it only
      // when it keeps happening.
      const retry = isRetryable(err) || (!reachedCommit && isUnavailableError(err));
      if (attempt < RETRIES && retry) {
        await new Promise((r) => setTimeout(r, 5 * attempt + Math.random() * 20 * attempt));
        continue;
      }
      throw translateDbError(err);
    }
  }
}

/** Attempts of a transaction that keeps meeting deadlocks or serialization failures. */
const RETRIES = 4;
const isRetryable = (err: unknown): boolean => {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '40001' || code === '40P01';
};

export function translateDbError(err: unknown): unknown {
  if (err instanceof EngineError) return err;
  const unavailable = asUnavailable(err);
  if (unavailable) return unavailable;
  const code = (err as { code?: unknown } | null)?.code;
  if (code === '23505') return conflict('That would duplicate an existing record; fetch the existing one instead of creating it again.');
  if (code === '40001' || code === '40P01') return new EngineError('conflict', 'A concurrent change got in the way; retry the call.');
  return err;
}

/** Serializes a value for a jsonb column. */
export function json(value: unknown): string {
  return JSON.stringify(value ?? null);
}
