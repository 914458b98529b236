/** The append-only ticket history: one row per change, written in the change's own transaction. */
import type { Actor } from './actor.js';
import type { Tx } from './tx.js';
import { json } from './tx.js';

export interface EventInput {
  ticketId: string;
  guildId: string;
  kind: string;
  reason?: string | null | undefined;
  /** `changes` holds the ticket fields this event set, so replaying events rebuilds the ticket. */
  data?: Record<string, unknown> | undefined;
}

/** The row an event becomes (also used where the insert rides in another statement). */
export function eventRow(actor: Actor, event: EventInput) {
  return {
    ticket_id: event.ticketId,
    guild_id: event.guildId,
    kind: event.kind,
    actor_id: actor.userId,
    as_bot: actor.asBot,
    reason: event.reason ?? null,
    data: json(event.data ?? {}),
  };
}

export async function appendEvent(trx: Tx, actor: Actor, event: EventInput): Promise<void> {
  await trx.insertInto('ticket_events').values(eventRow(actor, event)).execute();
}
