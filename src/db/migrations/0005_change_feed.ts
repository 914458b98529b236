/**
 * A change feed across processes: every change of a ticket, of its transcript, or of guild-level
 * settings sends a NOTIFY carrying the guild, the ticket and the writing process's application_name.
 * Processes sharing one PostgreSQL (a server, `ticketbridge stdio`, more servers) keep caches and MCP
 * subscriptions right without polling. Sent by triggers, so no code path can forget it and it costs
 * no extra round trip. (PGlite is single-process; there the in-process events suffice.)
 */
import { sql, type Kysely } from 'kysely';

const upStatements: string[] = [
  `CREATE FUNCTION tb_notify_change() RETURNS trigger AS $$
  DECLARE
    r record;
    payload jsonb;
  BEGIN
    IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
    IF TG_TABLE_NAME = 'tickets' THEN
      payload := jsonb_build_object('k', 'ticket', 'g', r.guild_id, 't', r.id);
    ELSIF TG_TABLE_NAME = 'messages' THEN
      payload := jsonb_build_object('k', 'transcript', 'g', r.guild_id, 't', r.ticket_id);
    ELSIF TG_TABLE_NAME = 'guilds' THEN
      payload := jsonb_build_object('k', 'guild', 'g', r.id);
    ELSE
      payload := jsonb_build_object('k', 'guild', 'g', r.guild_id);
    END IF;
    PERFORM pg_notify('tb_changes', (payload || jsonb_build_object('a', current_setting('application_name')))::text);
    RETURN NULL;
  END $$ LANGUAGE plpgsql`,
  `CREATE TRIGGER tickets_notify AFTER INSERT OR UPDATE OR DELETE ON tickets FOR EACH ROW EXECUTE FUNCTION tb_notify_change()`,
  `CREATE TRIGGER messages_notify AFTER INSERT OR UPDATE ON messages FOR EACH ROW EXECUTE FUNCTION tb_notify_change()`,
  `CREATE TRIGGER guilds_notify AFTER UPDATE ON guilds FOR EACH ROW
    WHEN (OLD.module_enabled IS DISTINCT FROM NEW.module_enabled OR OLD.default_group_id IS DISTINCT FROM NEW.default_group_id OR OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION tb_notify_change()`,
  `CREATE TRIGGER ticket_groups_notify AFTER INSERT OR UPDATE OR DELETE ON ticket_groups FOR EACH ROW EXECUTE FUNCTION tb_notify_change()`,
];

const downStatements: string[] = [
  `DROP TRIGGER IF EXISTS ticket_groups_notify ON ticket_groups`,
  `DROP TRIGGER IF EXISTS guilds_notify ON guilds`,
  `DROP TRIGGER IF EXISTS messages_notify ON messages`,
  `DROP TRIGGER IF EXISTS tickets_notify ON tickets`,
  `DROP FUNCTION IF EXISTS tb_notify_change()`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const s of upStatements) await sql.raw(s).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const s of downStatements) await sql.raw(s).execute(db);
}
