/** Husqy's route table: document 002's endpoints onto catalogue operations. */
import { z } from 'zod';
import { invalid } from '../../engine/errors.js';
import type { TicketView } from '../../engine/views.js';
import { route, type AnyRoute, type HandlerContext } from '../kit/route.js';
import * as S from './schemas.js';

const B = '/modules/tickets';
const ok = (data: unknown) => ({ success: true, data: data ?? {}, error: {} });
const Any = S.envelope(S.HqAny);
const EntryEnvelope = S.envelope(S.HqEntry);

function entry(t: TicketView): z.output<typeof S.HqEntry> {
  return {
    id: t.id, guild_id: t.guild_id, number: t.number, user_id: t.owner_id, claimed_by: t.assigned_id, status: t.status,
    topic: t.topic, channel_id: t.channel_id, thread_id: t.thread_id, group_id: t.group_id, created_at: t.created_at,
    closed_at: t.closed_at, closed_by: t.closed_by, close_reason: t.closed_reason,
  };
}

type Ctx = HandlerContext<Record<string, string>, Record<string, unknown>, Record<string, unknown>>;
const gid = (c: Ctx) => String(c.body?.['guild_id'] ?? c.query?.['guild_id']);

function entryAction(suffix: string, summary: string, operation: string, extra?: (c: Ctx) => Record<string, unknown>, body: z.ZodType = S.EntryBody): AnyRoute {
  return route({
    method: 'POST', path: `${B}/entry/{ticket_id}/${suffix}`, summary, tags: ['Tickets'], params: S.EntryParams, body,
    response: EntryEnvelope, operations: [operation], ability: 'tickets:write',
    handler: async (ctx) => {
      const c = ctx as unknown as Ctx;
      const out = await c.call(operation, { guild_id: gid(c), ticket_id: c.params['ticket_id'], ...(extra?.(c) ?? {}) });
      return ok(entry(out as TicketView));
    },
  });
}

/**
 * A ticket type belongs to a panel; a ticket opened from it goes to the type's group, else the
 * panel's, else the guild default. The interaction's user is the token's user.
 */
async function openFromPanel(c: Ctx, form?: Record<string, unknown>) {
  if (!c.actor.userId) {
    throw invalid('This token stands for no Discord user, so there is nobody to open the ticket for. Use a token created with --user.');
  }
  const ref = { guild_id: gid(c), panel_id: String(c.body['panel_id']) };
  const option = (await c.call('get_panel_option', { ...ref, option_id: String(c.body['ticket_type_id']) })) as { group_id: string | null };
  const groupId = option.group_id ?? ((await c.call('get_panel', ref)) as { group_id: string | null }).group_id;
  const answers = form ? Object.entries(form).map(([title, value]) => ({ title, value: value === null ? '' : String(value) })) : undefined;
  const out = await c.call('create_ticket', {
    guild_id: gid(c), user_id: c.actor.userId,
    ...(groupId ? { ticket_group_id: groupId } : {}),
    ...(answers ? { form: answers } : {}),
  });
  return ok(entry(out as TicketView));
}

