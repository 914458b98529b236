/** Feedback: the owner's comment beside their rating (asked for by DM when a ticket of a group with a feedback channel closes). */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw('ALTER TABLE tickets ADD COLUMN rating_comment text').execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw('ALTER TABLE tickets DROP COLUMN IF EXISTS rating_comment').execute(db);
}
