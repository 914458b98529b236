/**
 * Discord's limits shared by processes on one PostgreSQL. Engines on separate connections to one
 * database stand in for `serve` processes (each with its own gate, as each process has):
 * - the bot's 50 requests/s go where the work is: an idle process keeps a little, a busy one takes
 *   the rest, two busy ones split it evenly, and one that stops leaves it all to the other;
 * - three processes sending through discord.js to the rate-limited sandbox never put more than 50
 *   of the bot's requests into any second as the sandbox counts them, and a busy process uses what
 *   two idle ones leave unused;
 * - a route bucket one process saw spent holds the other process's request until it resets.
 */
import { REST, Routes } from 'discord.js';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/connect.js';
import { createEngine, type Engine } from '../../src/engine/index.js';
import { GlobalGate, gatedRestOptions } from '../../src/discord/global-gate.js';
import { SharedLimits, divideBudget, routeKey } from '../../src/discord/shared-limits.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { clonePostgres, postgresAvailable, type TestDatabase } from '../support/databases.js';

const logger = pino({ level: 'silent' });
const token = 'shared-limits-test-token-0123456789';

/** Polls `check` every 20 ms (also checking `invariant` each time) until it holds. */
async function until(check: () => boolean | Promise<boolean>, invariant: () => void = () => {}, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    invariant();
    if (await check()) return;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** `n` loops that each take a slot of `gate` and give it back at once, until stopped: a process with more work than its share. */
function busy(gate: GlobalGate, n = 60) {
  let stopped = false;
  const loops = Array.from({ length: n }, async () => { while (!stopped) (await gate.acquire())(); });
  return { async stop() { stopped = true; await Promise.all(loops); } };
}

describe('dividing the budget', () => {
  it('gives each what it asks while that is under an even part, and splits the rest evenly among the hungrier', () => {
    expect(divideBudget([52, 2, 2], 50)).toEqual([46, 2, 2]);
    expect(divideBudget([50, 50], 50)).toEqual([25, 25]);
    expect(divideBudget([50, 50, 50], 50)).toEqual([16, 17, 17]);
    expect(divideBudget([10, 50, 3], 50)).toEqual([10, 37, 3]);
    expect(divideBudget([0, 0], 50)).toEqual([1, 1]);
  });
});

describe.skipIf(!postgresAvailable())('Discord limits across processes [postgres]', () => {
  let test: TestDatabase;
  const dbs: Database[] = [];
  const engines: Engine[] = [];
  beforeAll(async () => {
    test = await clonePostgres();
    for (let i = 0; i < 3; i++) {
      const db = await openDatabase({ databaseUrl: test.url!, migrate: false, poolSize: 3 });
      dbs.push(db);
      engines.push(createEngine(db));
    }
  });
  afterAll(async () => {
    for (const db of dbs) await db.close();
    await test?.drop();
  });

  it('moves the budget to where the work is, never holding more than 50 between the processes', async () => {
    const gates = [new GlobalGate(), new GlobalGate()];
    const [ga, gb] = gates as [GlobalGate, GlobalGate];
    const a = new SharedLimits({ engine: engines[0]!, token: `${token}-a`, gate: ga, logger, heartbeatMs: 300 });
    const b = new SharedLimits({ engine: engines[1]!, token: `${token}-a`, gate: gb, logger, heartbeatMs: 300 });
    const withinBudget = () => expect(ga.limit + gb.limit).toBeLessThanOrEqual(50);
    await a.start();
    await b.start();
    // Idle: each keeps what it uses (nothing) plus a little headroom.
    await until(() => ga.limit === 2 && gb.limit === 2, withinBudget);
    // A has more work than its even part: it takes what B leaves.
    const workA = busy(ga);
    await until(() => ga.limit === 48, withinBudget);
    expect(gb.limit).toBe(2);
    // Both busy: an even split.
    const workB = busy(gb);
    await until(() => ga.limit === 25 && gb.limit === 25, withinBudget);
    // B idle again: A takes B's part back.
    await workB.stop();
    await until(() => ga.limit === 48, withinBudget);
    // B stops: A holds all 50.
    await b.close();
    await until(() => ga.limit === 50, withinBudget);
    await workA.stop();
    await a.close();
    for (const g of gates) g.close();
  });

  it('three processes sending through discord.js stay within 50 requests in any second as the sandbox counts them; a busy one uses what idle ones leave', async () => {
    const sandbox: Sandbox = await startSandbox({ rateLimits: true, logger });
    const procs = engines.map((engine) => {
      const gate = new GlobalGate();
      const shared = new SharedLimits({ engine, token: sandbox.botToken, gate, logger, heartbeatMs: 500 });
      const rest = new REST({ api: sandbox.apiUrl, version: '10', ...gatedRestOptions(gate, shared) }).setToken(sandbox.botToken);
      return { gate, shared, rest };
    });
    try {
      for (const p of procs) await p.shared.start();
      const send = (p: (typeof procs)[number], n: number) => Promise.all(Array.from({ length: n }, () => p.rest.get(Routes.user('@me'))));
      // Only the first process has work: it may use more than an even third (16) of the budget.
      sandbox.resetTraffic();
      await send(procs[0]!, 120);
      const alone = sandbox.traffic();
      expect(alone.bot_requests).toBe(120);
      expect(alone.most_in_any_second).toBeGreaterThan(16);
      expect(alone.most_in_any_second).toBeLessThanOrEqual(50);
      expect(procs[0]!.shared.processes).toBe(3);
      // All three at once: never more than 50 in any second, and no global 429.
      sandbox.resetTraffic();
      await Promise.all(procs.map((p) => send(p, 60)));
      const together = sandbox.traffic();
      expect(together.bot_requests).toBe(180);
      expect(together.most_in_any_second).toBeLessThanOrEqual(50);
      expect(together.limited_global).toBe(0);
      expect(together.limited_route).toBe(0);
    } finally {
      for (const p of procs) { await p.shared.close(); p.gate.close(); }
      await sandbox.close();
    }
  }, 60_000);

  it('a bucket one process saw spent holds the other process\'s request until it resets', async () => {
    const a = new SharedLimits({ engine: engines[0]!, token, gate: new GlobalGate(), logger });
    const b = new SharedLimits({ engine: engines[1]!, token, gate: new GlobalGate(), logger });
    const route = routeKey('POST', 'http://127.0.0.1:1/api/v10/guilds/919722116696391721/channels')!;
    expect(route).toBe('POST /guilds/919722116696391721/channels');
    expect(routeKey('PUT', 'http://x/api/v10/applications/1190000000000000001/guilds/919722116696391721/commands')).toBe('PUT /applications/1190000000000000001/guilds/919722116696391721/commands');
    expect(routeKey('GET', 'http://x/api/v10/channels/1441604990945853480/messages')).toBeNull();
    expect(routeKey('PATCH', 'http://x/api/v10/channels/1441604990945853480/messages/1441604990945853999')).toBe('PATCH /channels/1441604990945853480/messages/:id');
    const headers = (h: Record<string, string>) => ({ get: (n: string) => h[n] ?? null });
    // Process A's answer: one left in this window of 0.6 s.
    await a.observe(route, { status: 200, headers: headers({ 'x-ratelimit-limit': '5', 'x-ratelimit-remaining': '1', 'x-ratelimit-reset-after': '0.6' }) });
    const t0 = Date.now();
    await b.reserve(route); // takes the last one
    expect(Date.now() - t0).toBeLessThan(300);
    expect(await engines[1]!.discordBudget.spentChannels(b.botKey)).toEqual([]);
    await a.reserve(route); // none left: waits for the reset
    expect(Date.now() - t0).toBeGreaterThanOrEqual(450);
    // A 429 on a channel's bucket marks that channel spent for every process's outbox.
    const messages = routeKey('POST', 'http://x/api/v10/channels/1441604990945853480/messages')!;
    await b.observe(messages, { status: 429, headers: headers({ 'x-ratelimit-scope': 'user', 'retry-after': '2' }) });
    expect(await engines[0]!.discordBudget.spentChannels(a.botKey)).toEqual(['1441604990945853480']);
    await a.close(); await b.close();
  });
});
