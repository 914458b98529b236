/**
 * Messages the action-item side posts in Discord (a sweep's summary, a new item in the to-do channel):
 * a channel.message.send job in the same transaction as the items, sent by the Discord driver. Nobody
 * is pinged: an item's text may mention people, and a list of items is no reason to ping them.
 * The heading is named as a message-catalogue key and each item given as data (its priority is ours
 * to name, its text is as written): the Discord face says them in the server's language (`content`
 * is the English fallback).
 */
import type { ActionItemPriority } from '../../db/schema.js';
import { newId } from '../ids.js';
import { enqueueJobs } from '../jobs.js';
import type { Tx } from '../tx.js';

/** One item of a list message: its priority (named by the face), its text as written, where it was said. */
export interface ListItem { priority: ActionItemPriority; text: string; channel: string }

/** A list message: a heading (catalogue key and values) over items the face keeps within Discord's 2000 characters. */
export interface ListMessage { head: { key: string; params: Record<string, string | number> }; items: ListItem[] }

/** An item as a list message gives it: `channel` is the channel's #name when known, else its mention. */
export const listItem = (item: { priority: ActionItemPriority; text: string }, channel: string): ListItem => ({ priority: item.priority, text: item.text, channel });

export async function announce(trx: Tx, guildId: string, channelId: string, content: string, list?: ListMessage): Promise<void> {
  await enqueueJobs(trx, [{ guildId, kind: 'channel.message.send', payload: {
    channel_id: channelId, channel_type: null, message_id: null, via: 'bot', webhook: null, thread: null,
    message: { content: content.length > 2000 ? `${content.slice(0, 1999)}…` : content, allowed_mentions: { parse: [] } }, nonce: newId(),
    ...(list ? { list } : {}),
  } }]);
}

/** The English line of an item (the fallback content; the face names the priority in the server's language). */
export function itemLine(item: { priority: string; text: string }, channel: string): string {
  return `• [${item.priority}] ${item.text} (${channel})`;
}
