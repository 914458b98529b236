/** Finding one user's messages in a guild (privacy: count or delete a member's references) without scanning. */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw('CREATE INDEX messages_guild_author ON messages (guild_id, author_id)').execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('DROP INDEX IF EXISTS messages_guild_author').execute(db);
}
