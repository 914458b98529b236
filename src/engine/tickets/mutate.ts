/**
 * The one way a ticket changes: lock the row, check the rule, write the change, its event and its
 * Discord jobs in one transaction. Concurrent changes of one ticket queue on the row lock, so the
 * final state always equals the replayed event history.
 */
import type { GroupRow, TicketRow, TicketUpdate } from '../../db/schema.js';
import type { Actor } from '../actor.js';
import type { EngineContext } from '../context.js';
import { conflict } from '../errors.js';
import { appendEvent } from '../events.js';
import { requireTicketsModule } from '../guards.js';
import { enqueueJobs, type JobInput } from '../jobs.js';
import { inTransaction, type Tx } from '../tx.js';
import { ticketView, type TicketView } from '../views.js';
import { findTicket, loadGroup, type TicketRef } from './lookup.js';
import { OUTSIDE_HISTORY } from './replay.js';

export interface Change {
  /** Event kind, e.g. 'closed'. */
  kind: string;
  /** Ticket columns to set. Omit (or leave empty) for an event with no field change. */
  patch?: TicketUpdate;
  reason?: string | null | undefined;
  /** Extra event data beside the patch. */
  data?: Record<string, unknown>;
  jobs?: Array<Omit<JobInput, 'guildId' | 'ticketId'>>;
  /** Side writes (ticket_members …) inside the same transaction. */
  apply?: (trx: Tx) => Promise<void>;
}

export interface MutationScope { ticket: TicketRow; group: GroupRow; trx: Tx; now: Date }

/** Returns null from `decide` when the call changes nothing (idempotent repeat). */
export async function mutateTicket(
  ctx: EngineContext, actor: Actor, guildId: string, ref: TicketRef,
  decide: (scope: MutationScope) => Promise<Change | null> | Change | null,
  opts: { allowDeleted?: boolean } = {},
): Promise<TicketView> {
  let jobCount = 0;
  const result = await inTransaction(ctx.db, async (trx) => {
    await requireTicketsModule(trx, guildId);
    const ticket = await findTicket(trx, guildId, ref, { forUpdate: true });
    if (ticket.deleted_at && !opts.allowDeleted) {
      throw conflict(`Ticket #${ticket.number} (${ticket.id}) is deleted; deleted tickets cannot change.`);
    }
    const group = await loadGroupAnyState(trx, ticket);
    const now = ctx.now();
    const change = await decide({ ticket, group, trx, now });
    if (!change) return { row: ticket, group, changed: false };
    const patch: TicketUpdate = { ...(change.patch ?? {}) };
    const row = await trx.updateTable('tickets')
      .set({ ...patch, version: ticket.version + 1 })
      .where('id', '=', ticket.id)
      .returningAll().executeTakeFirstOrThrow();
    await change.apply?.(trx);
    await appendEvent(trx, actor, {
      ticketId: ticket.id, guildId, kind: change.kind, reason: change.reason,
      data: { changes: serializePatch(patch), ...(change.data ?? {}) },
    });
    const jobs = (change.jobs ?? []).map((j) => ({ ...j, guildId, ticketId: ticket.id }));
    await enqueueJobs(trx, jobs);
    jobCount = jobs.length;
    const finalGroup = row.group_id === group.id ? group : await loadGroupAnyState(trx, row);
    return { row, group: finalGroup, changed: true };
  });
  if (result.changed) {
    ctx.changes.emit('ticket', { guildId, ticketId: result.row.id });
    if (jobCount > 0) ctx.changes.emit('jobs', { count: jobCount });
  }
  return ticketView(result.row, result.group.name_template);
}

async function loadGroupAnyState(trx: Tx, ticket: TicketRow): Promise<GroupRow> {
  const group = await trx.selectFrom('ticket_groups').selectAll().where('id', '=', ticket.group_id).executeTakeFirst();
  return group ?? loadGroup(trx, ticket.guild_id, ticket.group_id);
}

/** An event's `changes`: the patch without the columns outside history, dates as ISO strings so it replays exactly. */
export function serializePatch(patch: TicketUpdate): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined || OUTSIDE_HISTORY.has(key)) continue;
    out[key] = value instanceof Date ? value.toISOString() : value;
  }
  return out;
}
