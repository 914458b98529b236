/**
 * The short text rendering beside structuredContent: what an agent (or a person reading a log) needs
 * at a glance. The full data is always in structuredContent.
 */
type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown) => (v === null || v === undefined ? '—' : String(v));

function isTicket(v: unknown): v is Obj {
  return isObj(v) && typeof v.number === 'number' && typeof v.status === 'string' && 'owner_id' in v;
}

function ticketLine(t: Obj): string {
  const parts = [`Ticket #${str(t.number)} "${str(t.name)}" (id ${str(t.id)}): ${str(t.status)}`];
  if (t.deleted_at) parts.push('deleted');
  if (t.locked_at) parts.push('locked');
  parts.push(`owner ${str(t.owner_id)}`);
  parts.push(t.assigned_id ? `assigned to ${str(t.assigned_id)}` : 'unassigned');
  if (t.priority !== null && t.priority !== undefined) parts.push(`priority ${str(t.priority)}`);
  if (t.channel_id) parts.push(`channel ${str(t.channel_id)}`);
  if (t.topic) parts.push(`topic "${str(t.topic)}"`);
  if (t.closed_reason) parts.push(`closed: "${str(t.closed_reason)}"`);
  return parts.join(', ');
}

function generic(v: Obj): string {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(v)) {
    if (lines.length >= 12) { lines.push('…'); break; }
    if (Array.isArray(value)) lines.push(`${key}: ${value.length} item${value.length === 1 ? '' : 's'}`);
    else if (isObj(value)) lines.push(`${key}: {${Object.keys(value).slice(0, 6).join(', ')}${Object.keys(value).length > 6 ? ', …' : ''}}`);
    else lines.push(`${key}: ${str(value)}`);
  }
  return lines.join('\n');
}

export function renderText(toolName: string, value: unknown): string {
  let body: string;
  if (isTicket(value)) body = ticketLine(value);
  else if (isObj(value) && Array.isArray(value.tickets)) {
    const list = value.tickets.filter(isTicket);
    const head = `${list.length} ticket${list.length === 1 ? '' : 's'}${typeof value.total === 'number' ? ` of ${value.total}` : ''}${typeof value.page === 'number' ? ` (page ${value.page})` : ''}${value.next_cursor ? `, next_cursor ${str(value.next_cursor)}` : ''}`;
    body = [head, ...list.slice(0, 50).map((t) => `- ${ticketLine(t)}`), ...(list.length > 50 ? ['- …'] : [])].join('\n');
  } else if (isObj(value) && Array.isArray(value.events)) {
    const events = value.events.filter(isObj);
    body = [`${events.length} event${events.length === 1 ? '' : 's'}`, ...events.slice(0, 50).map((e) =>
      `- ${str(e.created_at)} ${str(e.kind)} by ${e.actor_id ? str(e.actor_id) : 'system'}${e.as_bot ? ' (as bot)' : ''}${e.reason ? `: ${str(e.reason)}` : ''}`)].join('\n');
  } else if (isObj(value)) body = generic(value);
  else body = str(value);
  const text = `${toolName}: ${body}`;
  return text.length > 4000 ? `${text.slice(0, 4000)}… (truncated; full data in structuredContent)` : text;
}
