/**
 * Discord's limits shared by processes on one PostgreSQL: two engines on one database (as two
 * `serve` processes have) divide the bot's global budget and take it back when one stops, and a
 * route bucket one process saw spent holds the other's request until it resets.
 */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GlobalGate } from '../../src/discord/global-gate.js';
import { SharedLimits, routeKey } from '../../src/discord/shared-limits.js';
import { twoProcesses, type TwoProcesses } from '../support/two-processes.js';
import { postgresAvailable } from '../support/databases.js';

const logger = pino({ level: 'silent' });
const token = 'shared-limits-test-token-0123456789';

describe.skipIf(!postgresAvailable())('Discord limits across processes [postgres]', () => {
  let p: TwoProcesses;
  beforeAll(async () => { p = await twoProcesses(); });
  afterAll(async () => { await p?.close(); });

  const until = async (check: () => boolean, timeoutMs = 5_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  it('two processes keep 25 requests/s each; when one stops the other takes all 50', async () => {
    const gates = [new GlobalGate(), new GlobalGate()];
    const a = new SharedLimits({ engine: p.ea, token, gate: gates[0]!, logger, heartbeatMs: 100 });
    const b = new SharedLimits({ engine: p.eb, token, gate: gates[1]!, logger, heartbeatMs: 100 });
    await a.start();
    expect(gates[0]!.limit).toBe(50);
    await b.start();
    // The newcomer sends at 1 until the other has had a beat to shrink its share.
    expect(gates[1]!.limit).toBe(1);
    await until(() => gates[0]!.limit === 25 && gates[1]!.limit === 25);
    await b.close();
    await until(() => gates[0]!.limit === 50);
    await a.close();
    for (const g of gates) g.close();
  });

  it('a bucket one process saw spent holds the other process\'s request until it resets', async () => {
    const a = new SharedLimits({ engine: p.ea, token, gate: new GlobalGate(), logger });
    const b = new SharedLimits({ engine: p.eb, token, gate: new GlobalGate(), logger });
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
    expect(await p.eb.discordBudget.spentChannels(b.botKey)).toEqual([]);
    await a.reserve(route); // none left: waits for the reset
    expect(Date.now() - t0).toBeGreaterThanOrEqual(450);
    // A 429 on a channel's bucket marks that channel spent for every process's outbox.
    const messages = routeKey('POST', 'http://x/api/v10/channels/1441604990945853480/messages')!;
    await b.observe(messages, { status: 429, headers: headers({ 'x-ratelimit-scope': 'user', 'retry-after': '2' }) });
    expect(await p.ea.discordBudget.spentChannels(a.botKey)).toEqual(['1441604990945853480']);
    await a.close(); await b.close();
  });
});
