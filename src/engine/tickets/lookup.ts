/** Finding a ticket by id or by its channel/thread, always inside one guild. */
import type { TicketRow } from '../../db/schema.js';
import { invalid, notFound } from '../errors.js';
import type { Db, Tx } from '../tx.js';

/** A ticket is addressed by its id or by its Discord channel (or thread) id. */
export interface TicketRef { ticket_id?: string | undefined; channel_id?: string | undefined }

export function describeRef(ref: TicketRef): string {
  return ref.ticket_id ? `ticket ${ref.ticket_id}` : `the ticket of channel ${ref.channel_id}`;
}

function ticketQuery(db: Db | Tx, guildId: string, ref: TicketRef) {
  if (!ref.ticket_id && !ref.channel_id) throw invalid('Give ticket_id or channel_id to say which ticket.', [{ path: 'ticket_id', message: 'ticket_id or channel_id is required' }]);
  const query = db.selectFrom('tickets').selectAll('tickets').where('guild_id', '=', guildId);
  if (ref.ticket_id) return query.where('id', '=', ref.ticket_id);
  const channelId = ref.channel_id as string;
  return query.where((eb) => eb.or([eb('channel_id', '=', channelId), eb('thread_id', '=', channelId)]));
}

export const ticketNotFound = (guildId: string, ref: TicketRef) =>
  notFound(`No ${describeRef(ref)} in guild ${guildId}. Check the id with list_tickets.`);

export async function findTicket(db: Db | Tx, guildId: string, ref: TicketRef, opts: { forUpdate?: boolean } = {}): Promise<TicketRow> {
  let query = ticketQuery(db, guildId, ref);
  if (opts.forUpdate) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  if (!row) throw ticketNotFound(guildId, ref);
  return row;
}

/**
 * A read of one ticket with what its view needs — the group's name template — and the guild's
 * module switch, in one query. Undefined when no such ticket exists (the caller tells why).
 */
export function findTicketForRead(db: Db | Tx, guildId: string, ref: TicketRef) {
  return ticketQuery(db, guildId, ref)
    .select((eb) => [
      eb.selectFrom('ticket_groups').select('name_template').whereRef('ticket_groups.id', '=', 'tickets.group_id').as('name_template'),
      eb.selectFrom('guilds').select('module_enabled').whereRef('guilds.id', '=', 'tickets.guild_id').as('module_enabled'),
    ])
    .executeTakeFirst();
}

export async function loadGroup(db: Db | Tx, guildId: string, groupId: string) {
  const group = await db.selectFrom('ticket_groups').selectAll()
    .where('id', '=', groupId).where('guild_id', '=', guildId).where('deleted_at', 'is', null).executeTakeFirst();
  if (!group) throw notFound(`No ticket group ${groupId} in guild ${guildId}. List them with list_ticket_groups.`);
  return group;
}
