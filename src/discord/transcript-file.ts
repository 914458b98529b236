/**
 * The transcript file posted to Discord: plain text, every message in order, streamed from the store
 * in parts. Discord refuses a file over 10 MiB in a guild without boosts (and a long-lived ticket can
 * hold more than that), so a transcript is cut at line ends into parts that stay below it; only one
 * part is ever held in memory.
 */
import type { Engine } from '../engine/index.js';
import type { TicketRow } from '../db/schema.js';
import { t } from '../i18n/catalogue.js';
import type { Locale } from '../i18n/locales.js';

/** A part's size limit: under Discord's 10 MiB per file with room to spare. */
export const TRANSCRIPT_PART_BYTES = 8 * 1024 * 1024;

function header(ticket: TicketRow, groupName: string, locale: Locale): string[] {
  const tail = [
    ticket.closed_at ? t(locale, 'transcriptFile.closed', { closed: ticket.closed_at.toISOString() }) : null,
    ticket.closed_reason ? t(locale, 'transcriptFile.reason', { reason: ticket.closed_reason }) : null,
  ].filter((x): x is string => x !== null);
  return [
    t(locale, 'transcriptFile.header', { number: ticket.number, id: ticket.id, group: groupName }),
    [t(locale, 'transcriptFile.opened', { owner: ticket.owner_id, opened: ticket.opened_at.toISOString() }), ...tail].join(' · '),
    '',
  ];
}

async function* lines(engine: Engine, ticket: TicketRow, groupName: string, locale: Locale): AsyncGenerator<string> {
  yield* header(ticket, groupName, locale);
  const flagNames = { notes: t(locale, 'transcriptFile.flag.notes'), edited: t(locale, 'transcriptFile.flag.edited'), deleted: t(locale, 'transcriptFile.flag.deleted') };
  const bot = ` (${t(locale, 'transcriptFile.bot')})`;
  for await (const m of engine.transcripts.streamMessages(ticket.id)) {
    const flags = [m.in_notes ? flagNames.notes : null, m.edited_at ? flagNames.edited : null, m.deleted_at ? flagNames.deleted : null].filter(Boolean).join(', ');
    yield `[${m.created_at}] ${m.author.name}${m.author.bot ? bot : ''}${flags ? ` [${flags}]` : ''}: ${m.content}`;
    for (const e of m.embeds as Array<{ title?: unknown; description?: unknown }>) {
      const parts = [e?.title, e?.description].filter((x): x is string => typeof x === 'string' && x.length > 0);
      if (parts.length) yield `    ${t(locale, 'transcriptFile.embed', { text: parts.join(' — ') })}`;
    }
    for (const a of m.attachments) yield `    ${t(locale, 'transcriptFile.attachment', { name: a.filename, size: a.size, url: a.url })}`;
  }
}

/**
 * The transcript as UTF-8 parts of at most `partBytes` each, split between lines. The same store
 * gives the same parts, so a retried job posts what it posted before. Parts after the first start
 * with a line naming the ticket, so each file reads on its own.
 */
export async function* transcriptParts(engine: Engine, ticket: TicketRow, groupName: string, locale: Locale = 'en', partBytes = TRANSCRIPT_PART_BYTES): AsyncGenerator<Buffer> {
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
  for await (const line of lines(engine, ticket, groupName, locale)) {
    const bytes = Buffer.byteLength(line, 'utf8') + 1;
    if (size > 0 && size + bytes > partBytes) {
      yield Buffer.concat(chunks, size);
      chunks = [];
      size = 0;
      index++;
      push(t(locale, 'transcriptFile.continued', { number: ticket.number, id: ticket.id, index }));
    }
    push(line);
  }
  yield Buffer.concat(chunks, size);
}
