/** A group's cooldown: how long a member waits after opening a ticket there before opening another. */
import { statements } from './statements.js';

export const { up, down } = statements(
  ['ALTER TABLE ticket_groups ADD COLUMN cooldown_seconds integer CHECK (cooldown_seconds BETWEEN 1 AND 86400)'],
  ['ALTER TABLE ticket_groups DROP COLUMN IF EXISTS cooldown_seconds'],
);
