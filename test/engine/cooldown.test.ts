/**
 * A group's cooldown: a member opening their own tickets waits between them (the engine with a
 * hand-moved clock, and the REST answer: 429 with Retry-After); staff opening for them do not wait.
 */
import { expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/engine/index.js';
import { EngineError } from '../../src/engine/errors.js';
import { describeEachDatabase } from '../support/databases.js';
import { manualClock, seedGuild, staffActor } from '../support/fixtures.js';
import { request, startRestServer } from '../rest/harness.js';

const member = '1200000000000000021';
const self = staffActor(member);
const staff = staffActor('601082144459178129');

describeEachDatabase('open cooldown', (database) => {
  const clock = manualClock('2030-07-01T09:00:00.000Z');
  let engine: Engine;
  const e = () => (engine ??= createEngine(database(), { now: clock.now }));

  it('holds a member opening their own tickets, not staff opening for them, and lets go when the time is up', async () => {
    const g = await seedGuild(database().db);
    expect(await e().groups.update(staff, { guild_id: g.guildId, group_id: g.groupId, cooldown_seconds: 300 })).toMatchObject({ cooldown_seconds: 300 });
    await e().tickets.create(self, { guild_id: g.guildId, user_id: member });
    clock.advance(100);
    const err = await e().tickets.create(self, { guild_id: g.guildId, user_id: member }).then(() => undefined, (x: unknown) => x);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).code).toBe('rate_limited');
    expect((err as EngineError).message).toMatch(/less than 300 s ago.*Try again in 200 s\./);
    expect((err as EngineError).details.retryAfterSeconds).toBe(200);
    // Staff opening one for the member are not held, and other groups have no cooldown.
    expect((await e().tickets.create(staff, { guild_id: g.guildId, user_id: member })).number).toBe(2);
    expect((await e().tickets.create(self, { guild_id: g.guildId, user_id: member, ticket_group_id: g.threadGroupId })).number).toBe(3);
    // The staff-opened ticket counts as the member's latest: 300 s from it.
    clock.advance(299);
    await expect(e().tickets.create(self, { guild_id: g.guildId, user_id: member })).rejects.toThrow(/Try again in 1 s/);
    clock.advance(1);
    expect((await e().tickets.create(self, { guild_id: g.guildId, user_id: member })).number).toBe(4);
  });

  it('answers a REST client opening its own user\'s ticket too soon with 429 and Retry-After', async () => {
    const g = await seedGuild(database().db);
    await e().groups.update(staff, { guild_id: g.guildId, group_id: g.groupId, cooldown_seconds: 3600 });
    const s = await startRestServer(database(), { TICKETBRIDGE_RATE_LIMIT_IP: '0' });
    try {
      const { token } = await s.engine.tokens.create({ name: 'member app', abilities: ['*'], user_id: member });
      const open = () => request(s.url, 'POST', `/api/v1/guild/${g.guildId}/ticket`, { token, body: { user_id: member } });
      expect((await open()).status).toBe(200);
      const again = await open();
      expect(again.status).toBe(429);
      expect(Number(again.headers.get('retry-after'))).toBeGreaterThan(3500);
      expect(JSON.stringify(again.body)).toMatch(/Try again in \d+ s/);
    } finally { await s.close(); }
  });
});
