/**
 * Transcript as a standalone HTML page for people. Safe against injected HTML: every piece of message
 * data is escaped, links are only http(s), and a Content-Security-Policy forbids scripts, so a message
 * containing <script> or an onerror attribute renders as text.
 */
import { Chunker } from './chunks.js';
import { roleOf, type TranscriptMessage, type TranscriptSource } from './types.js';

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ESC[c] ?? c);
const safeUrl = (u: string) => (/^https?:\/\//i.test(u) ? u : undefined);

const STYLE = `body{font:15px/1.45 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.4rem}dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dt{color:#666}
.m{padding:.35rem 0;border-bottom:1px solid #eee}.a{font-weight:600}.r{color:#777;font-size:.85em}.t{color:#999;font-size:.8em}
.c{white-space:pre-wrap;word-wrap:break-word}.notes{background:#fff8e6;padding:.5rem 1rem}.f{font-size:.9em}.d{color:#a00}`;

function messageHtml(m: TranscriptMessage, role: string): string {
  const files = m.attachments.map((a) => {
    const url = safeUrl(a.url);
    const label = `${escapeHtml(a.filename)} (${escapeHtml(a.content_type ?? 'file')}, ${a.size} bytes)`;
    return `<div class="f">📎 ${url ? `<a href="${escapeHtml(url)}" rel="noopener noreferrer nofollow">${label}</a>` : label}</div>`;
  }).join('');
  const embeds = m.embeds.length ? `<div class="f">[${m.embeds.length} embed${m.embeds.length > 1 ? 's' : ''}]</div>` : '';
  return `<div class="m" id="m${escapeHtml(m.id)}"><span class="a">${escapeHtml(m.author.name)}</span> <span class="r">${role}</span> <time class="t" datetime="${escapeHtml(m.created_at)}">${escapeHtml(m.created_at.replace('T', ' ').slice(0, 19))}</time>${m.edited_at ? ' <span class="t">(edited)</span>' : ''}${m.deleted_at ? ' <span class="d">(deleted)</span>' : ''}<div class="c">${escapeHtml(m.content)}</div>${files}${embeds}</div>\n`;
}

export async function* renderHtml(src: TranscriptSource): AsyncGenerator<string, void, undefined> {
  const t = src.ticket;
  const chunks = new Chunker();
  const row = (k: string, v: string | number | null) => (v === null || v === '' ? '' : `<dt>${k}</dt><dd>${escapeHtml(String(v))}</dd>`);
  chunks.push(`<!doctype html>\n<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src https: data:">
<meta name="viewport" content="width=device-width,initial-scale=1"><meta name="referrer" content="no-referrer">
<title>Ticket #${t.number} ${escapeHtml(t.name)}</title><style>${STYLE}</style></head><body>
<h1>Ticket #${t.number} · ${escapeHtml(t.name)}</h1><dl>${row('Guild', src.guild.name ?? src.guild.id)}${row('Status', t.status)}${row('Owner', t.owner_id)}${row('Assignee', t.assigned_id)}${row('Priority', t.priority)}${row('Topic', t.topic)}${row('Opened', t.opened_at)}${row('Closed', t.closed_at)}${row('Close reason', t.closed_reason)}${row('Summary', t.summary)}${t.form.map((f) => row(f.title, f.value)).join('')}</dl>
<h2>Conversation</h2>\n`);
  for (const scope of ['channel', 'notes'] as const) {
    let count = 0;
    for await (const m of src.messages(scope)) {
      if (count++ === 0 && scope === 'notes') chunks.push('<section class="notes"><h2>Staff notes</h2>\n');
      const c = chunks.push(messageHtml(m, roleOf(m, t)));
      if (c) yield c;
    }
    if (scope === 'notes' && count > 0) chunks.push('</section>\n');
    if (scope === 'channel' && count === 0) chunks.push('<p>No messages.</p>\n');
  }
  chunks.push('</body></html>\n');
  const rest = chunks.take();
  if (rest) yield rest;
}
