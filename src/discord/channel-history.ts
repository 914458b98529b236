/** Reading a channel's messages for a sweep: forward from a cursor in pages of 100, oldest first. */
import { Routes, type REST } from 'discord.js';
import { z } from 'zod';
import type { SweptMessage } from '../engine/action-items/extract.js';

const ApiMessage = z.object({
  id: z.string(), channel_id: z.string(), content: z.string().default(''), timestamp: z.string(),
  author: z.object({ id: z.string(), username: z.string(), global_name: z.string().nullish(), bot: z.boolean().optional() }),
});

const PAGE = 100;

export async function channelHistory(rest: REST, channelId: string, after: string | null, max: number, signal?: AbortSignal): Promise<SweptMessage[]> {
  const out: SweptMessage[] = [];
  let cursor = after;
  for (;;) {
    const query = new URLSearchParams({ limit: String(PAGE) });
    if (cursor) query.set('after', cursor);
    const page = z.array(ApiMessage).parse(await rest.get(Routes.channelMessages(channelId), { query, ...(signal ? { signal } : {}) }));
    const sorted = page.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
    for (const m of sorted) {
      out.push({
        id: m.id, channel_id: m.channel_id, author_id: m.author.id, author_name: m.author.global_name ?? m.author.username,
        author_bot: m.author.bot === true, content: m.content, created_at: m.timestamp,
      });
    }
    // Without a cursor only the newest page is read: a first sweep does not crawl a channel's history.
    if (!cursor || page.length < PAGE || out.length >= max) break;
    cursor = sorted[sorted.length - 1]!.id;
  }
  return out.slice(0, max);
}
