/**
 * The Volvox-compatible dashboard API (document 003): list, detail and stats of a guild's tickets,
 * `x-api-secret` or Bearer auth, `{error}` bodies, 30 requests a minute per IP by default.
 * A ticket's integer `id` here is its number within the guild.
 */
import { z } from 'zod';
import type { TicketView } from '../../engine/views.js';
import type { Dialect, RenderedError } from '../kit/dialect.js';
import { bearerToken } from '../kit/dialect.js';
import { defaultStatus, type Problem } from '../kit/problem.js';
import { notFound } from '../../engine/errors.js';
import { route } from '../kit/route.js';

const Id = z.string().regex(/^\d{17,20}$/, 'must be a Discord snowflake: 17 to 20 digits');
// Any integer is accepted as a guild id (the documents' examples use short ones); one that is not a
// snowflake names no guild, so it is a 404 rather than a validation error.
const GuildParams = z.object({ id: z.string().regex(/^\d{1,20}$/, 'must be a Discord guild ID (digits)').describe('The Discord guild ID.') });
function guildId(id: string): string {
  if (!/^\d{17,20}$/.test(id)) throw notFound(`Unknown guild ${id}. The bot must be in the guild and the guild synced first.`);
  return id;
}
// Any integer is a well-formed ticket id; one outside the range of ticket numbers names no ticket (404).
// Only a non-integer is a bad request.
const TicketParams = GuildParams.extend({
  ticketId: z.string().regex(/^-?\d+$/, 'must be an integer ticket id').describe('The database ticket ID.'),
});
const MAX_TICKET_NUMBER = 2_147_483_647;
function ticketNumber(guild: string, ticketId: string): number {
  const n = Number(ticketId);
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_TICKET_NUMBER) throw notFound(`No ticket #${ticketId} in guild ${guild}. List the guild's tickets to find its id.`);
  return n;
}
const IntString = (what: string) => z.string().regex(/^\d{1,9}$/, `${what} must be a positive integer`).transform(Number);
const ListQuery = z.object({
  status: z.enum(['open', 'closed']).optional().describe('Filter by ticket status.'),
  user: Id.optional().describe('Filter to tickets opened by a specific Discord user ID.'),
  page: IntString('page').pipe(z.number().int().min(1)).optional().describe('Page number (default 1).'),
  limit: IntString('limit').pipe(z.number().int().min(1)).optional().describe('Items per page (default 25, at most 100).'),
});

export const VxTicket = z.object({
  id: z.number().int(), guild_id: z.string(), user_id: z.string(), topic: z.string().nullable(),
  status: z.enum(['open', 'closed']), thread_id: z.string().nullable(), channel_id: z.string().nullable(),
  closed_by: z.string().nullable(), close_reason: z.string().nullable(), created_at: z.string(), closed_at: z.string().nullable(),
});
const VxList = z.object({ tickets: z.array(VxTicket), total: z.number().int(), page: z.number().int(), limit: z.number().int() });
const VxStats = z.object({ openCount: z.number().int(), avgResolutionSeconds: z.number().int(), ticketsThisWeek: z.number().int() });
const VxError = z.object({ error: z.string() });

function vxTicket(t: TicketView): z.output<typeof VxTicket> {
  return {
    id: t.number, guild_id: t.guild_id, user_id: t.owner_id, topic: t.topic, status: t.status,
    thread_id: t.thread_id, channel_id: t.channel_id, closed_by: t.closed_by, close_reason: t.closed_reason,
    created_at: t.created_at, closed_at: t.closed_at,
  };
}

function renderError(p: Problem): RenderedError {
  const status = p.kind === 'invalid' ? 400 : p.kind === 'module_disabled' ? 404 : defaultStatus[p.kind];
  const body: Record<string, unknown> = { error: p.message };
  if (p.fields?.length) body['details'] = p.fields;
  return { status, body };
}

const B = '/api/v1/guilds/{id}/tickets';

export const volvox: Dialect = {
  name: 'volvox',
  title: 'Volvox-compatible API',
  prefixes: ['/api/v1/guilds'],
  tokenOf: (req) => {
    const secret = req.headers['x-api-secret'];
    const s = Array.isArray(secret) ? secret[0] : secret;
    return s?.trim() || bearerToken(req);
  },
  ipLimit: (s) => s.TICKETBRIDGE_VOLVOX_RATE_LIMIT_IP,
  renderError,
  errorSchema: VxError,
  security: ['apiSecret', 'bearer'],
  routes: [
    route({
      method: 'GET', path: B, summary: 'List tickets', tags: ['Volvox'], params: GuildParams, query: ListQuery, response: VxList,
      description: 'A page of the guild\'s tickets, newest first, optionally filtered by status and by the user who opened them.',
      operations: ['list_tickets'], ability: 'tickets:read', guildOf: ({ params }) => params.id,
      handler: async ({ params, query, call }) => {
        const limit = Math.min(query.limit ?? 25, 100);
        const page = query.page ?? 1;
        const out = (await call('list_tickets', {
          guild_id: guildId(params.id), page, per_page: limit,
          ...(query.status ? { status: query.status } : {}), ...(query.user ? { owner_id: query.user } : {}),
        })) as { tickets: TicketView[]; total: number };
        return { tickets: out.tickets.map(vxTicket), total: out.total, page, limit };
      },
    }),
    route({
      method: 'GET', path: `${B}/stats`, summary: 'Ticket statistics', tags: ['Volvox'], params: GuildParams, response: VxStats,
      operations: ['get_guild_stats'], ability: 'tickets:read', guildOf: ({ params }) => params.id,
      handler: async ({ params, call }) => {
        const out = (await call('get_guild_stats', { guild_id: guildId(params.id) })) as { volvox?: z.input<typeof VxStats> };
        const v = out.volvox ?? { openCount: 0, avgResolutionSeconds: 0, ticketsThisWeek: 0 };
        return { openCount: v.openCount, avgResolutionSeconds: Math.round(v.avgResolutionSeconds), ticketsThisWeek: v.ticketsThisWeek };
      },
    }),
    route({
      method: 'GET', path: `${B}/{ticketId}`, summary: 'Ticket detail', tags: ['Volvox'], params: TicketParams, response: VxTicket,
      operations: ['get_ticket_by_number'], ability: 'tickets:read', guildOf: ({ params }) => params.id,
      handler: async ({ params, call }) => {
        const guild = guildId(params.id);
        return vxTicket((await call('get_ticket_by_number', { guild_id: guild, number: ticketNumber(guild, params.ticketId) })) as TicketView);
      },
    }),
  ],
};
