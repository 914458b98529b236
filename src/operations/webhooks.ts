/** Ticket webhooks: push every ticket event and chat line of a guild to a URL, signed. */
import { z } from 'zod';
import { TICKET_WEBHOOK_EVENTS } from '../engine/ticket-webhooks.js';
import { destructive, read, write } from './annotations.js';
import { defineOperation } from './define.js';
import { GuildId, Snowflake, Timestamp } from './schemas.js';

const Webhook = z.object({
  id: Snowflake, guild_id: Snowflake, url: z.string(), events: z.array(z.string()).describe('Event kinds sent; [] = all'),
  created_by: Snowflake.nullable(), created_at: Timestamp,
});

export const createTicketWebhook = defineOperation({
  name: 'create_ticket_webhook', title: 'Send ticket events to a URL', toolset: 'admin', ability: 'guild:admin', annotations: write,
  description: 'Have every ticket event of a guild (ticket.created, ticket.claimed, ticket.closed, …) and every chat line (ticket.message) POSTed as JSON to a URL, signed: X-Webhook-Signature is sha256=HMAC-SHA256(secret, body). Deliveries are retried. The secret is returned only now.',
  input: z.object({
    guild_id: GuildId,
    url: z.string().min(1).max(2000).describe('The https:// address to POST to'),
    events: z.array(z.enum(TICKET_WEBHOOK_EVENTS)).max(TICKET_WEBHOOK_EVENTS.length).optional().describe('Only these event kinds (default: all)'),
  }).strict(),
  output: Webhook.extend({ secret: z.string().describe('Signs every delivery; shown only once') }),
  run: (ctx, input) => ctx.engine.ticketWebhooks.create(ctx.actor, input),
});

export const listTicketWebhooks = defineOperation({
  name: 'list_ticket_webhooks', title: 'List ticket webhooks', toolset: 'admin', ability: 'guild:read', annotations: read,
  description: "List the URLs a guild's ticket events are sent to, with the events each gets (secrets are not shown).",
  input: z.object({ guild_id: GuildId }).strict(),
  output: z.object({ webhooks: z.array(Webhook), total: z.number().int() }),
  run: (ctx, input) => ctx.engine.ticketWebhooks.list(input),
});

export const deleteTicketWebhook = defineOperation({
  name: 'delete_ticket_webhook', title: 'Stop sending ticket events to a URL', toolset: 'admin', ability: 'guild:admin', annotations: destructive,
  description: 'Delete a ticket webhook: no new events go to its URL (deliveries already queued are still sent).',
  input: z.object({ guild_id: GuildId, webhook_id: Snowflake.describe('The webhook ID (list_ticket_webhooks)') }).strict(),
  output: Webhook,
  run: (ctx, input) => ctx.engine.ticketWebhooks.delete(ctx.actor, input),
});

export const ticketWebhookOperations = [createTicketWebhook, listTicketWebhooks, deleteTicketWebhook];
