/**
 * The transcript file posted to Discord: plain text, every message in order, streamed from the store
 * in parts. Discord refuses a file over 10 MiB in a guild without boosts (and a long-lived ticket can
 * hold more than that), so a transcript is cut at line ends into parts that stay below it; only one
 * part is ever held in memory.
 */
import type { Engine } from '../engine/index.js';
import type { TicketRow } from '../db/schema.js';

/** A part's size limit: under Discord's 10 MiB per file with room to spare. */
export const TRANSCRIPT_PART_BYTES = 8 * 1024 * 1024;

function header(ticket: TicketRow, groupName: string): string[] {
  return [
    `Transcript of ticket #${ticket.number} (${ticket.id}) · ${groupName}`,
    `Owner: ${ticket.owner_id} · opened ${ticket.opened_at.toISOString()}${ticket.closed_at ? ` · closed ${ticket.closed_at.toISOString()}` : ''}${ticket.closed_reason ? ` · reason: ${ticket.closed_reason}` : ''}`,
    '',
  ];
}

async function* lines(engine: Engine, ticket: TicketRow, groupName: string): AsyncGenerator<string> {
  yield* header(ticket, groupName);
  for await (const m of engine.transcripts.streamMessages(ticket.id)) {
    const flags = [m.in_notes ? 'notes' : null, m.edited_at ? 'edited' : null, m.deleted_at ? 'deleted' : null].filter(Boolean).join(', ');
    yield `[${m.created_at}] ${m.author.name}${m.author.bot ? ' (bot)' : ''}${flags ? ` [${flags}]` : ''}: ${m.content}`;
    for (const e of m.embeds as Array<{ title?: unknown; description?: unknown }>) {
      const parts = [e?.title, e?.description].filter((x): x is string => typeof x === 'string' && x.length > 0);
      if (parts.length) yield `    embed: ${parts.join(' — ')}`;
    }
    for (const a of m.attachments) yield `    attachment: ${a.filename} (${a.size} bytes) ${a.url}`;
  }
}

/**
 * The transcript as UTF-8 parts of at most `partBytes` each, split between lines. The same store
 * gives the same parts, so a retried job posts what it posted before. Parts after the first start
 * with a line naming the ticket, so each file reads on its own.
 */
export async function* transcriptParts(engine: Engine, ticket: TicketRow, groupName: string, partBytes = TRANSCRIPT_PART_BYTES): AsyncGenerator<Buffer> {
  let chunks: Buffer[] = [];
  let size = 0;
  let index = 1;
  const push = (line: string) => {
    let b = Buffer.from(`${line}\n`, 'utf8');
    // A line past the room left cannot come from Discord (4,000 characters a message), but must not break the upload.
    const room = partBytes - size;
    if (b.length > room) b = Buffer.concat([b.subarray(0, Math.max(0, room - 4)), Buffer.from('…\n', 'utf8')]).subarray(0, room);
    chunks.push(b);
    size += b.length;
  };
  for await (const line of lines(engine, ticket, groupName)) {
    const bytes = Buffer.byteLength(line, 'utf8') + 1;
    if (size > 0 && size + bytes > partBytes) {
      yield Buffer.concat(chunks, size);
      chunks = [];
      size = 0;
      index++;
      push(`Transcript of ticket #${ticket.number} (${ticket.id}), part ${index}, continued`);
    }
    push(line);
  }
  yield Buffer.concat(chunks, size);
}
