/**
 * A guild's ticket webhooks: URLs that receive every ticket event (opened, claimed, closed, rated, …)
 * and every chat line of its tickets as POSTs signed with the webhook's secret. Database triggers
 * write the deliveries in the transaction that records the event (migration 0018); the webhook
 * worker sends them, retrying failures. The secret is shown once, when the webhook is made.
 */
import { randomBytes } from 'node:crypto';
import type { Actor } from './actor.js';
import type { EngineContext } from './context.js';
import { conflict, invalid, notFound } from './errors.js';
import { requireGuild } from './guards.js';
import { newId } from './ids.js';
import { inTransaction, json } from './tx.js';

/** Event kinds a webhook may ask for; [] means all of them. `message` is a person's line in a ticket. */
export const TICKET_WEBHOOK_EVENTS = [
  'created', 'closed', 'reopened', 'deleted', 'claimed', 'assigned', 'unassigned', 'transferred', 'moved', 'locked', 'unlocked',
  'renamed', 'priority_set', 'owner_changed', 'member_added', 'member_removed', 'first_response', 'close_requested',
  'close_request_declined', 'stale_warned', 'rated', 'summary_set', 'transcript_saved', 'message',
] as const;

export const MAX_TICKET_WEBHOOKS = 10;

export interface TicketWebhookView { id: string; guild_id: string; url: string; events: string[]; created_by: string | null; created_at: string }

const view = (r: { id: string; guild_id: string; url: string; events: string[]; created_by: string | null; created_at: Date }): TicketWebhookView =>
  ({ id: r.id, guild_id: r.guild_id, url: r.url, events: r.events, created_by: r.created_by, created_at: r.created_at.toISOString() });

function checkUrl(url: string): void {
  let parsed: URL;
  try { parsed = new URL(url); } catch { throw invalid(`url "${url}" is not a URL; give an absolute https:// address.`, [{ path: 'url', message: 'not a URL' }]); }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw invalid(`url must be an http(s) address, not ${parsed.protocol}.`, [{ path: 'url', message: 'not http(s)' }]);
  }
}

export function createTicketWebhooks(ctx: EngineContext) {
  return {
    async create(actor: Actor, input: { guild_id: string; url: string; events?: string[] | undefined }): Promise<TicketWebhookView & { secret: string }> {
      checkUrl(input.url);
      const events = [...new Set(input.events ?? [])];
      const row = await inTransaction(ctx.db, async (trx) => {
        await requireGuild(trx, input.guild_id, { forUpdate: true });
        const have = await trx.selectFrom('ticket_webhooks').select((eb) => eb.fn.countAll<string>().as('n')).where('guild_id', '=', input.guild_id).executeTakeFirstOrThrow();
        if (Number(have.n) >= MAX_TICKET_WEBHOOKS) throw conflict(`Guild ${input.guild_id} already has ${MAX_TICKET_WEBHOOKS} ticket webhooks, the most it may have. Delete one (delete_ticket_webhook) first.`);
        return trx.insertInto('ticket_webhooks').values({
          id: newId(), guild_id: input.guild_id, url: input.url, secret: randomBytes(24).toString('base64url'),
          events: json(events), created_by: actor.userId, created_at: ctx.now(),
        }).returningAll().executeTakeFirstOrThrow();
      });
      return { ...view(row), secret: row.secret };
    },

    async list(input: { guild_id: string }): Promise<{ webhooks: TicketWebhookView[]; total: number }> {
      await requireGuild(ctx.db, input.guild_id);
      const rows = await ctx.db.selectFrom('ticket_webhooks').select(['id', 'guild_id', 'url', 'events', 'created_by', 'created_at'])
        .where('guild_id', '=', input.guild_id).orderBy('created_at').orderBy('id').execute();
      return { webhooks: rows.map(view), total: rows.length };
    },

    /** Removes a webhook; deliveries already queued for it are still sent. */
    async delete(_actor: Actor, input: { guild_id: string; webhook_id: string }): Promise<TicketWebhookView> {
      const row = await ctx.db.deleteFrom('ticket_webhooks').where('guild_id', '=', input.guild_id).where('id', '=', input.webhook_id)
        .returning(['id', 'guild_id', 'url', 'events', 'created_by', 'created_at']).executeTakeFirst();
      if (!row) {
        await requireGuild(ctx.db, input.guild_id);
        throw notFound(`No ticket webhook ${input.webhook_id} in guild ${input.guild_id}. See list_ticket_webhooks.`);
      }
      return view(row);
    },
  };
}
