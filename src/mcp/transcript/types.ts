/** The inputs every transcript renderer takes: the ticket's head and its messages, read scope by scope. */
import type { z } from 'zod';
import type { TranscriptMessage } from '../../engine/transcripts/stream.js';
import { t, type MessageKey } from '../../i18n/catalogue.js';
import type { Locale } from '../../i18n/locales.js';
import type { Ticket } from '../../operations/schemas.js';

export type { TranscriptMessage };
export type TicketData = z.output<typeof Ticket>;

export interface TranscriptSource {
  ticket: TicketData;
  guild: { id: string; name: string | null };
  /**
   * The language of the headings and labels people read (the ticket's, as get_ticket_locale reports it);
   * ids, times and the JSON document stay as they are.
   */
  locale: Locale;
  /** Extra fields of the JSON document (guild, group, members …) as get_transcript gives them. */
  head?: Record<string, unknown> | undefined;
  /** Whether the ticket's group is private (Ticketeer's ticket.private). */
  private?: boolean | undefined;
  /** Messages of the ticket channel/thread ('channel') or of the staff notes thread ('notes'), in order. */
  messages(scope: 'channel' | 'notes'): AsyncIterable<TranscriptMessage>;
}

export type Role = 'owner' | 'assignee' | 'bot' | 'member' | 'staff';

const ROLE_KEYS: Record<Role, MessageKey> = {
  owner: 'transcriptDoc.role.owner', assignee: 'transcriptDoc.role.assignee', bot: 'transcriptDoc.role.bot',
  member: 'transcriptDoc.role.member', staff: 'transcriptDoc.role.staff',
};

/** A role's name in `locale`. */
export const roleName = (role: Role, locale: Locale): string => t(locale, ROLE_KEYS[role]);

/** The ticket's state as people read it: open or closed, and deleted or locked when so. */
export function stateLabels(ticket: Pick<TicketData, 'status' | 'deleted_at' | 'locked_at'>, locale: Locale): string[] {
  return [
    t(locale, ticket.status === 'closed' ? 'status.closed' : 'status.open'),
    ...(ticket.deleted_at ? [t(locale, 'status.deleted')] : []),
    ...(ticket.locked_at ? [t(locale, 'status.locked')] : []),
  ];
}

/** The speaker's role as far as the ticket itself tells: owner, assignee, bot; staff in the notes thread. */
export function roleOf(m: TranscriptMessage, t: TicketData): Role {
  if (m.author.bot) return 'bot';
  if (m.author.id === t.owner_id) return 'owner';
  if (m.author.id === t.assigned_id) return 'assignee';
  return m.in_notes ? 'staff' : 'member';
}
