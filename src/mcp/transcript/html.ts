/**
 * Transcript as a standalone HTML page for people, headed and labelled in the ticket's language
 * (src.locale, also the page's lang). Safe against injected HTML: every piece of message data is
 * escaped, links are only http(s), and a Content-Security-Policy forbids scripts, so a message
 * containing <script> or an onerror attribute renders as text.
 */
import { t as tr, type MessageKey } from '../../i18n/catalogue.js';
import type { Locale } from '../../i18n/locales.js';
import { Chunker } from './chunks.js';
import { roleName, roleOf, stateLabels, type TranscriptMessage, type TranscriptSource } from './types.js';

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ESC[c] ?? c);
const safeUrl = (u: string) => (/^https?:\/\//i.test(u) ? u : undefined);

const STYLE = `body{font:15px/1.45 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.4rem}dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dt{color:#666}
.m{padding:.35rem 0;border-bottom:1px solid #eee}.a{font-weight:600}.r{color:#777;font-size:.85em}.t{color:#999;font-size:.8em}
.c{white-space:pre-wrap;word-wrap:break-word}.notes{background:#fff8e6;padding:.5rem 1rem}.f{font-size:.9em}.d{color:#a00}`;

function messageHtml(m: TranscriptMessage, role: string, l: Locale): string {
  const files = m.attachments.map((a) => {
    const url = safeUrl(a.url);
    const label = `${escapeHtml(a.filename)} (${escapeHtml(a.content_type ?? tr(l, 'transcriptDoc.file'))}, ${escapeHtml(tr(l, 'transcriptDoc.bytes', { size: a.size }))})`;
    return `<div class="f">📎 ${url ? `<a href="${escapeHtml(url)}" rel="noopener noreferrer nofollow">${label}</a>` : label}</div>`;
  }).join('');
  const embeds = m.embeds.length ? `<div class="f">[${escapeHtml(tr(l, 'transcriptDoc.embeds', { count: m.embeds.length }))}]</div>` : '';
  const edited = m.edited_at ? ` <span class="t">(${escapeHtml(tr(l, 'transcriptFile.flag.edited'))})</span>` : '';
  const deleted = m.deleted_at ? ` <span class="d">(${escapeHtml(tr(l, 'transcriptFile.flag.deleted'))})</span>` : '';
  return `<div class="m" id="m${escapeHtml(m.id)}"><span class="a">${escapeHtml(m.author.name)}</span> <span class="r">${escapeHtml(role)}</span> <time class="t" datetime="${escapeHtml(m.created_at)}">${escapeHtml(m.created_at.replace('T', ' ').slice(0, 19))}</time>${edited}${deleted}<div class="c">${escapeHtml(m.content)}</div>${files}${embeds}</div>\n`;
}

export async function* renderHtml(src: TranscriptSource): AsyncGenerator<string, void, undefined> {
  const t = src.ticket;
  const l = src.locale;
  const chunks = new Chunker();
  const label = (key: MessageKey) => escapeHtml(tr(l, key));
  const row = (key: MessageKey, v: string | number | null) => (v === null || v === '' ? '' : `<dt>${label(key)}</dt><dd>${escapeHtml(String(v))}</dd>`);
  const title = `${escapeHtml(tr(l, 'opening.title', { number: t.number }))} · ${escapeHtml(t.name)}`;
  const fields = [
    row('transcriptDoc.server', src.guild.name ?? src.guild.id), row('opening.field.status', stateLabels(t, l).join(', ')), row('transcriptDoc.owner', t.owner_id),
    row('transcriptDoc.assignee', t.assigned_id), row('opening.field.priority', t.priority), row('opening.field.topic', t.topic), row('transcriptDoc.opened', t.opened_at),
    row('transcriptDoc.closed', t.closed_at), row('transcriptDoc.closeReason', t.closed_reason), row('transcriptDoc.summary', t.summary),
    ...t.form.map((f) => (f.value === '' ? '' : `<dt>${escapeHtml(f.title)}</dt><dd>${escapeHtml(f.value)}</dd>`)),
  ].join('');
  chunks.push(`<!doctype html>\n<html lang="${escapeHtml(l)}"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src https: data:">
<meta name="viewport" content="width=device-width,initial-scale=1"><meta name="referrer" content="no-referrer">
<title>${title}</title><style>${STYLE}</style></head><body>
<h1>${title}</h1><dl>${fields}</dl>
<h2>${label('transcriptDoc.conversation')}</h2>\n`);
  for (const scope of ['channel', 'notes'] as const) {
    let count = 0;
    for await (const m of src.messages(scope)) {
      if (count++ === 0 && scope === 'notes') chunks.push(`<section class="notes"><h2>${label('transcriptDoc.notes')}</h2>\n`);
      const c = chunks.push(messageHtml(m, roleName(roleOf(m, t), l), l));
      if (c) yield c;
    }
    if (scope === 'notes' && count > 0) chunks.push('</section>\n');
    if (scope === 'channel' && count === 0) chunks.push(`<p>${label('transcriptDoc.noMessages')}</p>\n`);
  }
  chunks.push('</body></html>\n');
  const rest = chunks.take();
  if (rest) yield rest;
}
