/**
 * Ticketeer ticket routes: create, then get/delete and every action, once addressed by ticket id
 * (`/ticket/{ticket_id}/…`) and once by channel (`/channel/{channel_id}/ticket/…`).
 */
import { z } from 'zod';
import type { TicketView } from '../../engine/views.js';
import { route, type AnyRoute, type HandlerContext } from '../kit/route.js';
import * as S from './schemas.js';
import { ticket, ts } from './shape.js';

const P = '/api/v1/guild/{guild_id}';
type Body = z.output<typeof S.ActionBody> & Record<string, unknown>;
type Ctx = HandlerContext<{ guild_id: string; ticket_id?: string; channel_id?: string; channel?: string; user_id?: string }, unknown, Body>;

const refOf = (p: Ctx['params']) => (p.ticket_id ? { ticket_id: p.ticket_id } : { channel_id: p.channel_id ?? p.channel });
const asTicket = (v: unknown) => ticket(v as TicketView);
const asBot = (b: Body | undefined) => ({ asBot: b?.anonymous === true });

interface Action {
  method: 'GET' | 'POST' | 'DELETE';
  /** Path after the ticket address ('' for the ticket itself). */
  suffix: string;
  summary: string;
  operation: string;
  ability: 'tickets:read' | 'tickets:write' | 'transcripts:read';
  body?: z.ZodType;
  response?: z.ZodType;
  /** Input for the operation beyond guild + ticket reference. */
  input?: (body: Body, params: Ctx['params']) => Record<string, unknown>;
  shape?: (out: unknown) => unknown;
}

const reason = (b: Body) => (typeof b.reason === 'string' && b.reason ? { reason: b.reason } : {});

const actions: Action[] = [
  { method: 'GET', suffix: '', summary: 'Get ticket.', operation: 'get_ticket', ability: 'tickets:read' },
  { method: 'DELETE', suffix: '', summary: 'Delete ticket.', operation: 'delete_ticket', ability: 'tickets:write', body: S.ActionBody, input: reason },
  { method: 'POST', suffix: '/move', summary: 'Change ticket group.', operation: 'move_ticket', ability: 'tickets:write', body: S.MoveBody, input: (b) => ({ ticket_group_id: b['ticket_group_id'] }) },
  { method: 'POST', suffix: '/open', summary: 'Open ticket.', operation: 'reopen_ticket', ability: 'tickets:write', body: S.ActionBody },
  { method: 'POST', suffix: '/close', summary: 'Close ticket.', operation: 'close_ticket', ability: 'tickets:write', body: S.ActionBody, input: reason },
  { method: 'POST', suffix: '/assign', summary: 'Assign ticket.', operation: 'assign_ticket', ability: 'tickets:write', body: S.UserActionBody, input: (b) => ({ user_id: b['user_id'] }) },
  { method: 'POST', suffix: '/unassign', summary: 'Unassign ticket.', operation: 'unassign_ticket', ability: 'tickets:write', body: S.ActionBody },
  { method: 'POST', suffix: '/expire', summary: 'Set ticket expiry.', operation: 'set_ticket_expiry', ability: 'tickets:write', body: S.ExpireBody,
    input: (b) => ({ expire_at: b['expire_at'], ...(b['clearable'] !== undefined ? { clearable: b['clearable'] } : {}) }) },
  { method: 'POST', suffix: '/eternal', summary: 'Set ticket eternal.', operation: 'set_ticket_eternal', ability: 'tickets:write', body: S.EternalBody, input: (b) => ({ eternal: b['eternal'] ?? true }) },
  { method: 'POST', suffix: '/lock', summary: 'Lock ticket.', operation: 'lock_ticket', ability: 'tickets:write', body: S.ActionBody },
  { method: 'POST', suffix: '/unlock', summary: 'Unlock ticket.', operation: 'unlock_ticket', ability: 'tickets:write', body: S.ActionBody },
  { method: 'POST', suffix: '/name', summary: 'Rename ticket.', operation: 'rename_ticket', ability: 'tickets:write', body: S.NameBody, input: (b) => ({ name: b['name'] ?? null }) },
  { method: 'POST', suffix: '/notes', summary: 'Create ticket notes thread.', operation: 'create_notes_thread', ability: 'tickets:write', body: S.NameBody },
  { method: 'POST', suffix: '/notes/add', summary: 'Add user to ticket notes thread.', operation: 'add_notes_member', ability: 'tickets:write', body: S.UserActionBody, input: (b) => ({ user_id: b['user_id'] }) },
  { method: 'POST', suffix: '/notes/remove', summary: 'Remove user from ticket notes thread.', operation: 'remove_notes_member', ability: 'tickets:write', body: S.UserActionBody, input: (b) => ({ user_id: b['user_id'] }) },
  { method: 'POST', suffix: '/priority', summary: 'Set ticket priority.', operation: 'set_ticket_priority', ability: 'tickets:write', body: S.PriorityBody, input: (b) => ({ priority: b['priority'] }) },
  { method: 'GET', suffix: '/transcript', summary: 'Get ticket transcript.', operation: 'get_transcript', ability: 'transcripts:read', response: S.TtTranscript, shape: (o) => transcriptOf(o) },
  { method: 'POST', suffix: '/save', summary: 'Save ticket transcript.', operation: 'save_transcript', ability: 'tickets:write', response: S.TtTranscript, shape: (o) => transcriptOf(o) },
  { method: 'POST', suffix: '/owner', summary: 'Change ticket owner.', operation: 'set_ticket_owner', ability: 'tickets:write', body: S.UserActionBody, input: (b) => ({ user_id: b['user_id'] }) },
  { method: 'POST', suffix: '/add', summary: 'Add user to ticket.', operation: 'add_ticket_member', ability: 'tickets:write', body: S.UserActionBody, input: (b) => ({ user_id: b['user_id'] }) },
  { method: 'POST', suffix: '/remove', summary: 'Remove user from ticket.', operation: 'remove_ticket_member', ability: 'tickets:write', body: S.UserActionBody, input: (b) => ({ user_id: b['user_id'] }) },
];

