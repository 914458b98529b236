/** Finding a ticket by id or by its channel/thread, always inside one guild. */
import type { TicketRow } from '../../db/schema.js';
import { invalid, notFound } from '../errors.js';
import type { Db, Tx } from '../tx.js';

/** A ticket is addressed by its id or by its Discord channel (or thread) id. */
export interface TicketRef { ticket_id?: string | undefined; channel_id?: string | undefined }

export function describeRef(ref: TicketRef): string {
  return ref.ticket_id ? `ticket ${ref.ticket_id}` : `the ticket of channel ${ref.channel_id}`;
}

export async function findTicket(db: Db | Tx, guildId: string, ref: TicketRef, opts?: { forUpdate?: boolean; withTemplate?: false }): Promise<TicketRow>;
/** withTemplate: also read the group's name template in the same query (for the default name). */
export async function findTicket(db: Db | Tx, guildId: string, ref: TicketRef, opts: { withTemplate: true }): Promise<TicketRow & { name_template: string | null }>;
export async function findTicket(db: Db | Tx, guildId: string, ref: TicketRef, opts: { forUpdate?: boolean; withTemplate?: boolean } = {}): Promise<TicketRow & { name_template?: string | null }> {
  if (!ref.ticket_id && !ref.channel_id) throw invalid('Give ticket_id or channel_id to say which ticket.', [{ path: 'ticket_id', message: 'ticket_id or channel_id is required' }]);
  let query = db.selectFrom('tickets').selectAll('tickets')
    .$if(opts.withTemplate === true, (qb) => qb.select((eb) => eb.selectFrom('ticket_groups').select('name_template').whereRef('ticket_groups.id', '=', 'tickets.group_id').as('name_template')))
    .where('guild_id', '=', guildId);
  if (ref.ticket_id) query = query.where('id', '=', ref.ticket_id);
  else {
    const channelId = ref.channel_id as string;
    query = query.where((eb) => eb.or([eb('channel_id', '=', channelId), eb('thread_id', '=', channelId)]));
  }
  if (opts.forUpdate) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  if (!row) throw notFound(`No ${describeRef(ref)} in guild ${guildId}. Check the id with list_tickets.`);
  return row;
}

export async function loadGroup(db: Db | Tx, guildId: string, groupId: string) {
  const group = await db.selectFrom('ticket_groups').selectAll()
    .where('id', '=', groupId).where('guild_id', '=', guildId).where('deleted_at', 'is', null).executeTakeFirst();
  if (!group) throw notFound(`No ticket group ${groupId} in guild ${guildId}. List them with list_ticket_groups.`);
  return group;
}
