/** Who counts as staff answering a ticket: the rule behind first_response_at. */
import type { GroupRow, TicketRow } from '../../db/schema.js';
import type { Tx } from '../tx.js';

export interface Author { id: string; bot: boolean }

/**
 * Staff = not the owner, not a bot, and either the assignee or a holder of one of the group's staff
 * roles. Roles come from the gateway (`memberRoles`) when it has them, else from the members table.
 */
export async function isStaffAuthor(
  trx: Tx, ticket: TicketRow, group: Pick<GroupRow, 'staff_role_ids'>, author: Author, memberRoles: readonly string[] | undefined,
): Promise<boolean> {
  if (author.bot || author.id === ticket.owner_id) return false;
  if (ticket.assigned_id === author.id) return true;
  const staffRoles = group.staff_role_ids;
  if (staffRoles.length === 0) return false;
  let roles = memberRoles;
  if (!roles) {
    const member = await trx.selectFrom('members').select('roles')
      .where('guild_id', '=', ticket.guild_id).where('user_id', '=', author.id).executeTakeFirst();
    roles = member?.roles ?? [];
  }
  return roles.some((r) => staffRoles.includes(r));
}
