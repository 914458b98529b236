/**
 * Resource templates: a ticket, its transcript (Markdown for models, Ticketeer JSON, safe HTML for
 * people) and a guild's stats. Listing and completion go through list_guilds / list_tickets; reads go
 * through get_ticket / get_guild_stats, so the token's abilities and guild scope always apply.
 */
import { ResourceNotFoundError, type ReadResourceResult, type Resource, type ResourceTemplateType } from '@modelcontextprotocol/server';
import type { SessionContext } from './context.js';
import { call, guildName, guildsOf, mcpErrors, recordsOf, requireAbility } from './catalogue-calls.js';
import { collect } from './transcript/chunks.js';
import { renderHtml } from './transcript/html.js';
import { renderJson } from './transcript/json.js';
import { renderMarkdown } from './transcript/markdown.js';
import type { TicketData, TranscriptSource } from './transcript/types.js';
import type { Locale } from '../i18n/locales.js';

export const URI = {
  ticket: 'ticketbridge://guilds/{guild_id}/tickets/{ticket_id}',
  transcript: 'ticketbridge://guilds/{guild_id}/tickets/{ticket_id}/transcript',
  transcriptJson: 'ticketbridge://guilds/{guild_id}/tickets/{ticket_id}/transcript.json',
  transcriptHtml: 'ticketbridge://guilds/{guild_id}/tickets/{ticket_id}/transcript.html',
  stats: 'ticketbridge://guilds/{guild_id}/stats',
  queue: 'ticketbridge://guilds/{guild_id}/queue',
} as const;

export const ticketUri = (g: string, t: string) => `ticketbridge://guilds/${g}/tickets/${t}`;
export const transcriptUris = (g: string, t: string) => [`${ticketUri(g, t)}/transcript`, `${ticketUri(g, t)}/transcript.json`, `${ticketUri(g, t)}/transcript.html`];
export const statsUri = (g: string) => `ticketbridge://guilds/${g}/stats`;
export const queueUri = (g: string) => `ticketbridge://guilds/${g}/queue`;

/** Every URI our templates produce, parsed; undefined for anything else. */
export function parseUri(uri: string): { kind: 'ticket' | 'transcript' | 'stats' | 'queue'; guildId: string; ticketId?: string } | undefined {
  const m = /^ticketbridge:\/\/guilds\/(\d{1,20})\/(?:(stats|queue)|tickets\/(\d{1,20})(\/transcript(?:\.json|\.html)?)?)$/.exec(uri);
  if (!m || !m[1]) return undefined;
  if (m[2] === 'stats' || m[2] === 'queue') return { kind: m[2], guildId: m[1] };
  if (!m[3]) return undefined;
  return { kind: m[4] ? 'transcript' : 'ticket', guildId: m[1], ticketId: m[3] };
}

export async function readTicket(session: SessionContext, guildId: string, ticketId: string, signal?: AbortSignal): Promise<TicketData> {
  return await call(session, 'get_ticket', { guild_id: guildId, ticket_id: ticketId }, signal) as TicketData;
}

/** The transcript's source for the renderers, after the same checks get_transcript makes. */
export async function transcriptSource(session: SessionContext, guildId: string, ticketId: string, signal?: AbortSignal): Promise<TranscriptSource> {
  requireAbility(session, 'transcripts:read', 'transcripts');
  const ticket = await readTicket(session, guildId, ticketId, signal);
  // Headings in the ticket's language, by the rule the Discord face follows for the ticket's messages.
  const { locale } = await call(session, 'get_ticket_locale', { guild_id: guildId, ticket_id: ticket.id }, signal) as { locale: Locale };
  const engine = session.deps.engine;
  return {
    ticket,
    locale,
    guild: { id: guildId, name: await guildName(session, guildId) },
    messages: (scope) => engine.transcripts.streamMessages(ticket.id, { batchSize: 500, scope, ...(signal ? { signal } : {}) }),
  };
}

/** The JSON document's head (guild, group, ticket, members) as get_transcript builds it: only the messages are streamed here. */
async function withJsonHead(session: SessionContext, src: TranscriptSource): Promise<TranscriptSource> {
  const head = await session.deps.engine.transcripts.head({ guild_id: src.guild.id, ticket: { ticket_id: src.ticket.id } });
  return { ...src, head: { ...head }, private: head.ticket.private };
}

const LIST_LIMIT = 100;

async function listTicketResources(session: SessionContext, suffix: string, mimeType: string, label: string): Promise<Resource[]> {
  const out: Resource[] = [];
  for (const g of await guildsOf(session)) {
    if (out.length >= LIST_LIMIT) break;
    try {
      const page = await call(session, 'list_tickets', { guild_id: g.id, status: 'open', per_page: Math.min(50, LIST_LIMIT - out.length) });
      for (const t of recordsOf(page, 'tickets')) {
        out.push({ uri: `${ticketUri(g.id, String(t.id))}${suffix}`, name: `${label} #${String(t.number)} ${String(t.name)}${g.name ? ` (${g.name})` : ''}`, mimeType });
      }
    } catch { /* a guild without the tickets module lists nothing */ }
  }
  return out;
}

