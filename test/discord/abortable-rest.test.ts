/**
 * The outbox worker's REST client (src/discord/abortable-rest.ts) against the sandbox through
 * discord.js: its one long-lived stop signal is left with no listener once requests settle (it
 * used to keep one per request made, for the life of the process), and stopping still cuts off
 * what is sent after it.
 */
import { getEventListeners, setMaxListeners } from 'node:events';
import { REST, Routes } from 'discord.js';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { abortableRest } from '../../src/discord/abortable-rest.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

describe('the outbox worker REST client', () => {
  let sandbox: Sandbox;
  let rest: REST;
  beforeAll(async () => {
    sandbox = await startSandbox({ rateLimits: false, logger: pino({ level: 'silent' }) });
    rest = new REST({ api: sandbox.apiUrl, version: '10' }).setToken(sandbox.botToken);
  });
  afterAll(async () => { await sandbox.close(); });

  it('leaves no listener on the stop signal after 200 requests, where discord.js alone keeps one per request', async () => {
    const stop = new AbortController();
    // 200 requests at once each listen on it while they run (as the worker allows for its concurrency).
    setMaxListeners(250, stop.signal);
    const client = abortableRest(rest, stop.signal);
    const channel = sandbox.demo.generalChannelId;
    await Promise.all(Array.from({ length: 100 }, (_, i) => client.post(Routes.channelMessages(channel), { body: { content: `m${i}` } })));
    await Promise.all(Array.from({ length: 100 }, () => client.get(Routes.user('@me'))));
    expect(getEventListeners(stop.signal, 'abort')).toHaveLength(0);
    // A caller's own signal is let go of too.
    const mine = new AbortController();
    await client.get(Routes.user('@me'), { signal: mine.signal });
    expect(getEventListeners(mine.signal, 'abort')).toHaveLength(0);

    // Why the wrapper exists: discord.js keeps a listener on the signal it is handed, per request.
    const bare = new AbortController();
    setMaxListeners(50, bare.signal);
    await Promise.all(Array.from({ length: 20 }, () => rest.get(Routes.user('@me'), { signal: bare.signal })));
    expect(getEventListeners(bare.signal, 'abort').length).toBeGreaterThanOrEqual(20);
  });

  it('once stopped, a request is cut off instead of sent', async () => {
    const stop = new AbortController();
    const client = abortableRest(rest, stop.signal);
    stop.abort(new Error('worker stopping'));
    await expect(client.get(Routes.user('@me'))).rejects.toThrow();
  });
});
