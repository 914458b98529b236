/**
 * Messages the action-item side posts in Discord (a sweep's summary, a new item in the to-do channel):
 * a channel.message.send job in the same transaction as the items, sent by the Discord driver. Nobody
 * is pinged: an item's text may mention people, and a list of items is no reason to ping them.
 * The heading is named as a message-catalogue key: the Discord face says it in the server's
 * language (`content` is the English fallback).
 */
import { newId } from '../ids.js';
import { enqueueJobs } from '../jobs.js';
import type { Tx } from '../tx.js';

/** A list message: a heading (catalogue key and values) over lines the face keeps within Discord's 2000 characters. */
export interface ListMessage { head: { key: string; params: Record<string, string | number> }; lines: string[] }

export async function announce(trx: Tx, guildId: string, channelId: string, content: string, list?: ListMessage): Promise<void> {
  await enqueueJobs(trx, [{ guildId, kind: 'channel.message.send', payload: {
    channel_id: channelId, channel_type: null, message_id: null, via: 'bot', webhook: null, thread: null,
    message: { content: content.length > 2000 ? `${content.slice(0, 1999)}…` : content, allowed_mentions: { parse: [] } }, nonce: newId(),
    ...(list ? { list } : {}),
  } }]);
}

export function itemLine(item: { priority: string; text: string }, channel: string): string {
  return `• [${item.priority}] ${item.text} (${channel})`;
}
