/** Every route of every dialect × {no token, wrong guild, missing ability, revoked token} is refused in that dialect's shape. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { z } from 'zod';
import { ABILITIES } from '../../src/engine/actor.js';
import { HqError } from '../../src/rest/husqy/schemas.js';
import { dialects } from '../../src/rest/index.js';
import type { Dialect } from '../../src/rest/kit/dialect.js';
import { routeAbility } from '../../src/rest/kit/mount.js';
import { TtError } from '../../src/rest/ticketeer/schemas.js';
import { NtError } from '../../src/rest/noteticketing/index.js';
import { NativeError } from '../../src/rest/native/index.js';
import { describeEachDatabase } from '../support/databases.js';
import { seedGuild } from '../support/fixtures.js';
import { DEMO, dbFingerprint, request, seedDemo, startRestServer, type RestServer } from './harness.js';
import { sampleRequest, urlOf } from './samples.js';

const shapes: Record<Dialect['name'], z.ZodType> = { ticketeer: TtError.strict(), husqy: HqError.strict(), volvox: z.object({ error: z.string() }).strict(), noteticketing: NtError.strict(), ticketbridge: NativeError.strict() };

describeEachDatabase('auth matrix', (database) => {
  let s: RestServer;
  let otherGuild: string;
  let revoked: string;
  beforeAll(async () => {
    await seedDemo(database());
    otherGuild = (await seedGuild(database().db)).guildId;
    s = await startRestServer(database(), { TICKETBRIDGE_RATE_LIMIT_TOKEN: '0', TICKETBRIDGE_NOTETICKETING_RATE_LIMIT_HOUR: '0', TICKETBRIDGE_RATE_LIMIT_IP: '0', TICKETBRIDGE_VOLVOX_RATE_LIMIT_IP: '0' });
    const r = await s.engine.tokens.create({ abilities: ['*'], user_id: DEMO.staffId });
    await s.engine.tokens.revoke(r.info.id);
    revoked = r.token;
  });
  afterAll(async () => { await s.close(); });

  for (const dialect of dialects) {
    it(`refuses every ${dialect.name} route without a good token, for another guild, or without the ability`, async () => {
      const before = await dbFingerprint(database());
      const wrongGuild = (await s.engine.tokens.create({ abilities: ['*'], guild_ids: [otherGuild], user_id: DEMO.staffId })).token;
      let checked = 0;
      for (const route of dialect.routes) {
        const sample = sampleRequest(route);
        const ability = routeAbility(route);
        const cases: Array<[string, string | undefined, number]> = [['no token', undefined, 401], ['revoked token', revoked, 401]];
        if (ability === null) {
          // Open to every valid token (the guild lists): one with nothing but tickets:read gets its answer.
          cases.push(['any valid token', (await s.engine.tokens.create({ abilities: ['tickets:read'], user_id: DEMO.staffId })).token, 200]);
        } else {
          cases.push(['missing ability', (await s.engine.tokens.create({ abilities: ABILITIES.filter((a) => a !== ability), user_id: DEMO.staffId })).token, 403]);
        }
        if (route.path.includes('{guild_id}') || route.path.includes('{id}') || (sample.query['guild_id'] ?? sample.body?.['guild_id'])) cases.push(['wrong guild', wrongGuild, 403]);
        for (const [what, token, status] of cases) {
          const headers: Record<string, string> = {};
          if (token) headers[dialect.name === 'volvox' ? 'x-api-secret' : 'authorization'] = dialect.name === 'volvox' ? token : `Bearer ${token}`;
          const r = await request(s.url, sample.method, urlOf(sample), { headers, ...(sample.body ? { body: sample.body } : {}) });
          expect(r.status, `${what}: ${route.method} ${route.path} → ${r.text}`).toBe(status);
          if (status >= 400) shapes[dialect.name].parse(r.body);
          checked++;
        }
      }
      expect(checked).toBeGreaterThanOrEqual(dialect.routes.length * 3);
      expect(await dbFingerprint(database())).toBe(before);
    });
  }
});
