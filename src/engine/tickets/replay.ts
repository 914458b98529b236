/** Rebuilds a ticket's fields from its event history: the history is the truth the row must match. */
export type ReplayedTicket = Record<string, unknown>;

export function replayEvents(events: ReadonlyArray<{ data: Record<string, unknown> }>): ReplayedTicket {
  const state: ReplayedTicket = {};
  for (const event of events) {
    const changes = event.data['changes'];
    if (changes && typeof changes === 'object') Object.assign(state, changes);
  }
  return state;
}