export const husqyRoutes: AnyRoute[] = [
  route({
    method: 'GET', path: `${B}/`, summary: 'Home', tags: ['General'], response: Any, operations: [], ability: 'tickets:read',
    handler: async () => ok({ message: 'Modules Tickets Husqy API (ticketbridge)' }),
  }),
  route({
    method: 'DELETE', path: `${B}/delete`, summary: 'Delete all tickets module data of a guild', tags: ['General'], body: S.GuildBody,
    response: Any, operations: ['delete_guild_ticket_data'], ability: 'guild:admin',
    handler: async ({ body, call }) => ok(await call('delete_guild_ticket_data', { guild_id: body.guild_id })),
  }),
  route({
    method: 'GET', path: `${B}/status`, summary: 'Tickets module status', tags: ['Status'], query: S.GuildQuery,
    response: Any, operations: ['get_tickets_module_status'], ability: 'guild:read',
    handler: async ({ query, call }) => ok(await call('get_tickets_module_status', { guild_id: query.guild_id })),
  }),
  route({
    method: 'POST', path: `${B}/enable`, summary: 'Enable the tickets module', tags: ['Status'], body: S.GuildBody,
    response: Any, operations: ['enable_tickets_module'], ability: 'guild:admin',
    handler: async ({ body, call }) => ok(await call('enable_tickets_module', { guild_id: body.guild_id })),
  }),
  route({
    method: 'POST', path: `${B}/disable`, summary: 'Disable the tickets module', tags: ['Status'], body: S.GuildBody,
    response: Any, operations: ['disable_tickets_module'], ability: 'guild:admin',
    handler: async ({ body, call }) => ok(await call('disable_tickets_module', { guild_id: body.guild_id })),
  }),
  route({
    method: 'GET', path: `${B}/panels`, summary: 'List ticket panels', tags: ['Panels'], query: S.PageQuery,
    response: Any, operations: ['list_panels'], ability: 'guild:read',
    handler: async ({ query, call }) => {
      const page = query.page ?? 1;
      const size = query.page_size ?? 10;
      const out = (await call('list_panels', { guild_id: query.guild_id, page, per_page: size })) as { panels: unknown[]; total: number };
      return ok({ panels: out.panels, page, page_size: size, total: out.total });
    },
  }),
  route({
    method: 'POST', path: `${B}/panels`, summary: 'Create a ticket panel', tags: ['Panels'], body: S.PanelBody,
    response: Any, status: 201, operations: ['create_panel'], ability: 'guild:admin',
    handler: async ({ body, call }) => ok(await call('create_panel', husqyPanelInput(body, true))),
  }),
  route({
    method: 'GET', path: `${B}/panel/{panel_id}`, summary: 'Get a ticket panel', tags: ['Panels'], params: S.PanelParams, query: S.GuildQuery,
    response: Any, operations: ['get_panel'], ability: 'guild:read',
    handler: async ({ params, query, call }) => ok(await call('get_panel', { guild_id: query.guild_id, panel_id: params.panel_id })),
  }),
  route({
    method: 'DELETE', path: `${B}/panel/{panel_id}`, summary: 'Delete a ticket panel', tags: ['Panels'], params: S.PanelParams, body: S.GuildBody,
    response: Any, operations: ['delete_panel'], ability: 'guild:admin',
    handler: async ({ params, body, call }) => ok(await call('delete_panel', { guild_id: body.guild_id, panel_id: params.panel_id })),
  }),
  route({
    method: 'POST', path: `${B}/panel/{panel_id}`, summary: 'Update a ticket panel', tags: ['Panels'], params: S.PanelParams, body: S.PanelUpdateBody,
    response: Any, operations: ['update_panel'], ability: 'guild:admin',
    handler: async ({ params, body, call }) => ok(await call('update_panel', { ...husqyPanelInput(body, false), panel_id: params.panel_id })),
  }),
  route({
    method: 'GET', path: `${B}/panel/{panel_id}/ticket-types`, summary: 'List the ticket types of a panel', tags: ['Ticket types'],
    params: S.PanelParams, query: S.GuildQuery, response: Any, operations: ['list_panel_options'], ability: 'guild:read',
    handler: async ({ params, query, call }) => ok(await call('list_panel_options', { guild_id: query.guild_id, panel_id: params.panel_id })),
  }),
  route({
    method: 'POST', path: `${B}/panel/{panel_id}/ticket-types`, summary: 'Add a ticket type to a panel', tags: ['Ticket types'],
    params: S.PanelParams, body: S.TicketTypeBody, response: Any, status: 201, operations: ['add_panel_option'], ability: 'guild:admin',
    handler: async ({ params, body, call }) => ok(await call('add_panel_option', {
      guild_id: body.guild_id, panel_id: params.panel_id, title: body.title,
      ...(body.description != null ? { description: body.description } : {}),
      ...(body.emoji_name != null ? { emoji_name: body.emoji_name } : {}),
      ...(body.emoji_id != null ? { emoji_id: body.emoji_id } : {}),
    })),
  }),
  route({
    method: 'GET', path: `${B}/panel/{panel_id}/ticket-types/{ticket_type_id}`, summary: 'Get a ticket type', tags: ['Ticket types'],
    params: S.TicketTypeParams, query: S.GuildQuery, response: Any, operations: ['get_panel_option'], ability: 'guild:read',
    handler: async ({ params, query, call }) => ok(await call('get_panel_option', { guild_id: query.guild_id, panel_id: params.panel_id, option_id: params.ticket_type_id })),
  }),
  route({
    method: 'DELETE', path: `${B}/panel/{panel_id}/ticket-types/{ticket_type_id}`, summary: 'Remove a ticket type', tags: ['Ticket types'],
    params: S.TicketTypeParams, body: S.GuildBody, response: Any, operations: ['delete_panel_option'], ability: 'guild:admin',
    handler: async ({ params, body, call }) => ok(await call('delete_panel_option', { guild_id: body.guild_id, panel_id: params.panel_id, option_id: params.ticket_type_id })),
  }),
  route({
    method: 'GET', path: `${B}/entries`, summary: 'List tickets', tags: ['Tickets'], query: S.PageQuery,
    response: S.envelope(z.object({ entries: z.array(S.HqEntry), page: z.number().int(), page_size: z.number().int(), total: z.number().int() })),
    operations: ['list_tickets'], ability: 'tickets:read',
    handler: async ({ query, call }) => {
      const page = query.page ?? 1;
      const size = query.page_size ?? 10;
      const out = (await call('list_tickets', { guild_id: query.guild_id, page, per_page: size })) as { tickets: TicketView[]; total: number };
      return ok({ entries: out.tickets.map(entry), page, page_size: size, total: out.total });
    },
  }),
  route({
    method: 'GET', path: `${B}/entry/{ticket_id}`, summary: 'Get a ticket', tags: ['Tickets'], params: S.EntryParams, query: S.GuildQuery,
    response: EntryEnvelope, operations: ['get_ticket'], ability: 'tickets:read',
    handler: async ({ params, query, call }) => ok(entry((await call('get_ticket', { guild_id: query.guild_id, ticket_id: params.ticket_id })) as TicketView)),
  }),
  route({
    method: 'DELETE', path: `${B}/entry/{ticket_id}`, summary: 'Delete a ticket', tags: ['Tickets'], params: S.EntryParams, body: S.EntryBody,
    response: EntryEnvelope, operations: ['delete_ticket'], ability: 'tickets:write',
    handler: async ({ params, body, call }) => ok(entry((await call('delete_ticket', { guild_id: body.guild_id, ticket_id: params.ticket_id })) as TicketView)),
  }),
  entryAction('close', 'Close a ticket', 'close_ticket'),
  entryAction('reopen', 'Reopen a ticket', 'reopen_ticket'),
  entryAction('claim', 'Claim a ticket', 'claim_ticket'),
  entryAction('transfer', 'Transfer a ticket', 'transfer_ticket', (c) => ({ user_id: String(c.body['new_engineer']) }), S.TransferBody),
  route({
    method: 'POST', path: `${B}/entry/{ticket_id}/transcribe`, summary: 'Transcribe a ticket', tags: ['Tickets'], params: S.EntryParams, body: S.EntryBody,
    response: Any, operations: ['save_transcript'], ability: 'tickets:write',
    handler: async ({ params, body, call }) => ok(await call('save_transcript', { guild_id: body.guild_id, ticket_id: params.ticket_id })),
  }),
  route({
    method: 'POST', path: `${B}/events/create-ticket`, summary: 'Create a ticket from a panel (interaction event)', tags: ['Handling tickets'],
    body: S.CreateTicketEvent, response: EntryEnvelope, status: 201, operations: ['create_ticket', 'get_panel_option', 'get_panel'], ability: 'tickets:write',
    handler: async (ctx) => openFromPanel(ctx as unknown as Ctx),
  }),
  route({
    method: 'POST', path: `${B}/events/handle-form`, summary: 'Create a ticket from a filled-in form (interaction event)', tags: ['Handling tickets'],
    body: S.HandleFormEvent, response: EntryEnvelope, status: 201, operations: ['create_ticket', 'get_panel_option', 'get_panel'], ability: 'tickets:write',
    handler: async (ctx) => openFromPanel(ctx as unknown as Ctx, (ctx.body as { values: Record<string, unknown> }).values),
  }),
  route({
    method: 'GET', path: `${B}/entries/messages`, summary: 'Messages of a ticket', tags: ['Handling tickets'], query: S.MessagesQuery,
    response: Any, operations: ['list_transcript_messages'], ability: 'transcripts:read',
    handler: async ({ query, call }) => ok(await call('list_transcript_messages', { guild_id: query.guild_id, ticket_id: query.ticket_id, limit: 500 })),
  }),
  route({
    method: 'POST', path: `${B}/entries/messages`, summary: 'Link a message to a ticket', tags: ['Handling tickets'], body: S.MessageLinkBody,
    response: Any, operations: ['link_ticket_message'], ability: 'tickets:write',
    handler: async ({ body, call }) => ok(await call('link_ticket_message', { guild_id: body.guild_id, channel_id: body.channel_id, message_id: body.message_id })),
  }),
  route({
    method: 'DELETE', path: `${B}/entries/messages`, summary: 'Unlink a message from a ticket', tags: ['Handling tickets'], body: S.MessageLinkBody,
    response: Any, operations: ['unlink_ticket_message'], ability: 'tickets:write',
    handler: async ({ body, call }) => ok(await call('unlink_ticket_message', { guild_id: body.guild_id, channel_id: body.channel_id, message_id: body.message_id })),
  }),
  route({
    method: 'GET', path: `${B}/privacy/get-user-entries`, summary: "Count a member's references in tickets", tags: ['Privacy'], query: S.PrivacyQuery,
    response: Any, operations: ['get_user_ticket_data'], ability: 'guild:admin',
    handler: async ({ query, call }) => ok(await call('get_user_ticket_data', { guild_id: query.guild_id, user_id: query.privacy_member_id })),
  }),
  route({
    method: 'DELETE', path: `${B}/privacy/delete-user-entries`, summary: "Delete a member's references in tickets", tags: ['Privacy'], body: S.PrivacyBody,
    response: Any, operations: ['delete_user_ticket_data'], ability: 'guild:admin',
    handler: async ({ body, call }) => ok(await call('delete_user_ticket_data', { guild_id: body.guild_id, user_id: body.privacy_member_id })),
  }),
];

/** Husqy's panel fields → the panel operations' input ('create' values become Discord jobs there). */
function husqyPanelInput(body: z.output<typeof S.PanelUpdateBody> & { create_message_category_id?: string; create_message_channel_id?: string }, isNew: boolean): Record<string, unknown> {
  const { create_message_category_id: category, create_message_channel_id: channel, panel_type: type, ...rest } = body;
  return {
    ...rest,
    ...(isNew ? { name: `${body.ticket_opened_name} panel`.slice(0, 100) } : {}),
    panel_type: type.replaceAll(' ', '_'),
    ...(category !== undefined ? { category_id: category } : {}),
    ...(channel !== undefined ? { channel_id: channel } : {}),
  };
}
