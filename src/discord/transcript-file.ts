/** The transcript file posted to Discord: plain text, every message in order, streamed from the store. */
import type { Engine } from '../engine/index.js';
import type { TicketRow } from '../db/schema.js';

export async function transcriptText(engine: Engine, ticket: TicketRow, groupName: string): Promise<string> {
  const lines: string[] = [
    `Transcript of ticket #${ticket.number} (${ticket.id}) · ${groupName}`,
    `Owner: ${ticket.owner_id} · opened ${ticket.opened_at.toISOString()}${ticket.closed_at ? ` · closed ${ticket.closed_at.toISOString()}` : ''}${ticket.closed_reason ? ` · reason: ${ticket.closed_reason}` : ''}`,
    '',
  ];
  for await (const m of engine.transcripts.streamMessages(ticket.id)) {
    const flags = [m.in_notes ? 'notes' : null, m.edited_at ? 'edited' : null, m.deleted_at ? 'deleted' : null].filter(Boolean).join(', ');
    lines.push(`[${m.created_at}] ${m.author.name}${m.author.bot ? ' (bot)' : ''}${flags ? ` [${flags}]` : ''}: ${m.content}`);
    for (const e of m.embeds as Array<{ title?: unknown; description?: unknown }>) {
      const parts = [e?.title, e?.description].filter((x): x is string => typeof x === 'string' && x.length > 0);
      if (parts.length) lines.push(`    embed: ${parts.join(' — ')}`);
    }
    for (const a of m.attachments) lines.push(`    attachment: ${a.filename} (${a.size} bytes) ${a.url}`);
  }
  return `${lines.join('\n')}\n`;
}
