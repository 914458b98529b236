/** Prompts: summarize a ticket, triage a guild's open queue, draft a reply in the ticket's own voice. */
import { completable } from '@modelcontextprotocol/sdk/server/completable.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { GetPromptResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { humanDuration } from '../duration.js';
import type { SessionContext } from './context.js';
import { call, guildsOf, mcpErrors, recordsOf } from './catalogue-calls.js';
import { transcriptSource } from './resources.js';
import { collect } from './transcript/chunks.js';
import { renderMarkdown } from './transcript/markdown.js';

type Obj = Record<string, unknown>;

function age(iso: unknown, now: number): string {
  const ms = now - Date.parse(String(iso));
  return Number.isFinite(ms) ? humanDuration(ms) : '?';
}

async function priorityLabels(session: SessionContext, guildId: string): Promise<Map<string, string[]>> {
  const labels = new Map<string, string[]>();
  try {
    const out = await call(session, 'list_ticket_groups', { guild_id: guildId });
    for (const g of recordsOf(out, 'groups')) {
      const levels = Array.isArray(g.priority_levels) ? (g.priority_levels as Obj[]).map((l) => String(l.label ?? '')) : [];
      labels.set(String(g.id), levels);
    }
  } catch { /* without groups, priorities show as numbers */ }
  return labels;
}

