/**
 * Reading a channel's messages forward from a cursor, in pages of 100, oldest first: for a sweep
 * (channelHistory) and for filling a transcript's gap after a shard takeover (historyAfter).
 */
import { Routes, type REST } from 'discord.js';
import { z } from 'zod';
import { abortableRest } from './abortable-rest.js';
import type { SweptMessage } from '../engine/action-items/extract.js';

/** A message as Discord's REST API returns it: what sweeps and the transcript store keep. */
export const ApiMessage = z.object({
  id: z.string(), channel_id: z.string(), content: z.string().default(''), timestamp: z.string(),
  author: z.object({ id: z.string(), username: z.string(), global_name: z.string().nullish(), avatar: z.string().nullish(), bot: z.boolean().optional() }),
  embeds: z.array(z.unknown()).default([]),
  attachments: z.array(z.object({ id: z.string(), filename: z.string(), content_type: z.string().nullish(), size: z.number(), url: z.string() })).default([]),
  type: z.number().optional(),
});
export type ApiMessage = z.output<typeof ApiMessage>;

const PAGE = 100;

/**
 * Messages after `after` (oldest first, at most `max`). Without a cursor only the newest page is
 * read: a first sweep does not crawl a channel's history.
 */
export async function historyAfter(discordRest: REST, channelId: string, after: string | null, max: number, signal?: AbortSignal): Promise<ApiMessage[]> {
  // A signal per page request (abortable-rest.ts): a shard's gap fill shares one for every channel.
  const rest = signal ? abortableRest(discordRest, signal) : discordRest;
  const out: ApiMessage[] = [];
  let cursor = after;
  for (;;) {
    const query = new URLSearchParams({ limit: String(PAGE) });
    if (cursor) query.set('after', cursor);
    const page = z.array(ApiMessage).parse(await rest.get(Routes.channelMessages(channelId), { query }));
    const sorted = page.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
    out.push(...sorted);
    if (!cursor || page.length < PAGE || out.length >= max) break;
    cursor = sorted[sorted.length - 1]!.id;
  }
  return out.slice(0, max);
}

export async function channelHistory(rest: REST, channelId: string, after: string | null, max: number, signal?: AbortSignal): Promise<SweptMessage[]> {
  return (await historyAfter(rest, channelId, after, max, signal)).map((m) => ({
    id: m.id, channel_id: m.channel_id, author_id: m.author.id, author_name: m.author.global_name ?? m.author.username,
    author_bot: m.author.bot === true, content: m.content, created_at: m.timestamp,
  }));
}
