/**
 * Transcript as Markdown for language models and the people reading along: compact lines
 * "[time] Name (role): text", dates said once per day, attachments as links, the staff notes thread
 * in its own section. Message text is indented on continuation lines, so a message cannot fake a
 * heading or another speaker's line. Headings, labels and role names are in the ticket's language
 * (src.locale); ids and times stay as they are.
 */
import { t as tr } from '../../i18n/catalogue.js';
import type { Locale } from '../../i18n/locales.js';
import { Chunker } from './chunks.js';
import { roleName, roleOf, stateLabels, type TranscriptMessage, type TranscriptSource } from './types.js';

const size = (n: number) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : n >= 1024 ? `${Math.round(n / 1024)} KB` : `${n} B`);
const mdText = (s: string) => s.replace(/[[\]()]/g, (c) => `\\${c}`);

function embedsLine(embeds: unknown[], locale: Locale): string {
  const titles = embeds.map((e) => {
    const o = (typeof e === 'object' && e !== null ? e : {}) as { title?: unknown; description?: unknown };
    const t = typeof o.title === 'string' ? o.title : typeof o.description === 'string' ? o.description.slice(0, 80) : 'embed';
    return t.replace(/\s+/g, ' ');
  });
  return `  [${tr(locale, 'transcriptDoc.embedLabel', { count: titles.length })}: ${titles.join(' | ')}]\n`;
}

function messageLines(m: TranscriptMessage, role: string, lastDay: { value: string }, locale: Locale): string {
  const day = m.created_at.slice(0, 10);
  const time = m.created_at.slice(11, 16);
  let out = '';
  if (day !== lastDay.value) { out += `\n${day} (UTC)\n`; lastDay.value = day; }
  const flags = `${m.edited_at ? ` (${tr(locale, 'transcriptFile.flag.edited')})` : ''}${m.deleted_at ? ` (${tr(locale, 'transcriptFile.flag.deleted')})` : ''}`;
  const text = m.content.replace(/\r\n?/g, '\n').split('\n').join('\n  ');
  out += `[${time}] ${m.author.name} (${role})${flags}: ${text}\n`;
  for (const a of m.attachments) out += `  ${tr(locale, 'transcriptDoc.attachment')}: [${mdText(a.filename)}](<${a.url}>) (${a.content_type ?? tr(locale, 'transcriptDoc.file')}, ${size(a.size)})\n`;
  if (m.embeds.length) out += embedsLine(m.embeds, locale);
  return out;
}

export async function* renderMarkdown(src: TranscriptSource): AsyncGenerator<string, void, undefined> {
  const t = src.ticket;
  const chunks = new Chunker();
  const l = src.locale;
  const label = (key: Parameters<typeof tr>[1], value: string) => `${tr(l, key)}: ${value}`;
  const oneLine = (v: string) => v.replace(/\s+/g, ' ');
  const head = [
    `# ${tr(l, 'opening.title', { number: t.number })} "${t.name}" (${stateLabels(t, l).join(', ')})`,
    [
      label('transcriptDoc.server', `${src.guild.name ?? src.guild.id} (${src.guild.id})`), label('transcriptDoc.ticketId', t.id), label('transcriptDoc.owner', t.owner_id),
      t.assigned_id ? label('transcriptDoc.assignee', t.assigned_id) : tr(l, 'transcriptDoc.unassigned'),
      ...(t.priority !== null ? [label('opening.field.priority', String(t.priority))] : []),
    ].join(' · '),
    [
      label('transcriptDoc.opened', t.opened_at),
      ...(t.closed_at ? [label('transcriptDoc.closed', t.closed_at)] : []),
      ...(t.closed_at && t.closed_by ? [label('transcriptDoc.closedBy', t.closed_by)] : []),
      ...(t.closed_at && t.closed_reason ? [label('transcriptDoc.closeReason', oneLine(t.closed_reason))] : []),
    ].join(' · '),
    ...(t.topic ? [label('opening.field.topic', t.topic)] : []),
    ...t.form.map((f) => `${tr(l, 'transcriptDoc.form')} · ${f.title}: ${oneLine(f.value)}`),
    ...(t.summary ? [label('transcriptDoc.summary', oneLine(t.summary))] : []),
    tr(l, 'transcriptDoc.legend', { owner: roleName('owner', l), assignee: roleName('assignee', l), bot: roleName('bot', l) }),
    '', `## ${tr(l, 'transcriptDoc.conversation')}`,
  ].join('\n');
  chunks.push(`${head}\n`);
  for (const scope of ['channel', 'notes'] as const) {
    const lastDay = { value: '' };
    let count = 0;
    for await (const m of src.messages(scope)) {
      if (count++ === 0 && scope === 'notes') {
        const c = chunks.push(`\n## ${tr(l, 'transcriptDoc.notesPrivate')}\n`);
        if (c) yield c;
      }
      const c = chunks.push(messageLines(m, roleName(roleOf(m, t), l), lastDay, l));
      if (c) yield c;
    }
    if (scope === 'channel' && count === 0) chunks.push(`${tr(l, 'transcriptDoc.noMessages')}\n`);
  }
  const rest = chunks.take();
  if (rest) yield rest;
}
