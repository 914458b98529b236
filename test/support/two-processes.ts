/**
 * Two ticketbridge "processes" on one cloned PostgreSQL database: engine A follows the change feed
 * (as `serve` and `stdio` do), engine B writes from elsewhere.
 */
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
