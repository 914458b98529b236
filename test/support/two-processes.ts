/**
 * Two ticketbridge "processes" on one cloned PostgreSQL database: engine A follows the change feed
 * (as `serve` and `stdio` do), engine B writes from elsewhere.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database } from '../../src/db/connect.js';
import { startChangeFeed, type ChangeFeed } from '../../src/engine/change-feed.js';
import { createEngine, type Engine } from '../../src/engine/index.js';
import { clonePostgres, type TestDatabase } from './databases.js';

export interface TwoProcesses { a: Database; b: Database; ea: Engine; eb: Engine; feed: ChangeFeed; close(): Promise<void> }

export async function twoProcesses(): Promise<TwoProcesses> {
  const test: TestDatabase = await clonePostgres();
  const a = await openDatabase({ databaseUrl: test.url!, migrate: false, poolSize: 4 });
  const b = await openDatabase({ databaseUrl: test.url!, migrate: false, poolSize: 4 });
  const ea = createEngine(a);
  const eb = createEngine(b);
  const feed = startChangeFeed(ea.ctx, test.url!, a.instance);
  await feed.ready;
  return {
    a, b, ea, eb, feed,
    async close() { await feed.close(); await a.close(); await b.close(); await test.drop(); },
  };
}

/**
 * Real `ticketbridge serve` processes (each its own Node process) on one database, talking to one
 * Discord sandbox: what a deployment behind a load balancer runs.
 */
export interface ServeProcess { child: ChildProcess; url: string; stop(): Promise<void> }

export function serveProcess(databaseUrl: string, discord: { botToken: string; apiUrl: string }, env: Record<string, string> = {}): Promise<ServeProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve'], {
    env: {
      ...process.env, DATABASE_URL: databaseUrl, DISCORD_TOKEN: discord.botToken, DISCORD_API_URL: discord.apiUrl,
      PORT: '0', DATA_DIR: mkdtempSync(join(tmpdir(), 'tb-serve-')), LOG_LEVEL: 'warn', TICKETBRIDGE_ADMIN_TOKEN: 'test-admin-token-0123456789', ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const stop = () => new Promise<void>((r) => { if (child.exitCode !== null || child.signalCode) r(); else { child.once('exit', () => r()); child.kill('SIGTERM'); } });
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (b: Buffer) => {
      err += b.toString();
      const m = /ticketbridge listening on (\S+)/.exec(err);
      if (m) resolve({ child, url: m[1]!, stop });
    });
    child.once('exit', (code) => reject(new Error(`serve exited (${code}): ${err}`)));
  });
}
