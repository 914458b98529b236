/**
 * Opens the database: Kysely over a pg Pool when a PostgreSQL URL is given, embedded PGlite otherwise.
 * Both return bigint/numeric columns as strings and jsonb parsed, so queries behave the same.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { PGliteDialect } from 'kysely-pglite-dialect';
import type { DB } from './schema.js';
import { acquireDataDirLock } from './pglite-lock.js';
import { migrateToLatest } from './migrate.js';
import { fastTypes } from './timestamp-parser.js';

export type DatabaseKind = 'postgres' | 'pglite';

export interface Database {
  readonly db: Kysely<DB>;
  readonly kind: DatabaseKind;
  /** PostgreSQL only: a dedicated client for LISTEN (the outbox wakes on NOTIFY). */
  readonly connectionString?: string | undefined;
  /**
   * This process's name on its database connections (PostgreSQL `application_name`). Change
   * notifications carry it, so a process can tell its own changes from other processes'.
   */
  readonly instance: string;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export interface OpenOptions {
  databaseUrl?: string | undefined;
  /** PGlite data directory (the database lives in `${dataDir}/pglite`). Omit for an in-memory PGlite. */
  dataDir?: string | undefined;
  /** An already-open PGlite instance (tests share one per file). */
  pglite?: PGlite | undefined;
  /** Which command holds the PGlite lock (shown to a second process). */
  command?: string | undefined;
  migrate?: boolean | undefined;
  poolSize?: number | undefined;
}

const INT8 = 20;
const NUMERIC = 1700;

export async function openDatabase(opts: OpenOptions): Promise<Database> {
  const database = opts.databaseUrl ? openPostgres(opts.databaseUrl, opts.poolSize) : await openPglite(opts);
  if (opts.migrate !== false) {
    try { await migrateToLatest(database.db as Kysely<unknown>); } catch (err) { await database.close(); throw err; }
  }
  return database;
}

function openPostgres(url: string, poolSize = 10): Database {
  // pg already returns int8 and numeric as strings; PGlite is told to do the same below.
  const instance = instanceName();
  // connectionTimeoutMillis: while the server is unreachable in a way that hangs instead of refusing
  // (a half-open network), a request fails with "unavailable" after 5 s instead of waiting forever.
  const pool = new pg.Pool({ connectionString: url, max: poolSize, application_name: instance, types: fastTypes, connectionTimeoutMillis: 5_000 });
  pool.on('error', () => { /* an idle client died; the pool replaces it */ });
  // A client checked out of the pool has no 'error' listener of the pool's: if its connection drops
  // while it is out (PostgreSQL restarts between two statements of a transaction), pg emits 'error'
  // on it, and an unheard 'error' event ends the process. The query in flight is rejected anyway
  // (that is how the caller learns of it), and the pool discards the broken client when it comes
  // back; this listener only keeps the event from being fatal.
  pool.on('connect', (client) => { client.on('error', () => {}); });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    db, kind: 'postgres', connectionString: url, instance,
    ping: () => ping(db),
    close: () => db.destroy(),
  };
}

async function openPglite(opts: OpenOptions): Promise<Database> {
  let release: (() => void) | undefined;
  let instance = opts.pglite;
  const ownsInstance = !instance;
  if (!instance) {
    if (opts.dataDir) release = acquireDataDirLock(opts.dataDir, opts.command ?? 'serve');
    try {
      instance = await PGlite.create(opts.dataDir ? join(opts.dataDir, 'pglite') : undefined, {
        parsers: { [INT8]: (v: string) => v, [NUMERIC]: (v: string) => v },
      });
    } catch (err) { release?.(); throw err; }
  }
  const pgliteInstance = instance;
  const db = new Kysely<DB>({ dialect: new PGliteDialect(pgliteInstance) });
  return {
    db, kind: 'pglite', instance: instanceName(),
    ping: () => ping(db),
    close: async () => {
      // The dialect's destroy closes the PGlite instance; a shared instance must stay open.
      if (ownsInstance) await db.destroy();
      release?.();
    },
  };
}

function instanceName(): string {
  return `ticketbridge-${process.pid}-${randomBytes(4).toString('hex')}`;
}

async function ping(db: Kysely<DB>): Promise<boolean> {
  // Twice: the first may meet a pooled connection that died while idle (after a database restart).
  for (let attempt = 0; attempt < 2; attempt++) {
    try { await sql`select 1`.execute(db); return true; } catch { /* try a fresh connection */ }
  }
  return false;
}
