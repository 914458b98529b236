/**
 * Several server processes on one PostgreSQL share the outbox: two workers never run a job twice,
 * and a worker killed with SIGKILL mid-run loses and doubles nothing once another takes over.
 * Real `ticketbridge serve` processes against the sandbox; tickets are opened by this process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connect.js';
import { operatorActor } from '../../src/engine/actor.js';
import { createEngine, type Engine } from '../../src/engine/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { clonePostgres, postgresAvailable, type TestDatabase } from '../support/databases.js';
import { quietLogger } from './harness.js';
import { tally } from './fault-kit.js';

function serve(sandbox: Sandbox, url: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve'], {
    env: {
      ...process.env, DATABASE_URL: url, DISCORD_TOKEN: sandbox.botToken, DISCORD_API_URL: sandbox.apiUrl,
      PORT: '0', DATA_DIR: mkdtempSync(join(tmpdir(), 'tb-serve-')), LOG_LEVEL: 'warn', TICKETBRIDGE_ADMIN_TOKEN: 'test-admin-token-0123456789',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (b: Buffer) => {
      err += b.toString();
      const m = /ticketbridge listening on (\S+)/.exec(err);
      if (m) resolve({ child, url: m[1]! });
    });
    child.once('exit', (code) => reject(new Error(`serve exited (${code}): ${err}`)));
  });
}

const stop = (c: ChildProcess) => new Promise<void>((r) => { if (c.exitCode !== null || c.signalCode) r(); else { c.once('exit', () => r()); c.kill('SIGTERM'); } });

describe.skipIf(!postgresAvailable())('outbox across processes [postgres]', () => {
  let test: TestDatabase;
  let database: Database;
  let sandbox: Sandbox;
  let engine: Engine;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    test = await clonePostgres();
    database = await test.open();
    sandbox = await startSandbox({ rateLimits: false, logger: quietLogger });
    engine = createEngine(database);
  });
  afterAll(async () => {
    await Promise.all(children.map(stop));
    await sandbox?.close();
    await database?.close();
    await test?.drop();
  });

  async function allOpened(ids: string[], timeoutMs: number) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rows = await database.db.selectFrom('tickets').select(['id', 'number', 'channel_id', 'opening_message_id']).where('id', 'in', ids).execute();
      if (rows.every((r) => r.opening_message_id)) return rows;
      if (Date.now() > deadline) throw new Error(`${rows.filter((r) => !r.opening_message_id).length} tickets still unopened`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('two worker processes: every job runs once', async () => {
    const a = await serve(sandbox, test.url!);
    const b = await serve(sandbox, test.url!);
    children.push(a.child, b.child);
    const d = sandbox.demo;
    const admin = operatorActor(d.ownerId);
    const created = [];
    for (let i = 0; i < 40; i++) created.push(await engine.tickets.create(admin, { guild_id: d.guildId, user_id: d.customerUserId }));
    const rows = await allOpened(created.map((t) => t.id), 30_000);
    expect(tally({ sandbox }, rows).filter((c) => c.channels !== 1 || c.openings !== 1)).toEqual([]);
    // The opening message is checkpointed before its job finishes (the pin follows): wait for the jobs to settle.
    const jobs = await settledJobs(created.map((t) => t.id), 30_000);
    expect(jobs.filter((j) => j.status !== 'done' || j.attempts !== 1)).toEqual([]);
    await Promise.all([stop(a.child), stop(b.child)]);
  }, 90_000);

  async function settledJobs(ticketIds: string[], timeoutMs: number) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const jobs = await database.db.selectFrom('discord_jobs').select(['id', 'kind', 'attempts', 'status']).where('ticket_id', 'in', ticketIds).execute();
      if (jobs.every((j) => j.status === 'done' || j.status === 'dead') || Date.now() > deadline) return jobs;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('a worker killed with SIGKILL mid-run: after a restart nothing is lost and nothing doubled', async () => {
    // Slow Discord: every channel create takes 150 ms, so the kill lands mid-run.
    sandbox.addFault({ route: '/guilds/:guild_id/channels', method: 'POST', delay_ms: 150, count: 1_000_000 });
    const a = await serve(sandbox, test.url!);
    children.push(a.child);
    const d = sandbox.demo;
    const admin = operatorActor(d.ownerId);
    const created = [];
    for (let i = 0; i < 40; i++) created.push(await engine.tickets.create(admin, { guild_id: d.guildId, user_id: d.customerUserId }));
    const ids = created.map((t) => t.id);
    for (;;) {
      const done = await database.db.selectFrom('tickets').select('id').where('id', 'in', ids).where('opening_message_id', 'is not', null).execute();
      if (done.length >= 5) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    a.child.kill('SIGKILL');
    await new Promise((r) => a.child.once('exit', r));
    const unfinished = await database.db.selectFrom('tickets').select('id').where('id', 'in', ids).where('opening_message_id', 'is', null).execute();
    expect(unfinished.length).toBeGreaterThan(0);
    sandbox.clearFaults();
    const b = await serve(sandbox, test.url!);
    children.push(b.child);
    const rows = await allOpened(ids, 60_000);
    expect(tally({ sandbox }, rows).filter((c) => c.channels !== 1 || c.openings !== 1)).toEqual([]);
    await stop(b.child);
  }, 120_000);
});
