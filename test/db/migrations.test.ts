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

  it('0016 gives existing tickets whose turn it is from their last chat line', async () => {
    const db = database().db as unknown as Kysely<unknown>;
    const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations }, migrationTableName: 'tb_migrations', migrationLockTableName: 'tb_migrations_lock' });
    expect((await migrator.migrateTo('0015_required_roles')).error).toBeUndefined();
    try {
      const g = await seedGuild(database().db);
      const owner = '849383430663776372';
      const ticket = async (n: number) => {
        const id = `${g.guildId.slice(0, 10)}${String(n).padStart(8, '0')}`;
        await sql`INSERT INTO tickets (id, uuid, guild_id, group_id, number, status, owner_id, opened_at) VALUES (${id}, ${`u-${id}`}, ${g.guildId}, ${g.groupId}, ${n}, 'open', ${owner}, '2030-01-01T00:00:00Z')`.execute(db);
        return id;
      };
      const line = (ticketId: string, id: string, author: string, at: string, opts: { bot?: boolean; notes?: boolean } = {}) =>
        sql`INSERT INTO messages (id, ticket_id, guild_id, channel_id, in_notes, author_id, author_name, author_bot, content, embeds, created_at)
            VALUES (${id}, ${ticketId}, ${g.guildId}, '1', ${opts.notes ?? false}, ${author}, 'x', ${opts.bot ?? false}, 'hi', '[]', ${at})`.execute(db);
      const [asked, answered, silent] = [await ticket(1), await ticket(2), await ticket(3)];
      await line(asked, `${asked}1`, '601082144459178129', '2030-01-01T01:00:00Z');
      await line(asked, `${asked}2`, owner, '2030-01-01T02:00:00Z');
      await line(asked, `${asked}3`, '1000000000000000001', '2030-01-01T03:00:00Z', { bot: true });
      await line(answered, `${answered}1`, owner, '2030-01-01T01:00:00Z');
      await line(answered, `${answered}2`, '601082144459178129', '2030-01-01T02:00:00Z');
      await line(answered, `${answered}3`, '601082144459178129', '2030-01-01T04:00:00Z', { notes: true });
      expect((await migrator.migrateToLatest()).error).toBeUndefined();
      const rows = await database().db.selectFrom('tickets').select(['id', 'waiting_on', 'waiting_since']).where('guild_id', '=', g.guildId).orderBy('number').execute();
      expect(rows.map((r) => [r.waiting_on, r.waiting_since.toISOString()])).toEqual([
        ['staff', '2030-01-01T02:00:00.000Z'], ['owner', '2030-01-01T02:00:00.000Z'], ['staff', '2030-01-01T00:00:00.000Z'],
      ]);
      expect([asked, answered, silent]).toEqual(rows.map((r) => r.id));
    } finally {
      await migrator.migrateToLatest();
    }
  });
});
