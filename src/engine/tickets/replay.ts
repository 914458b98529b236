/** Rebuilds a ticket's fields from its event history: the history is the truth the row must match. */
export type ReplayedTicket = Record<string, unknown>;

/**
 * Ticket columns the history does not carry. `version` counts the events; the outbox's delivery
 * state is not a ticket change; `last_activity` and whose turn it is (`waiting_on`, `waiting_since`) follow every recorded message (the transcript is its
 * history: one event per chat line would double the hot path's writes for nothing).
 */
export const OUTSIDE_HISTORY: ReadonlySet<string> = new Set(['version', 'discord_status', 'discord_error', 'opening_message_id', 'last_activity', 'waiting_on', 'waiting_since']);

export function replayEvents(events: ReadonlyArray<{ data: Record<string, unknown> }>): ReplayedTicket {
  const state: ReplayedTicket = {};
  for (const event of events) {
    const changes = event.data['changes'];
    if (changes && typeof changes === 'object') Object.assign(state, changes);
  }
  return state;
}
