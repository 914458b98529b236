/**
 * After a process takes a shard over, the messages written while nobody ran it are read back from
 * Discord's REST history (forward from a little before each channel's newest recorded line) and
 * recorded. Recording is idempotent per message id, so what the gateway already delivered, or
 * the overlap, is never written twice.
 */
import type { REST } from 'discord.js';
import { MessageType } from 'discord.js';
import type { Engine } from '../../engine/index.js';
import type { GapChannel } from '../../engine/shard-gaps.js';
import type { Logger } from '../../logger.js';
import { historyAfter } from '../channel-history.js';
import { classify } from '../errors.js';

const DISCORD_EPOCH = 1_420_070_400_000n;
/** Read from this long before the newest recorded line: lines committed out of order near a crash are caught too. */
export const OVERLAP_MS = 2 * 60_000;
/** At most this many messages per channel per takeover (ten pages). */
const MAX_PER_CHANNEL = 1_000;
/** Channels read at once (every read still passes the global request gate). */
const PARALLEL = 4;

/** The smallest snowflake of time `at`: "after" it means from that moment on. */
export function snowflakeAt(at: Date): string {
  const ms = BigInt(Math.max(at.getTime(), Number(DISCORD_EPOCH)));
  return ((ms - DISCORD_EPOCH) << 22n).toString();
}

export interface BackfillReport { channels: number; read: number; recorded: number; failed: number }

export async function fillGaps(deps: { rest: REST; engine: Engine; logger: Logger; signal?: AbortSignal }, gaps: GapChannel[]): Promise<BackfillReport> {
  const report: BackfillReport = { channels: gaps.length, read: 0, recorded: 0, failed: 0 };
  const queue = [...gaps];
  const worker = async () => {
    for (let gap = queue.shift(); gap && !deps.signal?.aborted; gap = queue.shift()) {
      try {
        const after = snowflakeAt(new Date(gap.since.getTime() - OVERLAP_MS));
        const messages = await historyAfter(deps.rest, gap.channel_id, after, MAX_PER_CHANNEL, deps.signal);
        report.read += messages.length;
        for (const m of messages) {
          if (m.type === MessageType.ChannelPinnedMessage) continue; // not conversation (as on the gateway)
          const r = await deps.engine.transcripts.recordMessage({
            guild_id: gap.guild_id, channel_id: gap.channel_id,
            message: {
              id: m.id, content: m.content, embeds: m.embeds, created_at: m.timestamp,
              author: { id: m.author.id, username: m.author.username, global_name: m.author.global_name ?? null, avatar: m.author.avatar ?? null, bot: m.author.bot ?? false },
              attachments: m.attachments.map((a) => ({ id: a.id, filename: a.filename, content_type: a.content_type ?? null, size: a.size, url: a.url })),
            },
          });
          if (r?.recorded) report.recorded++;
        }
      } catch (err) {
        if (deps.signal?.aborted) return;
        report.failed++;
        // A channel deleted meanwhile or no longer readable: its ticket's own events tell the rest.
        deps.logger.warn({ channel: gap.channel_id, err: classify(err).message }, 'filling a transcript gap failed');
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, gaps.length) }, worker));
  return report;
}
