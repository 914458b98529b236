/** One transaction per operation, with database errors translated into engine errors. */
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../db/schema.js';
import { EngineError, asUnavailable, conflict } from './errors.js';

export type Tx = Transaction<DB>;
export type Db = Kysely<DB>;

export async function inTransaction<T>(db: Db, fn: (trx: Tx) => Promise<T>): Promise<T> {
  // Already inside one (an operation made of others, such as a config import): join it, so the
  // whole stands or falls together.
  if (db.isTransaction) return fn(db as Tx);
  try {
    return await db.transaction().execute(fn);
  } catch (err) {
    throw translateDbError(err);
  }
}

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
