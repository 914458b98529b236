/**
 * Discord's identify limit for every shard of the bot, in every process: the gate discord.js asks
 * before each IDENTIFY (its `buildIdentifyThrottler`). discord.js's own throttler paces only the
 * shards of one Client, and a process runs a Client per leased shard (shard-client.ts), so without
 * this every shard would identify at once. Each start reserves its bucket's next moment in the
 * database (engine.identifySlots) and waits for it.
 *
 * If the database cannot be asked, the start waits one whole window here instead: slower, never
 * faster than the limit allows within this process.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { WebSocketOptions } from 'discord.js';
import type { Engine } from '../../engine/index.js';
import type { IdentifySlot } from '../../engine/identify-slots.js';
import type { Logger } from '../../logger.js';

/** What discord.js asks before each IDENTIFY (@discordjs/ws's IIdentifyThrottler, named through discord.js). */
export type IdentifyThrottler = Awaited<ReturnType<NonNullable<WebSocketOptions['buildIdentifyThrottler']>>>;

/**
 * How far apart the starts of one bucket are reserved: Discord's window (`max_concurrency` session
 * starts per 5 s) and 250 ms more, as each IDENTIFY still has its own way to Discord to go after its
 * turn came, and a later one that travels faster must not arrive inside the window.
 */
export const IDENTIFY_SPACING_MS = 5_250;

export interface IdentifyGateOptions {
  engine: Engine;
  logger: Logger;
  /** The bot's key in the database (bot-key.ts). */
  botKey: string;
  /** `session_start_limit.max_concurrency` from GET /gateway/bot. */
  maxConcurrency: number;
}

export function createIdentifyGate(opts: IdentifyGateOptions): IdentifyThrottler {
  const windowMs = IDENTIFY_SPACING_MS;
  return {
    async waitForIdentify(shardId: number, signal: AbortSignal): Promise<void> {
      const bucket = shardId % Math.max(1, opts.maxConcurrency);
      let slot: IdentifySlot | null = null;
      try {
        slot = await opts.engine.identifySlots.reserve(opts.botKey, bucket, windowMs);
      } catch (err) {
        opts.logger.warn({ err: (err as Error).message, shard: shardId }, 'could not reserve an identify slot in the database; waiting one whole window');
      }
      const waitMs = slot ? slot.waitMs : windowMs;
      if (waitMs <= 0) return;
      opts.logger.debug({ shard: shardId, bucket, waitMs }, 'waiting for an identify slot');
      try {
        await sleep(waitMs, undefined, { signal });
      } catch (err) {
        // The shard stopped before its turn: its moment goes back to the bucket if nobody is after it.
        if (slot) await opts.engine.identifySlots.giveBack(opts.botKey, bucket, slot.reservation, windowMs).catch(() => false);
        throw err;
      }
    },
  };
}
