/**
 * What every long-running ticketbridge process runs beside its faces: the Discord side (discord.js on
 * DISCORD_TOKEN, else the built-in sandbox: the same code path), with its outbox worker, gateway and
 * schedulers, and the webhook worker. `serve` and `stdio` both start it, so tickets opened through
 * any face reach Discord. `stop()` is quick by design: it never waits for Discord's rate limits.
 */
import type { Config } from './config.js';
import type { Database } from './db/connect.js';
import type { DiscordStatus } from './deps.js';
import type { Engine } from './engine/index.js';
import type { Logger } from './logger.js';
import { startDiscord, type DiscordRuntime } from './discord/runtime.js';
import type { Sandbox } from './sandbox/index.js';
import { startWebhookWorker, type WebhookWorker } from './webhooks/worker.js';

export interface Runtime {
  discord(): DiscordStatus;
  /** Where Discord (or the sandbox) is reached, for the line a user sees on start. */
  describe(): string;
  /** First step of a stop: operations waiting for Discord answer at once with what they have. */
  haltWaits(): void;
  close(): Promise<void>;
}

/** The process serves its faces only: another process on the same PostgreSQL drives Discord. */
export function noRuntime(engine: Engine): Runtime {
  return {
    discord: () => ({ mode: 'off', ready: false }),
    describe: () => 'Discord: off (--no-discord; another ticketbridge process on this database drives it)',
    haltWaits: () => engine.outbox.haltWaits(),
    close: async () => {},
  };
}

export async function startRuntime(config: Config, logger: Logger, database: Database, engine: Engine): Promise<Runtime> {
  let sandbox: Sandbox | undefined;
  let discord: DiscordRuntime | undefined;
  let webhooks: WebhookWorker | undefined;
  try {
    const shards = { shardCount: config.TICKETBRIDGE_SHARD_COUNT, shardLeaseMs: config.TICKETBRIDGE_SHARD_LEASE_MS, shardRenewMs: config.TICKETBRIDGE_SHARD_RENEW_MS, waitBoundMs: config.TICKETBRIDGE_CREATE_WAIT_MS };
    if (config.DISCORD_TOKEN) {
      discord = await startDiscord({
        engine, database, logger: logger.child({ part: 'discord' }), token: config.DISCORD_TOKEN, apiUrl: config.DISCORD_API_URL,
        mode: 'discord', url: config.DISCORD_API_URL ?? 'https://discord.com/api', ...shards,
      });
    } else {
      const { startSandbox } = await import('./sandbox/index.js');
      sandbox = await startSandbox({ port: config.SANDBOX_PORT, host: config.HOST, logger: logger.child({ part: 'sandbox' }) });
      discord = await startDiscord({
        engine, database, logger: logger.child({ part: 'discord' }), token: sandbox.botToken, apiUrl: sandbox.apiUrl, mode: 'sandbox', url: sandbox.url, ...shards,
      });
    }
    webhooks = startWebhookWorker(engine, logger.child({ part: 'webhooks' }), { allowInternal: config.TICKETBRIDGE_WEBHOOK_ALLOW_INTERNAL });
  } catch (err) {
    await discord?.close().catch(() => {});
    await sandbox?.close().catch(() => {});
    throw err;
  }
  const running = discord;
  const worker = webhooks;
  const box = sandbox;
  return {
    discord: () => running.status(),
    describe: () => (box
      ? `Discord sandbox (no DISCORD_TOKEN) at ${box.url} (REST ${box.apiUrl}/v10)`
      : `Discord at ${config.DISCORD_API_URL ?? 'https://discord.com/api'}`),
    haltWaits: () => engine.outbox.haltWaits(),
    async close() {
      engine.outbox.haltWaits();
      // A webhook delivery in flight may wait on a slow receiver: it is retried from its row later.
      await Promise.all([
        boundedBy(2_000, worker.stop()).catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'webhook worker stop failed')),
        running.close().catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'Discord stop failed')),
      ]);
      await box?.close().catch(() => {});
    },
  };
}

/** Resolves when `p` settles or after `ms`, whichever comes first. */
export function boundedBy<T>(ms: number, p: Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<undefined>((r) => { timer = setTimeout(() => r(undefined), ms); timer.unref(); })]).finally(() => clearTimeout(timer));
}
