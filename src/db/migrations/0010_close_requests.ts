/**
 * Close requests: staff (or an agent) asks the owner whether the ticket can close. The owner answers
 * with a button; without an answer the ticket may close by itself at the deadline. The pending
 * request lives on the ticket row, its history in the ticket's events.
 */
import { statements } from './statements.js';

const upStatements: string[] = [
  `ALTER TABLE tickets ADD COLUMN close_requested_at timestamptz`,
  `ALTER TABLE tickets ADD COLUMN close_requested_by text`,
  `ALTER TABLE tickets ADD COLUMN close_request_reason text`,
  `ALTER TABLE tickets ADD COLUMN close_request_deadline timestamptz`,
  // The scheduler's question: open tickets whose unanswered request is due.
  `CREATE INDEX tickets_close_request_due ON tickets (close_request_deadline)
    WHERE close_request_deadline IS NOT NULL AND status = 'open' AND deleted_at IS NULL`,
];

const downStatements: string[] = [
  `DROP INDEX IF EXISTS tickets_close_request_due`,
  `ALTER TABLE tickets DROP COLUMN IF EXISTS close_request_deadline`,
  `ALTER TABLE tickets DROP COLUMN IF EXISTS close_request_reason`,
  `ALTER TABLE tickets DROP COLUMN IF EXISTS close_requested_by`,
  `ALTER TABLE tickets DROP COLUMN IF EXISTS close_requested_at`,
];

export const { up, down } = statements(upStatements, downStatements);
