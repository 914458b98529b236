/**
 * Inactivity auto-close: a group may close its tickets after some hours without a message, warning
 * the owner some hours before. tickets.stale_warned_at says when the last warning went out, so one
 * stretch of silence gets one warning however often the scheduler looks.
 */
import { statements } from './statements.js';

const upStatements: string[] = [
  `ALTER TABLE ticket_groups ADD COLUMN auto_close_hours integer CHECK (auto_close_hours BETWEEN 1 AND 2160)`,
  `ALTER TABLE ticket_groups ADD COLUMN stale_warning_hours integer CHECK (stale_warning_hours >= 1)`,
  `ALTER TABLE ticket_groups ADD CONSTRAINT ticket_groups_stale_warning_before_close
    CHECK (stale_warning_hours IS NULL OR (auto_close_hours IS NOT NULL AND stale_warning_hours < auto_close_hours))`,
  `ALTER TABLE tickets ADD COLUMN stale_warned_at timestamptz`,
  // The scheduler's question: a group's open tickets, by when they last saw activity.
  `CREATE INDEX tickets_open_by_activity ON tickets (group_id, (greatest(opened_at, last_activity)))
    WHERE status = 'open' AND deleted_at IS NULL AND eternal = false`,
];

const downStatements: string[] = [
  `DROP INDEX IF EXISTS tickets_open_by_activity`,
  `ALTER TABLE tickets DROP COLUMN IF EXISTS stale_warned_at`,
  `ALTER TABLE ticket_groups DROP CONSTRAINT IF EXISTS ticket_groups_stale_warning_before_close`,
  `ALTER TABLE ticket_groups DROP COLUMN IF EXISTS stale_warning_hours`,
  `ALTER TABLE ticket_groups DROP COLUMN IF EXISTS auto_close_hours`,
];

export const { up, down } = statements(upStatements, downStatements);
