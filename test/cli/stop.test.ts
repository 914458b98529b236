/**
 * A stop is clean and quick: the built `ticketbridge serve`, with Discord's limits on (the sandbox,
 * outside the process so a second process meets the same Discord), gets SIGTERM while creates sent
 * over keep-alive connections (Node's fetch) wait for channels held back by the channel-create limit.
 * It answers them, exits within 5 s, loses nothing it acknowledged, and a second process finishes
 * what was left with exactly one channel per ticket.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connect.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { clonePostgres, postgresAvailable, type TestDatabase } from '../support/databases.js';
import { tally } from '../discord/fault-kit.js';
import { quietLogger } from '../discord/harness.js';

const cli = resolve('dist/cli.js');
const ADMIN = 'test-admin-token-stop-0123456789';

interface Served { child: ChildProcess; url: string; stderr: () => string }

function serve(sandbox: Sandbox, databaseUrl: string): Promise<Served> {
  const child = spawn(process.execPath, [cli, 'serve'], {
    env: {
      PATH: process.env.PATH ?? '', DATABASE_URL: databaseUrl, DISCORD_TOKEN: sandbox.botToken, DISCORD_API_URL: sandbox.apiUrl,
      PORT: '0', DATA_DIR: mkdtempSync(join(tmpdir(), 'tb-stop-')), LOG_LEVEL: 'info', TICKETBRIDGE_ADMIN_TOKEN: ADMIN,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  return new Promise((res, rej) => {
    child.stderr!.on('data', (b: Buffer) => {
      err += b.toString();
      const m = /ticketbridge listening on (\S+)/.exec(err);
      if (m?.[1]) res({ child, url: m[1], stderr: () => err });
    });
    child.once('exit', (code) => rej(new Error(`serve exited (${code}): ${err}`)));
  });
}

const exited = (c: ChildProcess) => new Promise<void>((r) => { if (c.exitCode !== null || c.signalCode) r(); else c.once('exit', () => r()); });

/** POST to ticketbridge's own API with Node's fetch, whose connections are kept alive. */
async function call(url: string, op: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${url}/api/ticketbridge/v1/${op}`, {
    method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() as Record<string, unknown> };
}

describe.skipIf(!postgresAvailable())('SIGTERM while creates wait for Discord [postgres]', () => {
  let test: TestDatabase;
  let database: Database;
  let sandbox: Sandbox;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    test = await clonePostgres();
    database = await test.open();
    sandbox = await startSandbox({ rateLimits: true, logger: quietLogger });
  });
  afterAll(async () => {
    for (const c of children) { if (c.exitCode === null && !c.signalCode) c.kill('SIGKILL'); await exited(c); }
    await sandbox?.close();
    await database?.close();
    await test?.drop();
  });

  it('answers what is in flight, exits within 5 s, and the next process finishes the rest once', async () => {
    const d = sandbox.demo;
    const a = await serve(sandbox, test.url!);
    children.push(a.child);
    // The guild is synced from Discord once the bot is in: then tickets can open.
    for (let i = 0; (await call(a.url, 'get_guild', { guild_id: d.guildId })).status !== 200; i++) {
      if (i > 200) throw new Error(`guild never synced: ${a.stderr()}`);
      await new Promise((r) => setTimeout(r, 50));
    }

    // Discord creates 5 channels per 5 s: most of these wait on the limit when the signal comes.
    const N = 16;
    const answers = Array.from({ length: N }, (_, i) => call(a.url, 'create_ticket', { guild_id: d.guildId, user_id: d.customerUserId, topic: `stop ${i}` })
      .then((r) => ({ ok: true as const, ...r }), (err: unknown) => ({ ok: false as const, error: String(err) })));
    // Every create has been received (its row is written) before the signal.
    for (;;) {
      const rows = await database.db.selectFrom('tickets').select('id').where('guild_id', '=', d.guildId).execute();
      if (rows.length >= N) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const t0 = Date.now();
    a.child.kill('SIGTERM');
    await exited(a.child);
    const stopMs = Date.now() - t0;
    const results = await Promise.all(answers);

    expect(a.child.exitCode, a.stderr()).toBe(0);
    expect(stopMs, a.stderr()).toBeLessThan(5_000);
    // Every create in flight was answered, some with the channel still pending (held back by the limit).
    expect(results.filter((r) => !r.ok || r.status !== 200)).toEqual([]);
    const tickets = results.map((r) => (r.ok ? r.body : {}));
    expect(tickets.filter((t) => t['channel_id'] === null).length).toBeGreaterThan(0);
    // Nothing acknowledged is lost.
    const ids = tickets.map((t) => String(t['id']));
    const stored = await database.db.selectFrom('tickets').select('id').where('id', 'in', ids).execute();
    expect(stored).toHaveLength(N);
    // The stopped worker handed its claims back: nothing is left locked for the lease to expire.
    const held = await database.db.selectFrom('discord_jobs').select(['id', 'kind', 'locked_by']).where('status', '=', 'running').execute();
    expect(held).toEqual([]);

    // The next process finishes the rest: one channel and one opening message per ticket.
    const b = await serve(sandbox, test.url!);
    children.push(b.child);
    const deadline = Date.now() + 60_000;
    let rows;
    for (;;) {
      rows = await database.db.selectFrom('tickets').select(['id', 'number', 'channel_id', 'opening_message_id']).where('id', 'in', ids).execute();
      if (rows.every((r) => r.opening_message_id) || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(rows.filter((r) => !r.opening_message_id)).toEqual([]);
    expect(tally({ sandbox }, rows).filter((c) => c.channels !== 1 || c.openings !== 1)).toEqual([]);
    const t1 = Date.now();
    b.child.kill('SIGTERM');
    await exited(b.child);
    expect(Date.now() - t1, b.stderr()).toBeLessThan(5_000);
  }, 120_000);
});
