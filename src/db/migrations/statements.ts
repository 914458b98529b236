/** A migration that is two lists of SQL statements, run in order: what most migrations here are. */
import { sql, type Kysely, type Migration } from 'kysely';

export function statements(upStatements: readonly string[], downStatements: readonly string[]): Migration {
  const run = async (db: Kysely<unknown>, list: readonly string[]) => { for (const s of list) await sql.raw(s).execute(db); };
  return { up: (db) => run(db, upStatements), down: (db) => run(db, downStatements) };
}
