/**
 * Fuzzing every route with random and malformed input (fast-check): never a 500 or a crash, errors
 * in the dialect's own shape, and a rejected request leaves the database exactly as it was.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { z } from 'zod';
import { HqError } from '../../src/rest/husqy/schemas.js';
import { dialects } from '../../src/rest/index.js';
import type { Dialect } from '../../src/rest/kit/dialect.js';
import { findOperation } from '../../src/operations/index.js';
import { TtError, TtUnavailable } from '../../src/rest/ticketeer/schemas.js';
import { NtError } from '../../src/rest/noteticketing/index.js';
import { NativeError } from '../../src/rest/native/index.js';
import { describeEachDatabase } from '../support/databases.js';
import { DEMO, dbFingerprint, request, seedDemo, startRestServer, type RestServer } from './harness.js';
import { sampleRequest, urlOf } from './samples.js';

const routes = dialects.flatMap((d) => d.routes.map((route) => ({ dialect: d, route })));
const shapes: Record<Dialect['name'], z.ZodType> = {
  ticketeer: z.union([TtError.strict(), TtUnavailable.strict()]), husqy: HqError.strict(), volvox: z.object({ error: z.string(), details: z.array(z.unknown()).optional() }).strict(),
  noteticketing: NtError.strict(), ticketbridge: NativeError.strict(),
};
/** 5xx that are answers, not failures: a route whose operation this build lacks, and a sync while Discord is not connected. */
function allowed5xx(route: (typeof routes)[number]['route'], status: number): boolean {
  if (status === 501) return route.operations.some((o) => !findOperation(o));
  if (status === 503) return route.operations.includes('sync_guild') || route.operations.includes('trigger_sweep');
  return false;
}

const idLike = fc.oneof(
  fc.constantFrom(DEMO.guildId, DEMO.ticketId, DEMO.channelId, '0', '-1', '1e21', '12345678901234567890123', 'null', '%00', '..', '%2F', 'ticket'),
  fc.string({ maxLength: 30 }), fc.stringMatching(/^\d{1,25}$/),
);
const anyJson = fc.jsonValue({ maxDepth: 3 });

describeEachDatabase('REST fuzz', (database) => {
  let s: RestServer;
  let token: string;
  beforeAll(async () => {
    await seedDemo(database());
    s = await startRestServer(database(), { TICKETBRIDGE_RATE_LIMIT_TOKEN: '0', TICKETBRIDGE_NOTETICKETING_RATE_LIMIT_HOUR: '0', TICKETBRIDGE_RATE_LIMIT_IP: '0', TICKETBRIDGE_VOLVOX_RATE_LIMIT_IP: '0' });
    token = (await s.engine.tokens.create({ abilities: ['*'], user_id: DEMO.staffId })).token;
  });
  afterAll(async () => { await s.close(); });

  async function check(entry: (typeof routes)[number], method: string, url: string, init: { body?: unknown; raw?: string; headers?: Record<string, string> }) {
    const before = await dbFingerprint(database());
    const headers = { ...(init.headers ?? {}), ...(entry.dialect.name === 'volvox' ? { 'x-api-secret': token } : { authorization: `Bearer ${token}` }) };
    const r = await request(s.url, method, url, { ...init, headers });
    const where = `${method} ${url} ${init.raw ?? JSON.stringify(init.body) ?? ''}`.slice(0, 400);
    expect(r.status >= 500 && !allowed5xx(entry.route, r.status), `${r.status} for ${where}: ${r.text.slice(0, 300)}`).toBe(false);
    if (r.status >= 400) {
      // A path that normalizes out of the dialect (e.g. "/api/v1/guilds/../tickets") is no longer that API's.
      const landed = new URL(url, s.url).pathname;
      if (entry.dialect.prefixes.some((p) => landed === p || landed.startsWith(`${p}/`))) {
        expect(shapes[entry.dialect.name].safeParse(r.body).success, `${where} → ${r.text.slice(0, 300)}`).toBe(true);
      }
      expect(await dbFingerprint(database()), `a refused request changed the database: ${where}`).toBe(before);
    }
  }

  it('survives random values in every path parameter, query field and body field', async () => {
    await fc.assert(fc.asyncProperty(
      fc.constantFrom(...routes), fc.dictionary(fc.constantFrom('guild_id', 'ticket_id', 'channel_id', 'channel', 'user_id', 'message_id', 'custom_message_id', 'panel_id', 'ticket_type_id', 'id', 'ticketId'), idLike, { maxKeys: 3 }),
      fc.dictionary(fc.string({ maxLength: 12 }), anyJson, { maxKeys: 4 }), fc.dictionary(fc.string({ maxLength: 12 }), fc.string({ maxLength: 20 }), { maxKeys: 3 }), fc.boolean(),
      async (entry, ids, bodyNoise, queryNoise, keepValid) => {
        const sample = sampleRequest(entry.route, ids);
        const body = entry.route.body ? (keepValid ? { ...sample.body, ...bodyNoise } : bodyNoise) : undefined;
        const query = new URLSearchParams({ ...sample.query, ...queryNoise }).toString();
        const path = sample.path.split('/').map((seg) => encodeURIComponent(decodeURIComponentSafe(seg))).join('/');
        await check(entry, sample.method, query ? `${path}?${query}` : path, body !== undefined ? { body } : {});
      },
    ), { numRuns: 150 });
  });

  it('survives malformed, mistyped and oversized bodies', async () => {
    const malformed = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.constantFrom('{', '{"guild_id": ', '[1,2', '{"a":1}}', 'null', 'true', '"text"', '[]', '{"__proto__": {"x": 1}}', '{"constructor": {"prototype": 1}}',
        `{"guild_id": ${DEMO.guildId}99999999999999}`, '{"user_id": 1e400}', `{"user_id": ${'9'.repeat(400)}}`, '\u0000', '{"a":"\\ud800"}'),
      fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
      fc.nat({ max: 3000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`),
      fc.constant(JSON.stringify({ user_id: DEMO.customerId, message: 'x'.repeat(300_000) })),
    );
    const contentType = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'application/xml');
    await fc.assert(fc.asyncProperty(fc.constantFrom(...routes.filter((r) => r.route.method !== 'GET')), malformed, contentType, async (entry, raw, type) => {
      const sample = sampleRequest(entry.route);
      await check(entry, sample.method, urlOf(sample), { raw, headers: { 'content-type': type } });
    }), { numRuns: 120 });
  });
});

function decodeURIComponentSafe(s: string): string {
  try { return decodeURIComponent(s); } catch { return s; }
}
