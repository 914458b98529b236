/** A group's required roles: a member needs one of them to open a ticket there (empty: anyone may). */
import { statements } from './statements.js';

export const { up, down } = statements(
  [`ALTER TABLE ticket_groups ADD COLUMN required_role_ids jsonb NOT NULL DEFAULT '[]'`],
  ['ALTER TABLE ticket_groups DROP COLUMN IF EXISTS required_role_ids'],
);
