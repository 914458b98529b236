/**
 * Test databases: every engine test runs against a real PostgreSQL and against PGlite.
 * Each test file gets its own clone of the migrated templates made by global-setup.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, inject } from 'vitest';
import { openDatabase, type Database, type DatabaseKind } from '../../src/db/connect.js';
import { withDatabase } from './global-setup.js';

export interface TestDatabase {
  kind: DatabaseKind;
  /** PostgreSQL: the connection string of this file's own database (for spawning processes). */
  url: string | null;
  /** PGlite: the data directory of this file's own copy. */
  dataDir: string | null;
  open(): Promise<Database>;
  drop(): Promise<void>;
}

let serial = 0;

/** A fresh PostgreSQL database cloned from the migrated template. */
export async function clonePostgres(): Promise<TestDatabase> {
  const adminUrl = inject('pgAdminUrl');
  const template = inject('pgTemplate');
  if (!adminUrl || !template) throw new Error('PostgreSQL is not available for tests');
  const name = `tb_t_${process.ppid}_${process.pid}_${serial++}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    // Two files cloning the same template at the same moment can collide; retry briefly.
    for (let attempt = 0; ; attempt++) {
      try { await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`); break; } catch (err) {
        if (attempt >= 20) throw err;
        await new Promise((r) => setTimeout(r, 100 + attempt * 50));
      }
    }
  } finally { await admin.end(); }
  const url = withDatabase(adminUrl, name);
  return {
    kind: 'postgres', url, dataDir: null,
    open: () => openDatabase({ databaseUrl: url, migrate: false, poolSize: 20 }),
    drop: async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
      await c.end();
    },
  };
}

/** A fresh PGlite data directory copied from the migrated template (a reopen, not an initdb). */
export async function clonePglite(): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'tb-pglite-'));
  cpSync(inject('pgliteTemplateDir'), dir, { recursive: true });
  rmSync(join(dir, 'ticketbridge.lock'), { force: true });
  return {
    kind: 'pglite', url: null, dataDir: dir,
    open: () => openDatabase({ dataDir: dir, migrate: false, command: 'test' }),
    drop: async () => { rmSync(dir, { recursive: true, force: true }); },
  };
}

export const postgresAvailable = (): boolean => inject('pgTemplate') !== null;

/**
 * Declares the same suite once per database kind. The callback gets a getter for the open
 * database of the current kind (opened once per file and kind, shared by its tests).
 */
export function describeEachDatabase(name: string, suite: (db: () => Database, info: () => TestDatabase) => void): void {
  for (const kind of ['postgres', 'pglite'] as const) {
    const skip = kind === 'postgres' && !postgresAvailable();
    describe.skipIf(skip)(`${name} [${kind}]`, () => {
      let test: TestDatabase | undefined;
      let database: Database | undefined;
      beforeAll(async () => {
        test = kind === 'postgres' ? await clonePostgres() : await clonePglite();
        database = await test.open();
      });
      afterAll(async () => {
        await database?.close();
        await test?.drop();
      });
      suite(() => {
        if (!database) throw new Error('database not open yet');
        return database;
      }, () => {
        if (!test) throw new Error('database not created yet');
        return test;
      });
    });
  }
}
