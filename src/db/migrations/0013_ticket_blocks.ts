/** Ticket blocks: members or roles of a guild that may not open tickets there, with the reason. */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`CREATE TABLE ticket_blocks (
    guild_id text NOT NULL REFERENCES guilds(id) ON DELETE CASCADE,
    target_type text NOT NULL CHECK (target_type IN ('user', 'role')),
    target_id text NOT NULL,
    reason text,
    added_by text,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (guild_id, target_type, target_id)
  )`).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('DROP TABLE IF EXISTS ticket_blocks').execute(db);
}
