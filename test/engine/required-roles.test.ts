/**
 * A group's required roles: a member opening their own ticket needs one of them (the stored member's
 * roles, or the live ones a face passes); staff opening for them are not held; unknown roles are refused.
 */
import { expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/engine/index.js';
import { EngineError } from '../../src/engine/errors.js';
import { describeEachDatabase } from '../support/databases.js';
import { seedGuild, seedMember, snowflake, staffActor } from '../support/fixtures.js';
import { request, startRestServer } from '../rest/harness.js';

const staff = staffActor('601082144459178129');

describeEachDatabase('required roles', (database) => {
  let engine: Engine;
  const e = () => (engine ??= createEngine(database()));
  const db = () => database().db;

  async function guildWithRoles() {
    const g = await seedGuild(db());
    const verified = snowflake();
    const booster = snowflake();
    await db().insertInto('roles').values([
      { id: verified, guild_id: g.guildId, name: 'Verified', color: 0, position: 2, hoist: false, deleted_at: null },
      { id: booster, guild_id: g.guildId, name: 'Booster', color: 0, position: 3, hoist: false, deleted_at: null },
    ]).execute();
    return { ...g, verified, booster };
  }

  it('lets members with one of the roles open, refuses others by name, and never holds staff opening for them', async () => {
    const g = await guildWithRoles();
    const member = snowflake();
    const self = staffActor(member);
    await seedMember(db(), g.guildId, member, []);
    const group = await e().groups.update(staff, { guild_id: g.guildId, group_id: g.groupId, required_role_ids: [g.verified, g.booster] });
    expect(group.required_role_ids).toEqual([g.verified, g.booster]);
    expect((await e().groups.get({ guild_id: g.guildId, group_id: g.groupId })).required_role_ids).toEqual([g.verified, g.booster]);

    const err = await e().tickets.create(self, { guild_id: g.guildId, user_id: member }).then(() => undefined, (x: unknown) => x);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).code).toBe('forbidden');
    expect((err as EngineError).message).toBe(`Opening a ticket in "Support" needs one of the roles "Verified" (${g.verified}), "Booster" (${g.booster}), and user ${member} has none of them. Give them one of those roles, open the ticket for them as staff, or change the group's required_role_ids.`);
    expect((await e().tickets.list({ guild_id: g.guildId })).total, 'nothing opened').toBe(0);

    // Live roles from a face win over the stored member row, both ways.
    expect((await e().tickets.create(self, { guild_id: g.guildId, user_id: member, member_roles: [g.booster] })).number, 'a refused open takes no number').toBe(1);
    await seedMember(db(), g.guildId, member, [g.verified]);
    await expect(e().tickets.create(self, { guild_id: g.guildId, user_id: member, member_roles: [] })).rejects.toThrow(/has none of them/);
    // The stored roles count when no face passed live ones.
    expect((await e().tickets.create(self, { guild_id: g.guildId, user_id: member })).number).toBe(2);
    // Staff opening for a member without the roles, and another group without requirements.
    const other = snowflake();
    expect((await e().tickets.create(staff, { guild_id: g.guildId, user_id: other })).number).toBe(3);
    expect((await e().tickets.create(staffActor(other), { guild_id: g.guildId, user_id: other, ticket_group_id: g.threadGroupId })).number).toBe(4);
    // Cleared: anyone may open again.
    await e().groups.update(staff, { guild_id: g.guildId, group_id: g.groupId, required_role_ids: [] });
    expect((await e().tickets.create(staffActor(other), { guild_id: g.guildId, user_id: other })).number).toBe(5);
  });

  it('refuses a role the guild does not have, naming the field', async () => {
    const g = await guildWithRoles();
    const err = await e().groups.update(staff, { guild_id: g.guildId, group_id: g.groupId, required_role_ids: [g.verified, '123456789012345678'] }).then(() => undefined, (x: unknown) => x);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).message).toMatch(/required_role_ids/);
    expect((await e().groups.get({ guild_id: g.guildId, group_id: g.groupId })).required_role_ids).toEqual([]);
  });

  it('answers a REST client opening its own user\'s ticket without the role with 403', async () => {
    const g = await guildWithRoles();
    const member = snowflake();
    await seedMember(db(), g.guildId, member, []);
    await e().groups.update(staff, { guild_id: g.guildId, group_id: g.groupId, required_role_ids: [g.verified] });
    const s = await startRestServer(database(), { TICKETBRIDGE_RATE_LIMIT_IP: '0' });
    try {
      const { token } = await s.engine.tokens.create({ name: 'member app', abilities: ['*'], user_id: member });
      const open = await request(s.url, 'POST', `/api/v1/guild/${g.guildId}/ticket`, { token, body: { user_id: member } });
      expect(open.status).toBe(403);
      expect((open.body as { message: string }).message).toContain(`needs one of the roles "Verified" (${g.verified}), and user ${member} has none of them.`);
      await seedMember(db(), g.guildId, member, [g.verified]);
      expect((await request(s.url, 'POST', `/api/v1/guild/${g.guildId}/ticket`, { token, body: { user_id: member } })).status).toBe(200);
    } finally { await s.close(); }
  });
});