export function registerPrompts(mcp: McpServer, session: SessionContext): void {
  const guildArg = () => completable(z.string().describe('The guild (Discord server) ID'),
    async (v) => (await guildsOf(session)).map((g) => g.id).filter((id) => id.startsWith(v)));
  const ticketArg = () => completable(z.string().describe('The ticket ID (completion also accepts a ticket number)'), async (v, ctx) => {
    const guildId = ctx?.arguments?.guild_id;
    if (!guildId) return [];
    try {
      const tickets = recordsOf(await call(session, 'list_tickets', { guild_id: guildId, per_page: 100 }), 'tickets');
      return tickets.filter((t) => String(t.id).startsWith(v) || String(t.number) === v).map((t) => String(t.id));
    } catch { return []; }
  });

  const transcriptMessage = async (guildId: string, ticketId: string) => {
    const src = await transcriptSource(session, guildId, ticketId);
    const text = await collect(renderMarkdown(src));
    return { src, resource: { type: 'resource' as const, resource: { uri: `ticketbridge://guilds/${guildId}/tickets/${src.ticket.id}/transcript`, mimeType: 'text/markdown', text } } };
  };

  mcp.registerPrompt('summarize_ticket', {
    title: 'Summarize a ticket',
    description: 'Summarize a ticket from its transcript: the problem, steps taken, resolution and follow-ups; then optionally store it with set_ticket_summary.',
    argsSchema: { guild_id: guildArg(), ticket_id: ticketArg() },
  }, (args) => mcpErrors(async (): Promise<GetPromptResult> => {
    const { src, resource } = await transcriptMessage(args.guild_id, args.ticket_id);
    return {
      description: `Summary of ticket #${src.ticket.number}`,
      messages: [
        { role: 'user', content: resource },
        { role: 'user', content: { type: 'text', text: `Summarize support ticket #${src.ticket.number} from the transcript above for a staff member who has not read it. Use four short sections:\n1. Problem: what the user needed, in their terms.\n2. Steps taken: what staff and the user tried, in order.\n3. Resolution: how it ended (or that it is unresolved), and the ticket's status (${src.ticket.status}).\n4. Follow-ups: anything promised or still open, with who owns it.\nQuote exact error messages, IDs and amounts; do not invent facts. Staff notes are internal: use them, but say which points come from them.\nThen, if asked to store it, call set_ticket_summary with guild_id ${args.guild_id} and ticket_id ${src.ticket.id}.` } },
      ],
    };
  }));

  mcp.registerPrompt('triage_open_tickets', {
    title: "Triage a guild's open tickets",
    description: "List a guild's open tickets with priority and age, and ask for a triage order with suggested priority changes and assignments.",
    argsSchema: { guild_id: guildArg() },
  }, (args) => mcpErrors(async (): Promise<GetPromptResult> => {
    const page = await call(session, 'list_tickets', { guild_id: args.guild_id, status: 'open', sort: 'created_at', order: 'asc', per_page: 100 }) as Obj;
    const tickets = recordsOf(page, 'tickets');
    const labels = await priorityLabels(session, args.guild_id);
    const now = Date.now();
    const lines = tickets.map((t) => {
      const levels = labels.get(String(t.group_id)) ?? [];
      const p = t.priority === null || t.priority === undefined ? 'none' : `${levels[Number(t.priority)] ?? ''} (${String(t.priority)})`.trim();
      const request = t.close_request as Obj | null | undefined;
      const asked = request ? `asked ${age(request.requested_at, now)} ago` : '';
      const waiting = t.waiting_on ? `${String(t.waiting_on)} for ${age(t.waiting_since, now)}` : '';
      return `| #${String(t.number)} | ${String(t.id)} | ${p} | ${age(t.opened_at, now)} | ${waiting} | ${t.last_activity ? age(t.last_activity, now) : 'never'} | ${t.assigned_id ? String(t.assigned_id) : 'unassigned'} | ${asked} | ${String(t.topic ?? '').replace(/\|/g, '/').slice(0, 80)} |`;
    });
    const total = typeof page.total === 'number' ? page.total : tickets.length;
    const table = tickets.length === 0 ? 'There are no open tickets.'
      : ['| # | ticket_id | priority | age | waiting on | last activity | assignee | close request | topic |', '|---|---|---|---|---|---|---|---|---|', ...lines].join('\n');
    return {
      description: `${total} open ticket${total === 1 ? '' : 's'} in guild ${args.guild_id}`,
      messages: [{ role: 'user', content: { type: 'text', text: `Open tickets of guild ${args.guild_id} (${total} open${total > tickets.length ? `, oldest ${tickets.length} shown` : ''}; ages as of ${new Date(now).toISOString()}):\n\n${table}\n\nTriage this queue: give the order in which to handle the tickets and why (priority first, then how long staff have kept the owner waiting; tickets waiting on staff and unassigned ones are more urgent, tickets waiting on their owner less), suggest priority changes (set_ticket_priority) and assignments (assign_ticket), and name tickets that look solved or stale: ask their owners whether they can close (request_ticket_close, optionally with close_after_hours), or close them outright when nobody needs asking (close_ticket). A ticket whose close request is pending is waiting on its owner. Read a ticket's transcript resource before judging its content. Do not change anything until asked.` } }],
    };
  }));

  mcp.registerPrompt('draft_reply', {
    title: 'Draft a reply in a ticket',
    description: "Draft the next staff reply in a ticket, in the ticket's own language and tone, from its transcript.",
    argsSchema: { guild_id: guildArg(), ticket_id: ticketArg(), intent: z.string().optional().describe('What the reply should achieve (optional), e.g. "ask for the order number"') },
  }, (args) => mcpErrors(async (): Promise<GetPromptResult> => {
    const { src, resource } = await transcriptMessage(args.guild_id, args.ticket_id);
    return {
      description: `Reply draft for ticket #${src.ticket.number}`,
      messages: [
        { role: 'user', content: resource },
        { role: 'user', content: { type: 'text', text: `Draft the next reply from staff in support ticket #${src.ticket.number}, to the ticket owner (${src.ticket.owner_id}).${args.intent ? ` The reply should: ${args.intent}.` : ' Answer the latest open question or move the ticket toward resolution.'}\nWrite in the language the owner uses in the transcript, and match the tone of the conversation (formal or casual). Be brief and concrete; Discord messages are at most 2000 characters. Never reveal anything from the staff notes section. Do not promise what the transcript does not support.\nReturn only the message text. It is sent only if someone asks, with send_channel_message to channel ${src.ticket.channel_id ?? src.ticket.thread_id ?? '(not created yet)'}.` } },
      ],
    };
  }));
}
