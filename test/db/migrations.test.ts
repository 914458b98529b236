/**
 * Every migration can be undone: down to nothing leaves none of our tables or functions, and up
 * again rebuilds a database that works (a ticket opens). Run on both databases.
 */
import { Migrator, NO_MIGRATIONS, sql, type Kysely } from 'kysely';
import { expect, it } from 'vitest';
import { migrations } from '../../src/db/migrations/index.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { createEngine } from '../../src/engine/index.js';
import { describeEachDatabase } from '../support/databases.js';
import { seedGuild, staffActor } from '../support/fixtures.js';

describeEachDatabase('migrations', (database) => {
  it('go all the way down and back up', async () => {
    const db = database().db as unknown as Kysely<unknown>;
    const names = async () => (await sql<{ n: string }>`SELECT table_name AS n FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`.execute(db)).rows.map((r) => r.n);
    const functions = async () => (await sql<{ n: string }>`SELECT proname AS n FROM pg_proc WHERE proname LIKE 'tb\\_%'`.execute(db)).rows.map((r) => r.n);
    const before = await names();
    expect(before).toEqual(expect.arrayContaining(['tickets', 'ticket_blocks', 'action_items']));

    const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations }, migrationTableName: 'tb_migrations', migrationLockTableName: 'tb_migrations_lock' });
    const down = await migrator.migrateTo(NO_MIGRATIONS);
    expect(down.error).toBeUndefined();
    expect(down.results?.map((r) => r.migrationName)).toEqual(Object.keys(migrations).reverse());
    expect((await names()).filter((n) => !n.startsWith('tb_migrations'))).toEqual([]);
    expect(await functions()).toEqual([]);

    expect(await migrateToLatest(db)).toEqual(Object.keys(migrations));
    expect(await names()).toEqual(before);
    const g = await seedGuild(database().db);
    expect((await createEngine(database()).tickets.create(staffActor('601082144459178129'), { guild_id: g.guildId, user_id: '849383430663776372' })).number).toBe(1);
  });
});
