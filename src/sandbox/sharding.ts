// Gateway sharding as Discord does it: a guild belongs to shard (guild_id >> 22) % shard_count, a
// session identified with `shard: [id, count]` hears only its guilds (DMs go to shard 0), and
// GET /gateway/bot recommends a shard count. The recommendation and the guild count above which an
// unsharded IDENTIFY is refused (close 4011) are settings of the control API. So is the identify
// limit: `max_concurrency` session starts per 5 s, one per bucket (shard_id % max_concurrency); an
// IDENTIFY too soon after the last of its bucket is answered with op 9 (invalid session), as Discord
// does, and counted.
import { DiscordSnowflake } from '@sapphire/snowflake';
import { z } from 'zod';

/** Which shard of `count` hears guild `guildId`. */
export function shardOf(guildId: string, count: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(count));
}

/** A fresh snowflake whose guild lands on shard `shard` of `count` (its timestamp is nudged by < count ms). */
export function idOnShard(shard: number, count: number): string {
  const now = BigInt(Date.now());
  const epoch = DiscordSnowflake.epoch;
  const offset = (BigInt(shard) - ((now - epoch) % BigInt(count)) + BigInt(count)) % BigInt(count);
  return DiscordSnowflake.generate({ timestamp: now + offset }).toString();
}

export const ShardingInput = z.object({
  /** What GET /gateway/bot answers in `shards`; null = Discord's rule, one shard per 1,000 guilds. */
  recommended_shards: z.number().int().min(1).max(1024).nullable().optional(),
  /** A bot in more guilds than this must shard: an IDENTIFY without `shard` (or with [0, 1]) is closed with 4011. */
  max_guilds_per_session: z.number().int().min(1).max(1_000_000).optional(),
  /** GET /gateway/bot's `session_start_limit.max_concurrency`: session starts allowed per 5 s. */
  max_concurrency: z.number().int().min(1).max(1024).optional(),
  /** Whether IDENTIFYs over that limit are refused (op 9), as Discord does; tests of other things may turn it off. */
  identify_limit: z.boolean().optional(),
});
export type ShardingInputT = z.input<typeof ShardingInput>;

export interface ShardingSettings {
  recommendedShards: number | null;
  maxGuildsPerSession: number;
  maxConcurrency: number;
  identifyLimit: boolean;
}

export const DEFAULT_SHARDING: ShardingSettings = { recommendedShards: null, maxGuildsPerSession: 2500, maxConcurrency: 1, identifyLimit: true };

/** Discord's identify window: `max_concurrency` session starts per bucket per 5 s. */
export const IDENTIFY_WINDOW_MS = 5_000;

export function recommendedShards(settings: ShardingSettings, guildCount: number): number {
  return settings.recommendedShards ?? Math.max(1, Math.ceil(guildCount / 1000));
}

/** IDENTIFY's `shard` field: [id, count] with 0 ≤ id < count; absent means [0, 1]. Null when invalid. */
export function parseShard(raw: unknown): [number, number] | null {
  if (raw === undefined || raw === null) return [0, 1];
  const parsed = z.tuple([z.number().int().min(0), z.number().int().min(1).max(4096)]).safeParse(raw);
  if (!parsed.success) return null;
  const [id, count] = parsed.data;
  return id < count ? [id, count] : null;
}