/** The transcript operations answer in Ticketeer's document shape already; timestamps get Laravel's form. */
function transcriptOf(out: unknown): unknown {
  const o = out as { ticket: Record<string, unknown> };
  const t = { ...o.ticket };
  for (const k of ['locked_at', 'opened_at', 'closed_at', 'created_at', 'deleted_at', 'transcript_saved_at']) t[k] = ts(t[k]) ?? t[k] ?? null;
  return { ...o, ticket: t };
}

function actionRoute(a: Action, family: 'ticket' | 'channel'): AnyRoute {
  const path = family === 'ticket' ? `${P}/ticket/{ticket_id}${a.suffix}` : `${P}/channel/{channel_id}/ticket${a.suffix}`;
  return route({
    method: a.method, path, summary: a.summary, tags: [family === 'ticket' ? 'Ticket' : 'Ticket (from channel)'],
    params: family === 'ticket' ? S.TicketParams : S.ChannelParams,
    body: a.body, response: a.response ?? S.TtTicket, operations: [a.operation], ability: a.ability,
    handler: async (ctx) => {
      const c = ctx as unknown as Ctx;
      const body = (c.body ?? {}) as Body;
      const out = await c.call(a.operation, { guild_id: c.params.guild_id, ...refOf(c.params), ...(a.input?.(body, c.params) ?? {}) }, asBot(body));
      return a.shape ? a.shape(out) : asTicket(out);
    },
  });
}

function sendRoute(family: 'ticket' | 'channel'): AnyRoute {
  return route({
    method: 'POST',
    path: family === 'ticket' ? `${P}/ticket/{ticket_id}/send/{user_id}` : `${P}/channel/{channel}/ticket/send/{user_id}`,
    summary: 'Send ticket transcript to a user.', tags: [family === 'ticket' ? 'Ticket' : 'Ticket (from channel)'],
    params: family === 'ticket' ? S.TicketSendParams : S.ChannelSendParams, response: S.TtQueuedTranscript,
    operations: ['send_transcript'], ability: 'tickets:write',
    handler: async (ctx) => {
      const c = ctx as unknown as Ctx;
      const out = (await c.call('send_transcript', { guild_id: c.params.guild_id, ...refOf(c.params), user_id: c.params.user_id })) as { queued: boolean; user_id: string; ticket: TicketView };
      return { queued: out.queued, user_id: out.user_id, ticket: ticket(out.ticket) };
    },
  });
}

const createRoute = route({
  method: 'POST', path: `${P}/ticket`, summary: 'Create ticket.', tags: ['Guild'],
  description: "Opens a ticket in the guild, in the given ticket group or the guild's default one. Send an Idempotency-Key header to make retries safe.",
  params: S.GuildParams, body: S.CreateTicketBody, response: S.TtTicket, operations: ['create_ticket'], ability: 'tickets:write',
  handler: async ({ params, body, call }) => {
    const out = await call('create_ticket', {
      guild_id: params.guild_id, user_id: body.user_id,
      ...(body.message ? { message: body.message } : {}),
      ...(body.ticket_group_id ? { ticket_group_id: body.ticket_group_id } : {}),
      ...(body.form ? { form: body.form.map((f) => ({ title: f.title, value: String(f.value), ...(f.type !== undefined ? { type: f.type } : {}) })) } : {}),
      ...(body.anonymous !== undefined ? { anonymous: body.anonymous } : {}),
    });
    return asTicket(out);
  },
});

export const ticketRoutes: AnyRoute[] = [
  createRoute,
  ...actions.map((a) => actionRoute(a, 'ticket')),
  sendRoute('ticket'),
  ...actions.map((a) => actionRoute(a, 'channel')),
  sendRoute('channel'),
];
