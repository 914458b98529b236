/** Shared setup of the MCP tests: a guild with a ticket whose channel exists, and messages as Discord delivers them. */
import type { Kysely } from 'kysely';
import type { DB } from '../../src/db/schema.js';
import type { Engine } from '../../src/engine/index.js';
import { snowflake } from '../support/fixtures.js';

export const OWNER = '849383430663776372';
export const STAFF = '601082144459178129';

/** What the Discord side does once the outbox created a ticket's channel: the channel id lands on the ticket. */
export async function giveChannel(db: Kysely<DB>, ticketId: string): Promise<string> {
  const channelId = snowflake();
  await db.updateTable('tickets').set({ channel_id: channelId }).where('id', '=', ticketId).execute();
  return channelId;
}

let minute = 0;
/** A message written in Discord, recorded the way the gateway records it. */
export async function discordMessage(engine: Engine, guildId: string, channelId: string, author: { id: string; name: string; bot?: boolean }, content: string,
  attachments: Array<{ filename: string; url: string }> = []) {
  minute++;
  const created = new Date(Date.UTC(2030, 0, 1, 10, minute)).toISOString();
  return engine.transcripts.recordMessage({
    guild_id: guildId, channel_id: channelId,
    message: {
      id: snowflake(), author: { id: author.id, username: author.name, bot: author.bot ?? false }, content, created_at: created,
      attachments: attachments.map((a) => ({ id: snowflake(), filename: a.filename, url: a.url, size: 1234, content_type: 'image/png' })),
    },
  });
}

export type ToolResult = { isError?: boolean; content: Array<{ type: string; text?: string }>; structuredContent?: Record<string, unknown> };

export const textOf = (r: ToolResult) => r.content.map((c) => c.text ?? '').join('\n');

/** The text of a resource read's first content. */
export const resourceText = (r: { contents: Array<{ text?: unknown } | { blob?: unknown }> }): string => {
  const first = r.contents[0] as { text?: unknown } | undefined;
  return typeof first?.text === 'string' ? first.text : '';
};
