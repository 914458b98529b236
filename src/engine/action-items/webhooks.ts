/**
 * Outgoing webhooks: an action_item.created event for every new action item of a guild that has a
 * webhook URL, written in the transaction that creates the item (so none is lost or sent for an item
 * that was rolled back), then delivered by a worker with retries (src/webhooks/worker.ts).
 */
import type { MonitorConfigRow } from '../../db/schema.js';
import type { EngineContext } from '../context.js';
import { newId } from '../ids.js';
import { inTransaction, type Tx } from '../tx.js';

export interface CreatedItem { id: string; text: string; priority: string; channel_name: string | null }

export async function enqueueItemCreated(trx: Tx, config: Pick<MonitorConfigRow, 'guild_id' | 'webhook_url' | 'webhook_secret'>, items: readonly CreatedItem[], at: Date): Promise<number> {
  if (!config.webhook_url || !config.webhook_secret || items.length === 0) return 0;
  await trx.insertInto('webhook_deliveries').values(items.map((item) => ({
    id: newId(), guild_id: config.guild_id, url: config.webhook_url!, secret: config.webhook_secret!, event: 'action_item.created',
    body: JSON.stringify({ event: 'action_item.created', guild_id: config.guild_id, action_item: { id: item.id, text: item.text, priority: item.priority, channel_name: item.channel_name }, timestamp: at.toISOString() }),
    status: 'pending' as const, next_attempt_at: at,
  }))).execute();
  return items.length;
}

export interface Delivery { id: string; guild_id: string; url: string; secret: string; event: string; body: string; attempts: number }

export function createWebhookDeliveries(ctx: EngineContext) {
  return {
    /** Due deliveries, each leased for `leaseMs` so a second worker does not send it too. */
    async claim(limit: number, leaseMs: number): Promise<Delivery[]> {
      const now = ctx.now();
      return inTransaction(ctx.db, async (trx) => {
        const due = await trx.selectFrom('webhook_deliveries').select('id').where('status', '=', 'pending').where('next_attempt_at', '<=', now)
          .orderBy('next_attempt_at').limit(limit).forUpdate().skipLocked().execute();
        if (due.length === 0) return [];
        return trx.updateTable('webhook_deliveries').set({ next_attempt_at: new Date(now.getTime() + leaseMs) })
          .where('id', 'in', due.map((d) => d.id)).returning(['id', 'guild_id', 'url', 'secret', 'event', 'body', 'attempts']).execute();
      });
    },
    async delivered(id: string): Promise<void> {
      await ctx.db.updateTable('webhook_deliveries').set((eb) => ({ status: 'delivered', attempts: eb('attempts', '+', 1), delivered_at: ctx.now(), last_error: null }))
        .where('id', '=', id).execute();
    },
    /** A failed attempt: retried at `retryAt`, or given up (null). */
    async failed(id: string, error: string, retryAt: Date | null): Promise<void> {
      await ctx.db.updateTable('webhook_deliveries').set((eb) => ({
        attempts: eb('attempts', '+', 1), last_error: error.slice(0, 500),
        ...(retryAt ? { next_attempt_at: retryAt } : { status: 'failed' as const }),
      })).where('id', '=', id).execute();
    },
    /** When the next pending delivery is due (the worker sleeps until then), or null. */
    async nextDue(): Promise<Date | null> {
      const row = await ctx.db.selectFrom('webhook_deliveries').select('next_attempt_at').where('status', '=', 'pending').orderBy('next_attempt_at').limit(1).executeTakeFirst();
      return row?.next_attempt_at ?? null;
    },
  };
}
