/** The inputs every transcript renderer takes: the ticket's head and its messages, read scope by scope. */
import type { z } from 'zod';
import type { TranscriptMessage } from '../../engine/transcripts/stream.js';
import type { Ticket } from '../../operations/schemas.js';

export type { TranscriptMessage };
export type TicketData = z.output<typeof Ticket>;

export interface TranscriptSource {
  ticket: TicketData;
  guild: { id: string; name: string | null };
  /** Extra fields of the JSON document (guild, group, members …) as get_transcript gives them. */
  head?: Record<string, unknown> | undefined;
  /** Whether the ticket's group is private (Ticketeer's ticket.private). */
  private?: boolean | undefined;
  /** Messages of the ticket channel/thread ('channel') or of the staff notes thread ('notes'), in order. */
  messages(scope: 'channel' | 'notes'): AsyncIterable<TranscriptMessage>;
}

export type Role = 'owner' | 'assignee' | 'bot' | 'member' | 'staff';

/** The speaker's role as far as the ticket itself tells: owner, assignee, bot; staff in the notes thread. */
export function roleOf(m: TranscriptMessage, t: TicketData): Role {
  if (m.author.bot) return 'bot';
  if (m.author.id === t.owner_id) return 'owner';
  if (m.author.id === t.assigned_id) return 'assignee';
  return m.in_notes ? 'staff' : 'member';
}
