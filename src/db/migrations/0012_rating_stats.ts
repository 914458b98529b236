/**
 * guild_stats.rating_sum / rated_count: the guild's average rating as a primary-key read. Kept by
 * a trigger that fires only when a rating appears, changes or goes (a re-rating moves the sum, not
 * the count), like the other counters.
 */
import { statements } from './statements.js';

const upStatements: string[] = [
  `ALTER TABLE guild_stats ADD COLUMN rating_sum bigint NOT NULL DEFAULT 0`,
  `ALTER TABLE guild_stats ADD COLUMN rated_count bigint NOT NULL DEFAULT 0`,
  `UPDATE guild_stats s SET rating_sum = r.total, rated_count = r.n
     FROM (SELECT guild_id, sum(rating) AS total, count(*) AS n FROM tickets WHERE rating IS NOT NULL GROUP BY guild_id) r
    WHERE r.guild_id = s.guild_id`,
  `CREATE FUNCTION tb_tickets_rating_stats() RETURNS trigger AS $$
  DECLARE
    g text := coalesce(NEW.guild_id, OLD.guild_id);
    sum_delta bigint := 0;
    count_delta bigint := 0;
  BEGIN
    IF TG_OP <> 'INSERT' AND OLD.rating IS NOT NULL THEN sum_delta := sum_delta - OLD.rating; count_delta := count_delta - 1; END IF;
    IF TG_OP <> 'DELETE' AND NEW.rating IS NOT NULL THEN sum_delta := sum_delta + NEW.rating; count_delta := count_delta + 1; END IF;
    INSERT INTO guild_stats AS s (guild_id, rating_sum, rated_count) VALUES (g, sum_delta, count_delta)
    ON CONFLICT (guild_id) DO UPDATE SET rating_sum = s.rating_sum + sum_delta, rated_count = s.rated_count + count_delta;
    RETURN NULL;
  END $$ LANGUAGE plpgsql`,
  `CREATE TRIGGER tickets_rating_insert AFTER INSERT ON tickets FOR EACH ROW
    WHEN (NEW.rating IS NOT NULL) EXECUTE FUNCTION tb_tickets_rating_stats()`,
  `CREATE TRIGGER tickets_rating_update AFTER UPDATE OF rating ON tickets FOR EACH ROW
    WHEN (OLD.rating IS DISTINCT FROM NEW.rating) EXECUTE FUNCTION tb_tickets_rating_stats()`,
  `CREATE TRIGGER tickets_rating_delete AFTER DELETE ON tickets FOR EACH ROW
    WHEN (OLD.rating IS NOT NULL) EXECUTE FUNCTION tb_tickets_rating_stats()`,
];

const downStatements: string[] = [
  `DROP TRIGGER IF EXISTS tickets_rating_delete ON tickets`,
  `DROP TRIGGER IF EXISTS tickets_rating_update ON tickets`,
  `DROP TRIGGER IF EXISTS tickets_rating_insert ON tickets`,
  `DROP FUNCTION IF EXISTS tb_tickets_rating_stats()`,
  `ALTER TABLE guild_stats DROP COLUMN IF EXISTS rated_count`,
  `ALTER TABLE guild_stats DROP COLUMN IF EXISTS rating_sum`,
];

export const { up, down } = statements(upStatements, downStatements);
