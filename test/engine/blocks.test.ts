/**
 * Ticket blocks: a blocked member, or a member with a blocked role, cannot open a ticket by any
 * route; the refusal names the block and how to lift it, and gives its ticket number back.
 */
import { expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/engine/index.js';
import { EngineError } from '../../src/engine/errors.js';
import { describeEachDatabase } from '../support/databases.js';
import { seedGuild, seedMember, snowflake, staffActor } from '../support/fixtures.js';

const staff = staffActor('601082144459178129');
const spammer = '1200000000000000011';
const helper = '1200000000000000012';
const bystander = '1200000000000000013';

describeEachDatabase('ticket blocks', (database) => {
  let engine: Engine;
  const e = () => (engine ??= createEngine(database()));
  const db = () => database().db;
  const refusal = async (p: Promise<unknown>, code: string) => {
    const err = await p.then(() => undefined, (x: unknown) => x);
    expect(err, 'expected a refusal').toBeInstanceOf(EngineError);
    expect((err as EngineError).code).toBe(code);
    return err as EngineError;
  };

  it('refuses opens for a blocked member and for members of a blocked role, until lifted', async () => {
    const g = await seedGuild(db());
    const muted = snowflake();
    await db().insertInto('roles').values({ id: muted, guild_id: g.guildId, name: 'Muted', color: 0, position: 2, hoist: false, deleted_at: null }).execute();
    await seedMember(db(), g.guildId, helper, [muted]);
    await seedMember(db(), g.guildId, bystander, []);

    const first = await e().blocks.add(staff, { guild_id: g.guildId, user_id: spammer, reason: 'spam' });
    expect(first).toMatchObject({ guild_id: g.guildId, type: 'user', id: spammer, reason: 'spam', added_by: staff.userId });
    const refused = await refusal(e().tickets.create(staff, { guild_id: g.guildId, user_id: spammer }), 'forbidden');
    expect(refused.message).toBe(`User ${spammer} is blocked from opening tickets in guild ${g.guildId} (spam). Lift the block with remove_ticket_block if it no longer applies.`);

    await e().blocks.add(staff, { guild_id: g.guildId, role_id: muted });
    expect((await refusal(e().tickets.create(staff, { guild_id: g.guildId, user_id: helper }), 'forbidden')).message).toMatch(`has role ${muted}, which is blocked`);
    // Members without the role, and other guilds, are not affected; refused opens gave their numbers back.
    expect((await e().tickets.create(staff, { guild_id: g.guildId, user_id: bystander })).number).toBe(1);
    const elsewhere = await seedGuild(db());
    expect((await e().tickets.create(staff, { guild_id: elsewhere.guildId, user_id: spammer })).number).toBe(1);

    // Blocking again updates the reason; the list shows both blocks.
    await e().blocks.add(staff, { guild_id: g.guildId, user_id: spammer, reason: 'spam, again' });
    const listed = await e().blocks.list({ guild_id: g.guildId });
    expect(listed.total).toBe(2);
    expect(listed.blocks.map((b) => [b.type, b.id, b.reason])).toEqual([['user', spammer, 'spam, again'], ['role', muted, null]]);
    // The Discord face's check with live roles: the role counts only if the member has it now.
    expect(await e().blocks.blocking(g.guildId, helper, [])).toBeNull();
    expect(await e().blocks.blocking(g.guildId, bystander, [muted])).toMatchObject({ target_type: 'role', target_id: muted });

    expect(await e().blocks.remove(staff, { guild_id: g.guildId, user_id: spammer })).toMatchObject({ type: 'user', id: spammer });
    expect((await e().tickets.create(staff, { guild_id: g.guildId, user_id: spammer })).number).toBe(2);
    expect((await refusal(e().blocks.remove(staff, { guild_id: g.guildId, user_id: spammer }), 'not_found')).message).toMatch(/is not blocked/);
  });

  it('wants exactly one of user_id or role_id, and a role of the guild', async () => {
    const g = await seedGuild(db());
    const both = await refusal(e().blocks.add(staff, { guild_id: g.guildId, user_id: spammer, role_id: snowflake() }), 'invalid');
    expect(both.message).toMatch(/exactly one of user_id .* or role_id/);
    await refusal(e().blocks.add(staff, { guild_id: g.guildId }), 'invalid');
    await db().insertInto('roles').values({ id: snowflake(), guild_id: g.guildId, name: 'Any', color: 0, position: 1, hoist: false, deleted_at: null }).execute();
    const unknownRole = await refusal(e().blocks.add(staff, { guild_id: g.guildId, role_id: snowflake() }), 'invalid');
    expect(unknownRole.details.fields?.[0]?.path).toBe('role_id');
    await refusal(e().blocks.list({ guild_id: snowflake() }), 'not_found');
  });
});
