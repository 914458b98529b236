/**
 * guild_stats.deleted_count: how many of a guild's tickets are deleted (deleted tickets are always
 * closed). With it, the totals that list_tickets reports for its common filters (none, or status
 * alone) are a primary-key read instead of a count over the guild's tickets.
 */
import { statements } from './statements.js';

const upStatements: string[] = [
  `ALTER TABLE guild_stats ADD COLUMN deleted_count bigint NOT NULL DEFAULT 0`,
  `UPDATE guild_stats s SET deleted_count = d.n
     FROM (SELECT guild_id, count(*) AS n FROM tickets WHERE deleted_at IS NOT NULL GROUP BY guild_id) d
    WHERE d.guild_id = s.guild_id`,
  `CREATE FUNCTION tb_tickets_deleted_count() RETURNS trigger AS $$
  DECLARE
    g text;
    delta bigint;
  BEGIN
    IF TG_OP = 'DELETE' THEN g := OLD.guild_id; delta := -1;
    ELSIF TG_OP = 'INSERT' THEN g := NEW.guild_id; delta := 1;
    ELSE g := NEW.guild_id; delta := CASE WHEN NEW.deleted_at IS NULL THEN -1 ELSE 1 END;
    END IF;
    INSERT INTO guild_stats AS s (guild_id, deleted_count) VALUES (g, delta)
    ON CONFLICT (guild_id) DO UPDATE SET deleted_count = s.deleted_count + delta;
    RETURN NULL;
  END $$ LANGUAGE plpgsql`,
  // WHEN clauses keep the common path (a ticket that is not deleted) free of any extra call.
  `CREATE TRIGGER tickets_deleted_insert AFTER INSERT ON tickets FOR EACH ROW
    WHEN (NEW.deleted_at IS NOT NULL) EXECUTE FUNCTION tb_tickets_deleted_count()`,
  `CREATE TRIGGER tickets_deleted_update AFTER UPDATE OF deleted_at ON tickets FOR EACH ROW
    WHEN ((OLD.deleted_at IS NULL) <> (NEW.deleted_at IS NULL)) EXECUTE FUNCTION tb_tickets_deleted_count()`,
  `CREATE TRIGGER tickets_deleted_delete AFTER DELETE ON tickets FOR EACH ROW
    WHEN (OLD.deleted_at IS NOT NULL) EXECUTE FUNCTION tb_tickets_deleted_count()`,
];

const downStatements: string[] = [
  `DROP TRIGGER IF EXISTS tickets_deleted_delete ON tickets`,
  `DROP TRIGGER IF EXISTS tickets_deleted_update ON tickets`,
  `DROP TRIGGER IF EXISTS tickets_deleted_insert ON tickets`,
  `DROP FUNCTION IF EXISTS tb_tickets_deleted_count()`,
  `ALTER TABLE guild_stats DROP COLUMN IF EXISTS deleted_count`,
];

export const { up, down } = statements(upStatements, downStatements);
