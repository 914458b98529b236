/** The priority rule shared by opening a ticket and changing its priority: an index into the group's levels. */
import type { GroupRow } from '../../db/schema.js';
import { invalid } from '../errors.js';

export function checkPriority(group: Pick<GroupRow, 'name' | 'priority_levels'>, priority: number): void {
  const levels = group.priority_levels;
  if (levels.length === 0) {
    throw invalid(`Ticket group "${group.name}" has no priority levels; leave priority out, or add levels to the group first (update_ticket_group).`, [{ path: 'priority', message: 'this group has no priority levels' }]);
  }
  if (!Number.isInteger(priority) || priority < 0 || priority >= levels.length) {
    throw invalid(`priority must be an index between 0 and ${levels.length - 1} (${levels.map((l, i) => `${i}=${l.label}`).join(', ')}).`, [{ path: 'priority', message: 'out of range' }]);
  }
}
