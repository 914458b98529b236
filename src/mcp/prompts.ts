/**
 * Prompts: summarize a ticket, triage a guild's open queue, draft a reply in the ticket's own voice.
 * The list is static (built once); prompts/get checks the arguments with zod and names a missing or
 * wrong one in a -32602 sentence.
 */
import { ProtocolError, ProtocolErrorCode, type GetPromptResult, type Prompt } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { humanDuration } from '../duration.js';
import type { SessionContext } from './context.js';
import { call, mcpErrors, recordsOf } from './catalogue-calls.js';
import { completers, transcriptSource } from './resources.js';
import { issuesSentence } from './errors.js';
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

const GuildId = z.string().describe('The guild (Discord server) ID');
const TicketId = z.string().describe('The ticket ID (completion also accepts a ticket number)');
const ARGS = {
  summarize_ticket: z.object({ guild_id: GuildId, ticket_id: TicketId }),
  triage_open_tickets: z.object({ guild_id: GuildId }),
  draft_reply: z.object({ guild_id: GuildId, ticket_id: TicketId, intent: z.string().optional().describe('What the reply should achieve (optional), e.g. "ask for the order number"') }),
};
type PromptName = keyof typeof ARGS;

const argumentsOf = (schema: z.ZodObject): NonNullable<Prompt['arguments']> => Object.entries(schema.shape).map(([name, field]) => {
  const f = field as z.ZodType;
  return { name, ...(f.description ? { description: f.description } : {}), required: !f.safeParse(undefined).success };
});

/** prompts/list: the same for every caller. */
export const PROMPTS: Prompt[] = [
  { name: 'summarize_ticket', title: 'Summarize a ticket', arguments: argumentsOf(ARGS.summarize_ticket),
    description: 'Summarize a ticket from its transcript: the problem, steps taken, resolution and follow-ups; then optionally store it with set_ticket_summary.' },
  { name: 'triage_open_tickets', title: "Triage a guild's open tickets", arguments: argumentsOf(ARGS.triage_open_tickets),
    description: "List a guild's open tickets with priority and age, and ask for a triage order with suggested priority changes and assignments." },
  { name: 'draft_reply', title: 'Draft a reply in a ticket', arguments: argumentsOf(ARGS.draft_reply),
    description: "Draft the next staff reply in a ticket, in the ticket's own language and tone, from its transcript." },
];

const isPromptName = (name: string): name is PromptName => Object.hasOwn(ARGS, name);

/** completion/complete for a prompt's argument. */
export async function completePromptArgument(session: SessionContext, prompt: string, name: string, value: string, context?: { arguments?: Record<string, string> | undefined }): Promise<string[]> {
  if (!isPromptName(prompt)) return [];
  const complete = completers(session);
  if (name === 'guild_id') return complete.guild_id(value);
  if (name === 'ticket_id' && prompt !== 'triage_open_tickets') return complete.ticket_id(value, context);
  return [];
}

export async function getPrompt(session: SessionContext, name: string, raw: Record<string, unknown> | undefined): Promise<GetPromptResult> {
  if (!isPromptName(name)) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `There is no prompt named "${name}". Prompts: ${PROMPTS.map((p) => p.name).join(', ')}.`);
  const parsed = ARGS[name].safeParse(raw ?? {});
  if (!parsed.success) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Invalid arguments for prompt ${name}: ${issuesSentence(parsed.error.issues, 'arguments')}.`);
  const transcriptMessage = async (guildId: string, ticketId: string) => {
    const src = await transcriptSource(session, guildId, ticketId);
    const text = await collect(renderMarkdown(src));
    return { src, resource: { type: 'resource' as const, resource: { uri: `ticketbridge://guilds/${guildId}/tickets/${src.ticket.id}/transcript`, mimeType: 'text/markdown', text } } };
  };
  switch (name) {
    case 'summarize_ticket': {
      const args = parsed.data as z.infer<typeof ARGS.summarize_ticket>;
      return mcpErrors(async (): Promise<GetPromptResult> => {
    const { src, resource } = await transcriptMessage(args.guild_id, args.ticket_id);
    return {
      description: `Summary of ticket #${src.ticket.number}`,
      messages: [
        { role: 'user', content: resource },
        { role: 'user', content: { type: 'text', text: `Summarize support ticket #${src.ticket.number} from the transcript above for a staff member who has not read it. Use four short sections:\n1. Problem: what the user needed, in their terms.\n2. Steps taken: what staff and the user tried, in order.\n3. Resolution: how it ended (or that it is unresolved), and the ticket's status (${src.ticket.status}).\n4. Follow-ups: anything promised or still open, with who owns it.\nQuote exact error messages, IDs and amounts; do not invent facts. Staff notes are internal: use them, but say which points come from them.\nThen, if asked to store it, call set_ticket_summary with guild_id ${args.guild_id} and ticket_id ${src.ticket.id}.` } },
      ],
    };
      });
    }
    case 'triage_open_tickets': {
      const args = parsed.data as z.infer<typeof ARGS.triage_open_tickets>;
      return mcpErrors(async (): Promise<GetPromptResult> => {
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
      });
    }
    case 'draft_reply': {
      const args = parsed.data as z.infer<typeof ARGS.draft_reply>;
      return mcpErrors(async (): Promise<GetPromptResult> => {
    const { src, resource } = await transcriptMessage(args.guild_id, args.ticket_id);
    return {
      description: `Reply draft for ticket #${src.ticket.number}`,
      messages: [
        { role: 'user', content: resource },
        { role: 'user', content: { type: 'text', text: `Draft the next reply from staff in support ticket #${src.ticket.number}, to the ticket owner (${src.ticket.owner_id}).${args.intent ? ` The reply should: ${args.intent}.` : ' Answer the latest open question or move the ticket toward resolution.'}\nWrite in the language the owner uses in the transcript, and match the tone of the conversation (formal or casual). Be brief and concrete; Discord messages are at most 2000 characters. Never reveal anything from the staff notes section. Do not promise what the transcript does not support.\nReturn only the message text. It is sent only if someone asks, with send_channel_message to channel ${src.ticket.channel_id ?? src.ticket.thread_id ?? '(not created yet)'}.` } },
      ],
    };
      });
    }
  }
}
