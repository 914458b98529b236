/** A group's claim mode: what other staff keep of a claimed channel ticket (all, reading, or nothing). */
import { statements } from './statements.js';

export const { up, down } = statements(
  [`ALTER TABLE ticket_groups ADD COLUMN claim_mode text NOT NULL DEFAULT 'open' CHECK (claim_mode IN ('open', 'read_only', 'private'))`],
  ['ALTER TABLE ticket_groups DROP COLUMN IF EXISTS claim_mode'],
);
