/**
 * What driving Discord needs beyond the initial schema: the opening message id (its embed shows
 * status, assignee and priority and is edited in place), a per-group "close when the owner leaves"
 * switch, and a NOTIFY on new outbox rows so workers in other processes wake at once.
 */
import { statements } from './statements.js';

const upStatements: string[] = [
  `ALTER TABLE tickets ADD COLUMN opening_message_id text`,
  `ALTER TABLE ticket_groups ADD COLUMN close_on_leave boolean NOT NULL DEFAULT false`,
  `CREATE FUNCTION tb_discord_jobs_notify() RETURNS trigger AS $$
  BEGIN
    PERFORM pg_notify('discord_jobs', '');
    RETURN NULL;
  END $$ LANGUAGE plpgsql`,
  `CREATE TRIGGER discord_jobs_notify AFTER INSERT ON discord_jobs FOR EACH STATEMENT EXECUTE FUNCTION tb_discord_jobs_notify()`,
];

const downStatements: string[] = [
  `DROP TRIGGER IF EXISTS discord_jobs_notify ON discord_jobs`,
  `DROP FUNCTION IF EXISTS tb_discord_jobs_notify()`,
  `ALTER TABLE ticket_groups DROP COLUMN IF EXISTS close_on_leave`,
  `ALTER TABLE tickets DROP COLUMN IF EXISTS opening_message_id`,
];

export const { up, down } = statements(upStatements, downStatements);
