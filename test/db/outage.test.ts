/**
 * A real `ticketbridge serve` process whose PostgreSQL connections drop, as in a database restart:
 * every connection (pooled clients checked out mid-transaction, idle ones, the LISTEN connections of
 * the outbox and the change feed) is reset by a proxy we control, and new ones are refused until it
 * resumes. The process must stay up, answer 503 in each face's own shape while the database is
 * gone, and recover by itself: requests succeed, both LISTEN connections return, caches and MCP
 * subscribers are told they may have missed changes. The shared PostgreSQL server is never stopped.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { DEMO } from '../../src/sandbox/demo.js';
import { clonePostgres, postgresAvailable, type TestDatabase } from '../support/databases.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

const TOKEN = 'outage-test-admin-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

describe.skipIf(!postgresAvailable())('a dropped database connection [postgres]', () => {
  let test: TestDatabase;
  let proxy: TcpProxy;
  let child: ChildProcessWithoutNullStreams;
  let url: string;
  let stderr = '';
  let exited: number | string | null = null;
  let mcp: Client;
  const updates: string[] = [];

  /** This database's own sessions, read directly (not through the proxy). */
  async function sessions(): Promise<string[]> {
    const c = new pg.Client({ connectionString: test.url! });
    await c.connect();
    try {
      const name = new URL(test.url!).pathname.slice(1);
      const r = await c.query<{ application_name: string }>('SELECT application_name FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
      return r.rows.map((x) => x.application_name);
    } finally { await c.end(); }
  }
  const listening = async () => {
    const names = await sessions();
    return { feed: names.some((n) => n.endsWith('-feed')), outbox: names.some((n) => n.endsWith('-outbox')) };
  };
  async function until<T>(what: string, probe: () => Promise<T | false>, timeoutMs: number): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await probe().catch(() => false as const);
      if (v !== false) return v;
      if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms\n${stderr.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const call = (path: string, body?: unknown, method = body === undefined ? 'GET' : 'POST') =>
    fetch(`${url}${path}`, { method, headers: auth, ...(body === undefined ? {} : { body: JSON.stringify(body) }) })
      .then(async (r) => ({ status: r.status, body: await r.json() as Record<string, unknown> }));
  const create = (topic: string) => call('/api/ticketbridge/v1/create_ticket', { guild_id: DEMO.guildId, user_id: DEMO.memberUserId, topic });

  beforeAll(async () => {
    test = await clonePostgres();
    const target = new URL(test.url!);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const viaProxy = new URL(test.url!);
    viaProxy.port = String(proxy.port);
    const env: NodeJS.ProcessEnv = {
      ...process.env, DATABASE_URL: viaProxy.toString(), PORT: '0', DATA_DIR: mkdtempSync(join(tmpdir(), 'tb-outage-')),
      LOG_LEVEL: 'info', TICKETBRIDGE_ADMIN_TOKEN: TOKEN, TICKETBRIDGE_READ_CACHE_MS: '0',
    };
    delete env['DISCORD_TOKEN'];
    child = spawn(process.execPath, [resolve('dist/cli.js'), 'serve'], { env });
    child.on('exit', (code, signal) => { exited = code ?? signal; });
    url = await new Promise<string>((res, rej) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        const m = /ticketbridge listening on (\S+)/.exec(stderr) ?? /"address":"(http:[^"]+)"/.exec(stderr);
        if (m?.[1]) res(m[1]);
      });
      child.once('exit', (code) => rej(new Error(`serve exited with ${code}: ${stderr}`)));
    });
    await until('both LISTEN connections', async () => { const l = await listening(); return l.feed && l.outbox ? l : false; }, 10_000);
    mcp = new Client({ name: 'outage-test', version: '1.0.0' });
    await mcp.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${TOKEN}` } } }));
    mcp.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => { updates.push(n.params.uri); });
  }, 90_000);

  afterAll(async () => {
    await mcp?.close().catch(() => {});
    await proxy?.resume().catch(() => {});
    if (child && exited === null) {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await gone;
    }
    await proxy?.close();
    await test?.drop();
  });

  it('keeps running through a drop under load, answers 503 in each face\'s shape, and recovers by itself', async () => {
    // The demo guild is synced from the sandbox just after the server starts listening.
    const first = await until('the demo guild synced', async () => { const r = await create('before the drop'); return r.status === 200 ? r : false; }, 20_000);
    const ticketId = String(first.body['id']);
    const uri = `ticketbridge://guilds/${DEMO.guildId}/tickets/${ticketId}`;
    await mcp.subscribeResource({ uri });

    // Creates in flight when every connection resets: clients checked out mid-transaction included.
    const inFlight = Array.from({ length: 24 }, (_, i) => create(`in flight ${i}`));
    await new Promise((r) => setTimeout(r, 15));
    await proxy.cut();
    const answers = await Promise.all(inFlight);
    for (const a of answers) {
      expect([200, 503], JSON.stringify(a.body)).toContain(a.status);
      if (a.status === 503) expect(a.body).toMatchObject({ error: { code: 'unavailable', message: expect.stringMatching(/database is unavailable/) } });
    }
    const acknowledged = answers.filter((a) => a.status === 200).map((a) => String(a.body['id']));

    // While it is gone: every face says so, in its own shape.
    const native = await call('/api/ticketbridge/v1/get_ticket', { guild_id: DEMO.guildId, ticket_id: ticketId });
    expect(native.status, JSON.stringify(native.body)).toBe(503);
    expect(native.body).toMatchObject({ error: { code: 'unavailable', message: expect.stringMatching(/database is unavailable/) } });
    const ticketeer = await call(`/api/v1/guild/${DEMO.guildId}/ticket/${ticketId}`);
    expect(ticketeer.status).toBe(503);
    expect(ticketeer.body).toMatchObject({ success: false, status: 503, message: expect.stringMatching(/database is unavailable/) });
    const tool = await mcp.callTool({ name: 'get_ticket', arguments: { guild_id: DEMO.guildId, ticket_id: ticketId } });
    expect(tool.isError).toBe(true);
    expect(JSON.stringify(tool.content)).toMatch(/database is unavailable/);
    const health = await call('/healthz');
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ database: { ok: false } });
    expect(exited).toBeNull();

    // Back: requests work again and both LISTEN connections return, without a restart.
    updates.length = 0;
    await proxy.resume();
    const backAt = Date.now();
    await until('healthz ok', async () => ((await call('/healthz')).status === 200 ? true : false), 5_000);
    const after = await create('after the drop');
    expect(after.status).toBe(200);
    await until('LISTEN re-established', async () => { const l = await listening(); return l.feed && l.outbox ? l : false; }, 5_000);
    expect(Date.now() - backAt).toBeLessThan(5_000);
    // The change feed missed whatever happened meanwhile: the subscriber is told its ticket may have moved.
    await until('resource update after reconnect', async () => (updates.includes(uri) ? true : false), 5_000);

    // Nothing acknowledged was lost.
    for (const id of acknowledged) {
      const got = await call('/api/ticketbridge/v1/get_ticket', { guild_id: DEMO.guildId, ticket_id: id });
      expect(got.status, id).toBe(200);
    }
    expect(exited).toBeNull();
    expect(stderr).not.toMatch(/Unhandled|uncaught/i);
  }, 60_000);

  it('survives its sessions being terminated by the server (pg_terminate_backend) while busy', async () => {
    const name = new URL(test.url!).pathname.slice(1);
    const admin = new pg.Client({ connectionString: test.url! });
    await admin.connect();
    try {
      const busy = Array.from({ length: 16 }, (_, i) => create(`terminated ${i}`));
      await new Promise((r) => setTimeout(r, 10));
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
      const answers = await Promise.all(busy);
      for (const a of answers) expect([200, 503], JSON.stringify(a.body)).toContain(a.status);
      for (const a of answers.filter((x) => x.status === 200)) {
        expect((await call('/api/ticketbridge/v1/get_ticket', { guild_id: DEMO.guildId, ticket_id: String(a.body["id"]) })).status).toBe(200);
      }
    } finally { await admin.end(); }
    const afterTermination = await create('after termination');
    expect(afterTermination.status, JSON.stringify(afterTermination.body) + stderr.slice(-3000)).toBe(200);
    await until('LISTEN re-established', async () => { const l = await listening(); return l.feed && l.outbox ? l : false; }, 5_000);
    expect(exited).toBeNull();
  }, 60_000);
});
