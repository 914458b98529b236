/**
 * Transcript as Markdown for language models: compact lines "[time] Name (role): text", dates said
 * once per day, attachments as links, the staff notes thread in its own section. Message text is
 * indented on continuation lines, so a message cannot fake a heading or another speaker's line.
 */
import { Chunker } from './chunks.js';
import { roleOf, type TranscriptMessage, type TranscriptSource } from './types.js';

const size = (n: number) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : n >= 1024 ? `${Math.round(n / 1024)} KB` : `${n} B`);
const mdText = (s: string) => s.replace(/[[\]()]/g, (c) => `\\${c}`);

function embedsLine(embeds: unknown[]): string {
  const titles = embeds.map((e) => {
    const o = (typeof e === 'object' && e !== null ? e : {}) as { title?: unknown; description?: unknown };
    const t = typeof o.title === 'string' ? o.title : typeof o.description === 'string' ? o.description.slice(0, 80) : 'embed';
    return t.replace(/\s+/g, ' ');
  });
  return `  [embed${titles.length > 1 ? 's' : ''}: ${titles.join(' | ')}]\n`;
}

function messageLines(m: TranscriptMessage, role: string, lastDay: { value: string }): string {
  const day = m.created_at.slice(0, 10);
  const time = m.created_at.slice(11, 16);
  let out = '';
  if (day !== lastDay.value) { out += `\n${day} (UTC)\n`; lastDay.value = day; }
  const flags = `${m.edited_at ? ' (edited)' : ''}${m.deleted_at ? ' (deleted)' : ''}`;
  const text = m.content.replace(/\r\n?/g, '\n').split('\n').join('\n  ');
  out += `[${time}] ${m.author.name} (${role})${flags}: ${text}\n`;
  for (const a of m.attachments) out += `  attachment: [${mdText(a.filename)}](<${a.url}>) (${a.content_type ?? 'file'}, ${size(a.size)})\n`;
  if (m.embeds.length) out += embedsLine(m.embeds);
  return out;
}

export async function* renderMarkdown(src: TranscriptSource): AsyncGenerator<string, void, undefined> {
  const t = src.ticket;
  const chunks = new Chunker();
  const head = [
    `# Ticket #${t.number} "${t.name}" (${t.status}${t.deleted_at ? ', deleted' : ''}${t.locked_at ? ', locked' : ''})`,
    `Guild: ${src.guild.name ?? src.guild.id} (${src.guild.id}) · ticket ${t.id} · owner ${t.owner_id} · ${t.assigned_id ? `assignee ${t.assigned_id}` : 'unassigned'}${t.priority !== null ? ` · priority ${t.priority}` : ''}`,
    `Opened ${t.opened_at}${t.closed_at ? ` · closed ${t.closed_at}${t.closed_by ? ` by ${t.closed_by}` : ''}${t.closed_reason ? `: ${t.closed_reason}` : ''}` : ''}`,
    ...(t.topic ? [`Topic: ${t.topic}`] : []),
    ...t.form.map((f) => `Form · ${f.title}: ${f.value.replace(/\s+/g, ' ')}`),
    ...(t.summary ? [`Stored summary: ${t.summary.replace(/\s+/g, ' ')}`] : []),
    'Times are UTC. Roles: owner = who opened it, assignee = staff member handling it, bot = automated.',
    '', '## Conversation',
  ].join('\n');
  chunks.push(`${head}\n`);
  for (const scope of ['channel', 'notes'] as const) {
    const lastDay = { value: '' };
    let count = 0;
    for await (const m of src.messages(scope)) {
      if (count++ === 0 && scope === 'notes') {
        const c = chunks.push('\n## Staff notes (private thread; the owner cannot see these)\n');
        if (c) yield c;
      }
      const c = chunks.push(messageLines(m, roleOf(m, t), lastDay));
      if (c) yield c;
    }
    if (scope === 'channel' && count === 0) chunks.push('(no messages)\n');
  }
  const rest = chunks.take();
  if (rest) yield rest;
}
