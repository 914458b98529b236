/**
 * Whose turn it is in a ticket: waiting_on 'staff' (the owner's request or last message is
 * unanswered) or 'owner' (staff answered last), and since when. Kept by the transcript recorder.
 * Existing tickets are backfilled from their last chat line: a line by anyone but the owner is taken
 * as staff's (roles at the time are not known).
 */
import { statements } from './statements.js';

export const { up, down } = statements(
  [
    `ALTER TABLE tickets ADD COLUMN waiting_on text NOT NULL DEFAULT 'staff' CHECK (waiting_on IN ('staff', 'owner'))`,
    'ALTER TABLE tickets ADD COLUMN waiting_since timestamptz NOT NULL DEFAULT now()',
    'UPDATE tickets SET waiting_since = opened_at',
    `UPDATE tickets t SET waiting_on = CASE WHEN last.author_id = t.owner_id THEN 'staff' ELSE 'owner' END, waiting_since = last.created_at
       FROM (SELECT DISTINCT ON (ticket_id) ticket_id, author_id, created_at FROM messages
             WHERE NOT in_notes AND NOT author_bot ORDER BY ticket_id, created_at DESC, id DESC) last
      WHERE last.ticket_id = t.id AND last.created_at >= t.opened_at`,
    `CREATE INDEX tickets_waiting ON tickets (guild_id, waiting_on, waiting_since) WHERE status = 'open' AND deleted_at IS NULL`,
  ],
  [
    'DROP INDEX IF EXISTS tickets_waiting',
    'ALTER TABLE tickets DROP COLUMN IF EXISTS waiting_since',
    'ALTER TABLE tickets DROP COLUMN IF EXISTS waiting_on',
  ],
);
