/**
 * Runs once per `vitest run`: migrates one PostgreSQL template database and one PGlite data
 * directory. Test files clone them (CREATE DATABASE … TEMPLATE / a directory copy), which is far
 * cheaper than migrating — or, for PGlite, initdb-ing — per file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/db/connect.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string | null;
    pgTemplate: string | null;
    pgliteTemplateDir: string;
  }
}

const adminUrl = process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function pgReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 });
  try { await client.connect(); await client.query('select 1'); return true; } catch { return false; } finally { await client.end().catch(() => {}); }
}

export default async function setup(project: TestProject) {
  const template = `tb_tpl_${process.pid}`;
  let pgTemplate: string | null = null;
  if (await pgReachable()) {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${template}`);
    await admin.query(`CREATE DATABASE ${template}`);
    await admin.end();
    const database = await openDatabase({ databaseUrl: withDatabase(adminUrl, template), poolSize: 1 });
    await database.close();
    pgTemplate = template;
  } else if (process.env['CI'] === 'true') {
    throw new Error(`PostgreSQL is not reachable at ${adminUrl}, and CI=true requires it. Start it (pg_ctlcluster … start) or set TEST_DATABASE_URL.`);
  } else {
    process.stderr.write(`\n*** NOTICE: PostgreSQL is not reachable at ${adminUrl}: the PostgreSQL half of the engine tests is SKIPPED. ***\n\n`);
  }

  const pgliteTemplateDir = mkdtempSync(join(tmpdir(), 'tb-pglite-tpl-'));
  const pglite = await openDatabase({ dataDir: pgliteTemplateDir, command: 'test-setup' });
  await pglite.close();

  project.provide('pgAdminUrl', pgTemplate ? adminUrl : null);
  project.provide('pgTemplate', pgTemplate);
  project.provide('pgliteTemplateDir', pgliteTemplateDir);

  return async () => {
    rmSync(pgliteTemplateDir, { recursive: true, force: true });
    if (!pgTemplate) return;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    const { rows } = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'tb\\_t\\_${process.pid}\\_%' OR datname = $1`, [template]);
    for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`).catch(() => {});
    await admin.end();
  };
}
