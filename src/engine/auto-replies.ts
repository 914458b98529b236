/**
 * Auto replies: a custom message with auto_keywords is posted in a ticket when its owner writes one
 * of those words or phrases, at most once per ticket. Matched as whole words, any case, by plain
 * comparison (no patterns: nothing a member writes can make matching slow). Runs inside the
 * transaction that records the owner's message: the reply job and its `auto_replied` event commit
 * with it. The reply is the bot's: it answers nothing (the ticket still waits on staff).
 */
import type { TicketRow } from '../db/schema.js';
import { systemActor } from './actor.js';
import { enqueueChannelMessage } from './channel-messages.js';
import { renderCustomMessage } from './custom-messages.js';
import { appendEvent } from './events.js';
import type { Tx } from './tx.js';

/** At most this many different auto replies answer one message. */
const MAX_PER_MESSAGE = 3;

const wordChar = /[\p{L}\p{N}_]/u;

/** Whether `phrase` stands in `text` as whole words (any case). */
export function containsPhrase(text: string, phrase: string): boolean {
  const hay = text.toLocaleLowerCase();
  const needle = phrase.trim().toLocaleLowerCase();
  if (!needle) return false;
  for (let at = hay.indexOf(needle); at >= 0; at = hay.indexOf(needle, at + 1)) {
    const before = at === 0 ? '' : hay[at - 1]!;
    const after = hay[at + needle.length] ?? '';
    if (!wordChar.test(before) && !wordChar.test(after)) return true;
  }
  return false;
}

/** Queues the auto replies the owner's line calls for; returns how many events it wrote. */
export async function queueAutoReplies(trx: Tx, ticket: TicketRow, channelId: string, message: { id: string; content: string }): Promise<number> {
  if (ticket.status !== 'open' || !message.content.trim()) return 0;
  const candidates = await trx.selectFrom('custom_messages').selectAll()
    .where('guild_id', '=', ticket.guild_id).where((eb) => eb(eb.fn('jsonb_array_length', ['auto_keywords']), '>', 0))
    .orderBy('created_at').orderBy('id').execute();
  const hits = candidates.filter((c) => c.auto_keywords.some((k) => containsPhrase(message.content, k)));
  if (hits.length === 0) return 0;
  const sent = new Set((await trx.selectFrom('ticket_events').select('data').where('ticket_id', '=', ticket.id).where('kind', '=', 'auto_replied').execute())
    .map((e) => String(e.data['custom_message_id'])));
  const guild = await trx.selectFrom('guilds').select(['id', 'name']).where('id', '=', ticket.guild_id).executeTakeFirstOrThrow();
  let written = 0;
  for (const row of hits.filter((h) => !sent.has(h.id)).slice(0, MAX_PER_MESSAGE)) {
    const rendered = renderCustomMessage(guild, row, { user: `<@${ticket.owner_id}>`, ticket: { id: ticket.id, number: ticket.number, topic: ticket.topic ?? '' } });
    await enqueueChannelMessage(trx, systemActor, {
      guild_id: ticket.guild_id, channel_id: channelId,
      content: rendered.content ?? undefined, embeds: rendered.embeds, components: rendered.components,
      // Name the owner without pinging them again, and nobody else.
      allowed_mentions: { parse: [] },
    }, null);
    await appendEvent(trx, systemActor, {
      ticketId: ticket.id, guildId: ticket.guild_id, kind: 'auto_replied',
      data: { custom_message_id: row.id, name: row.name, message_id: message.id },
    });
    written++;
  }
  return written;
}
