/** What all dialects share: Idempotency-Key, rate limits, tokens, /openapi.json and /docs. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { catalogue } from '../../src/operations/index.js';
import { dialects } from '../../src/rest/index.js';
import { TtError } from '../../src/rest/ticketeer/schemas.js';
import { documentedRoutes } from '../fixtures/documents.js';
import { describeEachDatabase } from '../support/databases.js';
import { DEMO, request, seedDemo, startRestServer, type RestServer } from './harness.js';

const G = `/api/v1/guild/${DEMO.guildId}`;

describeEachDatabase('REST common machinery, /openapi.json and /docs', (database) => {
  let s: RestServer;
  let token: string;

  beforeAll(async () => {
    await seedDemo(database());
    s = await startRestServer(database(), { TICKETBRIDGE_RATE_LIMIT_TOKEN: '0', TICKETBRIDGE_RATE_LIMIT_IP: '0' });
    token = (await s.engine.tokens.create({ name: 'client', abilities: ['*'], user_id: DEMO.staffId })).token;
  });
  afterAll(async () => { await s.close(); });

  const countTickets = async () => (await database().db.selectFrom('tickets').select('id').where('guild_id', '=', DEMO.guildId).execute()).length;

  it('returns the first result for a retried create with the same Idempotency-Key, and refuses the key for another body', async () => {
    const before = await countTickets();
    const body = { user_id: DEMO.customerId, message: 'Once only' };
    const first = await request(s.url, 'POST', `${G}/ticket`, { token, body, headers: { 'Idempotency-Key': 'create-1' } });
    const retry = await request(s.url, 'POST', `${G}/ticket`, { token, body, headers: { 'Idempotency-Key': 'create-1' } });
    expect(first.status).toBe(200);
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await countTickets()).toBe(before + 1);
    const other = await request(s.url, 'POST', `${G}/ticket`, { token, body: { user_id: DEMO.memberId }, headers: { 'Idempotency-Key': 'create-1' } });
    expect(other.status).toBe(422);
    expect(TtError.parse(other.body).message).toMatch(/Idempotency-Key was already used/);
    // Without a key, every POST acts.
    await request(s.url, 'POST', `${G}/ticket`, { token, body });
    await request(s.url, 'POST', `${G}/ticket`, { token, body });
    expect(await countTickets()).toBe(before + 3);
  });

  it('creates one ticket when the same key arrives several times at once', async () => {
    const before = await countTickets();
    const body = { user_id: DEMO.customerId, message: 'Concurrent' };
    const replies = await Promise.all(Array.from({ length: 6 }, () =>
      request(s.url, 'POST', `${G}/ticket`, { token, body, headers: { 'Idempotency-Key': 'burst-7' } })));
    expect(await countTickets()).toBe(before + 1);
    const ok = replies.filter((r) => r.status === 200);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    expect(new Set(ok.map((r) => (r.body as { id: string }).id)).size).toBe(1);
    for (const r of replies.filter((x) => x.status !== 200)) {
      expect(r.status).toBe(409);
      expect(TtError.parse(r.body).message).toMatch(/still running/);
    }
  });

  it('limits requests per token and per IP with X-RateLimit headers, then 429 with Retry-After', async () => {
    const limited = await startRestServer(database(), { TICKETBRIDGE_RATE_LIMIT_TOKEN: '3', TICKETBRIDGE_RATE_LIMIT_IP: '5' });
    try {
      const other = (await s.engine.tokens.create({ abilities: ['*'] })).token;
      const path = `${G}/ticket/${DEMO.ticketId}`;
      const seen: string[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await request(limited.url, 'GET', path, { token });
        expect(r.status).toBe(200);
        expect(r.headers.get('x-ratelimit-limit')).toBe('3');
        seen.push(r.headers.get('x-ratelimit-remaining') ?? '');
      }
      expect(seen).toEqual(['2', '1', '0']);
      const over = await request(limited.url, 'GET', path, { token });
      expect(over.status).toBe(429);
      expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(Number(over.headers.get('x-ratelimit-reset'))).toBeGreaterThan(0);
      expect(TtError.parse(over.body).message).toMatch(/with this API token/);
      // Another token is not limited by the first one's count… until the IP's limit (5) is used up.
      expect((await request(limited.url, 'GET', path, { token: other })).status).toBe(200);
      const ipOver = await request(limited.url, 'GET', path, { token: other });
      expect(ipOver.status).toBe(429);
      expect(TtError.parse(ipOver.body).message).toMatch(/from this IP address/);
    } finally { await limited.close(); }
  });

  it('refuses revoked and unknown tokens with 401, at once without the token cache and within its lifetime with it', async () => {
    const strict = await startRestServer(database(), { TICKETBRIDGE_TOKEN_CACHE_MS: '0' });
    try {
      const t = await s.engine.tokens.create({ abilities: ['*'] });
      expect((await request(strict.url, 'GET', `${G}/ticket/${DEMO.ticketId}`, { token: t.token })).status).toBe(200);
      await s.engine.tokens.revoke(t.info.id);
      const revoked = await request(strict.url, 'GET', `${G}/ticket/${DEMO.ticketId}`, { token: t.token });
      expect(revoked.status).toBe(401);
      expect(TtError.parse(revoked.body).message).toMatch(/revoked/);
      expect((await request(strict.url, 'GET', `${G}/ticket/${DEMO.ticketId}`, { token: 'tb_nope' })).status).toBe(401);
    } finally { await strict.close(); }

    // Default: an accepted token is remembered for 2 s, so a revocation takes effect within that.
    const t = await s.engine.tokens.create({ abilities: ['*'] });
    expect((await request(s.url, 'GET', `${G}/ticket/${DEMO.ticketId}`, { token: t.token })).status).toBe(200);
    const revokedAt = Date.now();
    await s.engine.tokens.revoke(t.info.id);
    let status = 200;
    while (status === 200 && Date.now() - revokedAt < 5000) {
      status = (await request(s.url, 'GET', `${G}/ticket/${DEMO.ticketId}`, { token: t.token })).status;
      if (status === 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(401);
    expect(Date.now() - revokedAt).toBeLessThan(2600);
  });

  // ---- /openapi.json and /docs ----

  it('serves an OpenAPI 3.1 document with every documented path of the three APIs', async () => {
    const r = await request(s.url, 'GET', '/openapi.json');
    expect(r.status).toBe(200);
    const doc = r.body as { openapi: string; paths: Record<string, Record<string, { parameters: Array<{ name: string; in: string }>; requestBody?: unknown; responses: Record<string, unknown> }>> };
    expect(doc.openapi).toBe('3.1.0');
    // Ticketeer (000), Husqy (002) and Volvox (003, under /api/v1): every documented method and path.
    const documented = [...documentedRoutes.ticketeer, ...documentedRoutes.husqy, ...documentedRoutes.volvox];
    expect(documented.length).toBe(57 + 29 + 3);
    const served = new Set(Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`)));
    const missing = documented.filter((d) => !served.has(d));
    expect(missing).toEqual([]);
    // Every route of every dialect is in the document, with its parameters and error responses.
    for (const d of dialects) {
      for (const route of d.routes) {
        const op = doc.paths[route.path]?.[route.method.toLowerCase()];
        expect(op, `${route.method} ${route.path}`).toBeDefined();
        for (const name of route.path.match(/\{(\w+)\}/g) ?? []) expect(op!.parameters.map((p) => p.name)).toContain(name.slice(1, -1));
        expect(Object.keys(op!.responses)).toEqual(expect.arrayContaining(['401', '403', '429']));
        if (route.body) expect(op!.requestBody).toBeDefined();
      }
    }
    const create = doc.paths['/api/v1/guild/{guild_id}/ticket']!['post']!;
    expect(JSON.stringify(create.requestBody)).toContain('"required":["user_id"]');
  });

  it('names only catalogue operations behind its routes', async () => {
    const names = new Set(catalogue.map((op) => op.name));
    const unknown = dialects.flatMap((d) => d.routes.flatMap((r) => r.operations)).filter((n) => !names.has(n));
    expect([...new Set(unknown)].sort()).toEqual([]);
  });

  it('serves the interactive reference at /docs with its script from this server, not a CDN', async () => {
    const page = await request(s.url, 'GET', '/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const scripts = [...page.text.matchAll(/<script[^>]*src="([^"]+)"/g)].map((m) => m[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    for (const src of scripts) {
      expect(src).not.toMatch(/^(https?:)?\/\//);
      const js = await request(s.url, 'GET', new URL(src, `${s.url}/docs/`).pathname);
      expect(js.status).toBe(200);
      expect(js.text.length).toBeGreaterThan(100_000);
    }
    expect(page.text).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)/);
    expect(page.text).toContain('"url": "/openapi.json"');
    expect(page.text).toContain('"withDefaultFonts": false');
  });
});
