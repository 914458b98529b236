/** One sandbox + one discord.js runtime per database kind of a test file, on the real engine. */
import { afterAll, beforeAll } from 'vitest';
import { pino } from 'pino';
import type { Database } from '../../src/db/connect.js';
import { createEngine, type Engine } from '../../src/engine/index.js';
import type { OutboxOptions } from '../../src/engine/outbox.js';
import { startDiscord, type DiscordRuntime } from '../../src/discord/runtime.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

export interface Harness { sandbox: Sandbox; engine: Engine; discord: DiscordRuntime; database: Database }

export const quietLogger = pino({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent' });

export function useDiscord(database: () => Database, opts: { rateLimits?: boolean; outbox?: OutboxOptions; waitBoundMs?: number } = {}): () => Harness {
  let h: Harness | undefined;
  beforeAll(async () => {
    const sandbox = await startSandbox({ rateLimits: opts.rateLimits ?? false, logger: quietLogger });
    const engine = createEngine(database(), { outbox: { baseDelayMs: 50, maxDelayMs: 1_000, ...opts.outbox } });
    const discord = await startDiscord({
      engine, database: database(), logger: quietLogger, token: sandbox.botToken, apiUrl: sandbox.apiUrl, mode: 'sandbox', url: sandbox.url,
      waitBoundMs: opts.waitBoundMs ?? 10_000,
    });
    await discord.synced;
    h = { sandbox, engine, discord, database: database() };
  });
  afterAll(async () => {
    await h?.discord.close();
    await h?.sandbox.close();
  });
  return () => {
    if (!h) throw new Error('harness not started');
    return h;
  };
}

/** Resolves when `check` passes (polling the sandbox/engine state), or fails with its last error. */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try { return await check(); } catch (err) { last = err; }
    if (Date.now() > deadline) throw last;
    await new Promise((r) => setTimeout(r, 25));
  }
}
