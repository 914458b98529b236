/**
 * Deadlocks and serialization failures are retried inside the engine: two transactions that lock
 * two rows in opposite orders deadlock once (PostgreSQL aborts one of them); the aborted one runs
 * again and both callers get their result, never the deadlock.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connect.js';
import { inTransaction } from '../../src/engine/tx.js';
import { clonePostgres, postgresAvailable, type TestDatabase } from '../support/databases.js';

describe.skipIf(!postgresAvailable())('engine transactions [postgres]', () => {
  let test: TestDatabase;
  let database: Database;
  beforeAll(async () => {
    test = await clonePostgres();
    database = await test.open();
    await sql`CREATE TABLE retry_probe (id int PRIMARY KEY, n int NOT NULL)`.execute(database.db);
    await sql`INSERT INTO retry_probe VALUES (1, 0), (2, 0)`.execute(database.db);
  });
  afterAll(async () => { await database?.close(); await test?.drop(); });

  it('run a transaction again after a deadlock, so both callers succeed', async () => {
    let runs = 0;
    let arrived = 0;
    let release!: () => void;
    const bothHoldOne = new Promise<void>((r) => { release = r; });
    const bump = (first: number, second: number) => inTransaction(database.db, async (trx) => {
      runs++;
      await sql`UPDATE retry_probe SET n = n + 1 WHERE id = ${first}`.execute(trx);
      // The first attempts wait until each holds its first row, so they must deadlock.
      if (++arrived <= 2) { if (arrived === 2) release(); await bothHoldOne; }
      await sql`UPDATE retry_probe SET n = n + 1 WHERE id = ${second}`.execute(trx);
      return first;
    });
    const results = await Promise.all([bump(1, 2), bump(2, 1)]);
    expect(results).toEqual([1, 2]);
    expect(runs).toBe(3); // one of the two ran again
    const rows = await sql<{ id: number; n: number }>`SELECT id, n FROM retry_probe ORDER BY id`.execute(database.db);
    expect(rows.rows).toEqual([{ id: 1, n: 2 }, { id: 2, n: 2 }]); // each transaction counted once
  });

  it('report a transaction that keeps failing serialization as a conflict to retry', async () => {
    let runs = 0;
    const err = await inTransaction(database.db, async () => {
      runs++;
      throw Object.assign(new Error('could not serialize access'), { code: '40001' });
    }).catch((e: unknown) => e);
    expect(runs).toBe(4);
    expect(err).toMatchObject({ code: 'conflict', message: expect.stringMatching(/retry/) });
  });
});
