/**
 * CORS for the REST APIs over real HTTP: allowed origins answered (preflight and actual requests, errors
 * included), others and the default configuration given no CORS headers, `*` never with credentials,
 * and /mcp left to its own Origin check. CORS does not depend on the database, so one database is enough.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import type { Database } from '../../src/db/connect.js';
import { clonePglite, clonePostgres, postgresAvailable, type TestDatabase } from '../support/databases.js';
import { DEMO, request, seedDemo, startRestServer, type RestServer } from './harness.js';

const DASH = 'https://dash.example.com';
const G = `/v1/guilds/${DEMO.guildId}`;

let testDb: TestDatabase;
let database: Database;
let s: RestServer;
let token: string;

beforeAll(async () => {
  testDb = postgresAvailable() ? await clonePostgres() : await clonePglite();
  database = await testDb.open();
  await seedDemo(database);
  s = await startRestServer(database, { TICKETBRIDGE_CORS_ORIGINS: `${DASH}, http://localhost:5173`, TICKETBRIDGE_RATE_LIMIT_IP: '0' });
  token = (await s.engine.tokens.create({ abilities: ['*'], user_id: DEMO.staffId })).token;
});
afterAll(async () => {
  await s?.close();
  await database?.close();
  await testDb?.drop();
});

const preflight = (url: string, path: string, origin: string, method = 'POST') => request(url, 'OPTIONS', path, {
  headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': 'authorization,content-type,idempotency-key' },
});

describe('CORS for the REST APIs', () => {
  it('answers a preflight from an allowed origin before any token, for every API', async () => {
    for (const path of [`${G}/action-items`, `/api/v1/guild/${DEMO.guildId}/ticket`, '/modules/tickets/panels', `/api/v1/guilds/${DEMO.guildId}/tickets`, '/api/ticketbridge/v1/list_tickets']) {
      const r = await preflight(s.url, path, DASH);
      expect(r.status, path).toBe(204);
      expect(r.headers.get('access-control-allow-origin'), path).toBe(DASH);
      expect(r.headers.get('access-control-allow-credentials')).toBe('true');
      expect(r.headers.get('access-control-allow-methods')).toMatch(/\bPATCH\b.*\bDELETE\b/);
      expect(r.headers.get('access-control-allow-headers')?.toLowerCase()).toMatch(/authorization.*content-type.*idempotency-key/);
      expect(r.headers.get('access-control-max-age')).toBe('600');
      expect(r.headers.get('vary')).toMatch(/Origin/);
    }
  });

  it('lets the allowed origin read answers, errors and rate-limit headers', async () => {
    const ok = await request(s.url, 'GET', `${G}/action-items`, { token, headers: { origin: 'http://localhost:5173' } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(ok.headers.get('access-control-expose-headers')).toMatch(/X-RateLimit-Remaining/);
    expect(ok.headers.get('x-ratelimit-remaining')).not.toBeNull();
    const denied = await request(s.url, 'GET', `${G}/action-items`, { headers: { origin: DASH } });
    expect(denied.status).toBe(401);
    expect(denied.headers.get('access-control-allow-origin')).toBe(DASH);
    expect((await request(s.url, 'GET', '/openapi.json', { headers: { origin: DASH } })).headers.get('access-control-allow-origin')).toBe(DASH);
  });

  it('gives other origins no CORS headers (the browser then refuses), while the request itself is unchanged', async () => {
    const pre = await preflight(s.url, `${G}/action-items`, 'https://evil.example');
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    const r = await request(s.url, 'GET', `${G}/action-items`, { token, headers: { origin: 'https://evil.example' } });
    expect(r.status).toBe(200);
    expect(r.headers.get('access-control-allow-origin')).toBeNull();
    // A look-alike of an allowed origin is another origin.
    expect((await preflight(s.url, `${G}/action-items`, `${DASH}.evil.example`)).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('leaves /mcp to its own Origin check: no preflight, no CORS headers, a foreign Origin refused', async () => {
    const pre = await preflight(s.url, '/mcp', DASH);
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    expect(pre.status).not.toBe(204);
    const r = await request(s.url, 'POST', '/mcp', {
      token, headers: { origin: DASH, accept: 'application/json, text/event-stream' },
      body: { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'page', version: '1' } } },
    });
    expect(r.status).toBe(403);
    expect(r.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('sends no CORS headers at all by default', async () => {
    const plain = await startRestServer(database, {});
    try {
      const pre = await preflight(plain.url, `${G}/action-items`, DASH);
      expect(pre.headers.get('access-control-allow-origin')).toBeNull();
      expect(pre.status).toBe(404);
      const r = await request(plain.url, 'GET', `${G}/action-items`, { token, headers: { origin: DASH } });
      expect(r.status).toBe(200);
      expect(r.headers.get('access-control-allow-origin')).toBeNull();
    } finally { await plain.close(); }
  });

  it('allows any origin with *, and then never credentials', async () => {
    const open = await startRestServer(database, { TICKETBRIDGE_CORS_ORIGINS: '*' });
    try {
      const pre = await preflight(open.url, `${G}/action-items`, 'https://anywhere.example');
      expect(pre.status).toBe(204);
      expect(pre.headers.get('access-control-allow-origin')).toBe('*');
      expect(pre.headers.get('access-control-allow-credentials')).toBeNull();
      const r = await request(open.url, 'GET', `${G}/action-items`, { token, headers: { origin: 'https://anywhere.example' } });
      expect(r.headers.get('access-control-allow-origin')).toBe('*');
      expect(r.headers.get('access-control-allow-credentials')).toBeNull();
    } finally { await open.close(); }
  });

  it('refuses a setting that is not a list of origins, naming it', () => {
    for (const bad of ['https://dash.example.com/app', 'dash.example.com', 'ftp://files.example.com']) {
      expect(() => loadConfig({ TICKETBRIDGE_CORS_ORIGINS: bad })).toThrow(ConfigError);
      expect(() => loadConfig({ TICKETBRIDGE_CORS_ORIGINS: bad })).toThrow(/TICKETBRIDGE_CORS_ORIGINS/);
    }
    expect(loadConfig({ TICKETBRIDGE_CORS_ORIGINS: 'https://Dash.Example.com/, *' }).TICKETBRIDGE_CORS_ORIGINS).toEqual(['https://dash.example.com', '*']);
  });
});