export const completers = (session: SessionContext) => ({
  guild_id: async (value: string) => (await guildsOf(session)).map((g) => g.id).filter((id) => id.startsWith(value)).slice(0, 100),
  /** Ticket ids by id prefix or by ticket number (typing "12" offers ticket #12's id first). */
  ticket_id: async (value: string, context?: { arguments?: Record<string, string> | undefined }) => {
    const guildId = context?.arguments?.guild_id;
    if (!guildId || !/^\d{17,20}$/.test(guildId)) return [];
    try {
      const page = await call(session, 'list_tickets', { guild_id: guildId, per_page: 100 });
      const tickets = recordsOf(page, 'tickets');
      const byNumber = tickets.filter((t) => value !== '' && String(t.number) === value);
      const byPrefix = tickets.filter((t) => String(t.id).startsWith(value) || String(t.number).startsWith(value));
      return [...new Set([...byNumber, ...byPrefix].map((t) => String(t.id)))].slice(0, 100);
    } catch { return []; }
  },
});

/** resources/templates/list: the same for every caller, built once. */
export const RESOURCE_TEMPLATES: ResourceTemplateType[] = [
  { uriTemplate: URI.ticket, name: 'ticket', title: 'Ticket', mimeType: 'application/json', description: 'One ticket as JSON (the get_ticket object). Subscribe to hear when it changes.' },
  { uriTemplate: URI.transcript, name: 'transcript', title: 'Ticket transcript (Markdown)', mimeType: 'text/markdown', description: 'The conversation of a ticket, compact for a language model: one line per message with time (UTC), speaker and role, attachments as links; staff notes in their own section.' },
  { uriTemplate: URI.transcriptJson, name: 'transcript-json', title: 'Ticket transcript (JSON)', mimeType: 'application/json', description: 'The transcript in the Ticketeer JSON shape: guild, group, ticket, channel and notes-thread messages, attachments and members.' },
  { uriTemplate: URI.transcriptHtml, name: 'transcript-html', title: 'Ticket transcript (HTML)', mimeType: 'text/html', description: 'The transcript as a standalone web page for people; message content is escaped and scripts are blocked.' },
  { uriTemplate: URI.stats, name: 'guild-stats', title: 'Guild ticket stats', mimeType: 'application/json', description: 'Ticket counts, resolution and first-response times of a guild (the get_guild_stats object).' },
  { uriTemplate: URI.queue, name: 'guild-queue', title: 'Tickets waiting on staff', mimeType: 'application/json', description: "A guild's open tickets whose owner waits for staff's answer, longest wait first (up to 100; the total is given). Subscribe to hear when it may have changed." },
];

/** resources/list: open tickets (as ticket and transcript), and each guild's stats and queue. */
export async function listResources(session: SessionContext): Promise<Resource[]> {
  const guilds = await guildsOf(session);
  return [
    ...await listTicketResources(session, '', 'application/json', 'Ticket'),
    ...await listTicketResources(session, '/transcript', 'text/markdown', 'Transcript of ticket'),
    ...guilds.map((g) => ({ uri: statsUri(g.id), name: `Ticket stats${g.name ? ` of ${g.name}` : ` of guild ${g.id}`}`, mimeType: 'application/json' })),
    ...guilds.map((g) => ({ uri: queueUri(g.id), name: `Tickets waiting on staff${g.name ? ` in ${g.name}` : ` in guild ${g.id}`}`, mimeType: 'application/json' })),
  ];
}

/** resources/read of any URI our templates produce; anything else is not found. */
export async function readResource(session: SessionContext, uri: string, signal: AbortSignal): Promise<ReadResourceResult> {
  const parsed = parseUri(uri);
  if (!parsed) throw new ResourceNotFoundError(uri, `There is no resource ${uri}. Resource URIs follow the templates of resources/templates/list, e.g. ${URI.ticket}.`);
  const text = (mimeType: string, body: string): ReadResourceResult => ({ contents: [{ uri, mimeType, text: body }] });
  return mcpErrors(async () => {
    const { guildId } = parsed;
    const ticketId = parsed.ticketId ?? '';
    switch (parsed.kind) {
      case 'stats': return text('application/json', JSON.stringify(await call(session, 'get_guild_stats', { guild_id: guildId }, signal)));
      case 'queue': return text('application/json', JSON.stringify(await readQueue(session, guildId, signal)));
      case 'ticket': return text('application/json', JSON.stringify(await readTicket(session, guildId, ticketId, signal)));
      case 'transcript': {
        const src = await transcriptSource(session, guildId, ticketId, signal);
        if (uri.endsWith('.json')) return text('application/json', await collect(renderJson(await withJsonHead(session, src))));
        if (uri.endsWith('.html')) return text('text/html', await collect(renderHtml(src)));
        return text('text/markdown', await collect(renderMarkdown(src)));
      }
    }
  }, uri);
}

/** completion/complete for a resource template's variable. */
export async function completeResourceArgument(session: SessionContext, template: string, name: string, value: string, context?: { arguments?: Record<string, string> | undefined }): Promise<string[]> {
  if (!RESOURCE_TEMPLATES.some((t) => t.uriTemplate === template)) return [];
  const complete = completers(session);
  if (name === 'guild_id') return complete.guild_id(value);
  if (name === 'ticket_id' && template.includes('{ticket_id}')) return complete.ticket_id(value, context);
  return [];
}

/** The queue as an agent wants to scan it: the few fields that say what waits, for how long, on whom. */
async function readQueue(session: SessionContext, guildId: string, signal: AbortSignal) {
  const page = await call(session, 'list_tickets', { guild_id: guildId, waiting_on: 'staff', sort: 'waiting_since', order: 'asc', per_page: 100 }, signal) as { total: number; tickets: TicketData[] };
  return {
    guild_id: guildId, total: page.total,
    tickets: page.tickets.map((t) => ({
      ticket_id: t.id, number: t.number, channel_id: t.channel_id, owner_id: t.owner_id, assigned_id: t.assigned_id,
      priority: t.priority, topic: t.topic, waiting_since: t.waiting_since, last_activity: t.last_activity,
    })),
  };
}
