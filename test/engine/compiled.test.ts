/**
 * Statements compiled once and run again with other values (the create path's helper): each call
 * gets its own values' rows, and a value that would not be a bound parameter is refused up front.
 */
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { CompiledStatements } from '../../src/engine/compiled.js';
import { describeEachDatabase } from '../support/databases.js';

describeEachDatabase('compiled statements', (database) => {
  it('reuse one compiled statement with each call\'s values', async () => {
    const db = database().db;
    const statements = new CompiledStatements();
    const build = (p: (n: string) => string) => db.selectFrom('guilds').select('id').where('id', 'in', [p('a'), p('b')]).where('name', '!=', p('a'));
    await sql`INSERT INTO guilds (id, name) VALUES ('9001', 'x'), ('9002', 'y'), ('9003', 'z') ON CONFLICT DO NOTHING`.execute(db);
    expect((await statements.execute(db, 'in', build, { a: '9001', b: '9002' })).map((r) => r.id).sort()).toEqual(['9001', '9002']);
    expect((await statements.execute(db, 'in', build, { a: '9003', b: 'none' })).map((r) => r.id)).toEqual(['9003']);
    await expect(statements.execute(db, 'in', build, { a: '9001' })).rejects.toThrow(/no value for b/);
  });

  it('refuse a value inlined into the SQL text', async () => {
    const db = database().db;
    const statements = new CompiledStatements();
    await expect(statements.execute(db, 'lit', (p) => db.selectFrom('guilds').select('id').where('id', '=', sql.lit(p('a'))), { a: '1' }))
      .rejects.toThrow(/not a bound parameter|inlined/);
  });
});
