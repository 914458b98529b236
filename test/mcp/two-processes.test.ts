/**
 * Stateless for real: two ticketbridge "processes" (two HTTP servers, each with its own engine and
 * pool) on one PostgreSQL serve one 2026-07-28 client whose requests alternate between them, round
 * robin, as behind a load balancer without sticky routing. A subscriptions/listen stream on A hears a
 * change made through B (the change feed carries it). A task created on A is polled to its result on B.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { loadConfig } from '../../src/config.js';
import type { AppDeps } from '../../src/deps.js';
import { buildHttpServer } from '../../src/http.js';
import { postgresAvailable } from '../support/databases.js';
import { seedGuild, type SeededGuild } from '../support/fixtures.js';
import { twoProcesses, type TwoProcesses } from '../support/two-processes.js';
import { OWNER, STAFF, resourceText, type ToolResult } from './helpers.js';
import { TasksClient } from './tasks-client.js';

describe.skipIf(!postgresAvailable())('MCP 2026-07-28 across two processes on one PostgreSQL (round robin)', () => {
  let two: TwoProcesses;
  let httpA: FastifyInstance;
  let httpB: FastifyInstance;
  let urlA: string;
  let urlB: string;
  let g: SeededGuild;
  let token: string;
  const hits = { a: 0, b: 0 };

  beforeAll(async () => {
    two = await twoProcesses();
    g = await seedGuild(two.a.db);
    token = (await two.ea.tokens.create({ name: 'agent', user_id: STAFF, guild_ids: [g.guildId], abilities: ['*'] })).token;
    const deps = (database: TwoProcesses['a'], engine: TwoProcesses['ea']): AppDeps => ({ config: loadConfig({}), logger: pino({ level: 'silent' }), database, engine, discord: () => ({ mode: 'off', ready: false }) });
    httpA = await buildHttpServer(deps(two.a, two.ea));
    httpB = await buildHttpServer(deps(two.b, two.eb));
    urlA = await httpA.listen({ host: '127.0.0.1', port: 0 });
    urlB = await httpB.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await httpA?.close();
    await httpB?.close();
    await two?.close();
  });

  /** A client whose every request goes to the next process in turn. */
  async function roundRobin(): Promise<Client> {
    let next = 0;
    const fetchRR: typeof fetch = (input, init) => {
      const target = next++ % 2 === 0 ? urlA : urlB;
      if (target === urlA) hits.a++; else hits.b++;
      const u = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
      return fetch(`${target}${u.pathname}`, init);
    };
    const client = new Client({ name: 'rr', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${urlA}/mcp`), { fetch: fetchRR, requestInit: { headers: { authorization: `Bearer ${token}` } } }));
    return client;
  }

  it('lists, calls and reads with requests alternating between the processes', async () => {
    const client = await roundRobin();
    expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toContain('create_ticket');
    const created = await client.callTool({ name: 'create_ticket', arguments: { guild_id: g.guildId, user_id: OWNER, topic: 'Round robin' } }) as ToolResult;
    const id = (created.structuredContent as { id: string }).id;
    // Written through one process, read through the other, several times over.
    for (let i = 0; i < 4; i++) {
      const got = await client.callTool({ name: 'get_ticket', arguments: { guild_id: g.guildId, ticket_id: id } }) as ToolResult;
      expect(got.structuredContent).toMatchObject({ id, topic: 'Round robin' });
    }
    const read = await client.readResource({ uri: `ticketbridge://guilds/${g.guildId}/tickets/${id}` });
    expect(JSON.parse(resourceText(read))).toMatchObject({ id });
    expect(hits.a).toBeGreaterThan(2);
    expect(hits.b).toBeGreaterThan(2);
    await client.close();
  });

  it('a listen stream on A hears a change made through B', async () => {
    const created = await two.eb.tickets.create({ userId: STAFF, tokenId: null, abilities: 'all', guilds: null, asBot: false }, { guild_id: g.guildId, user_id: OWNER, topic: 'Heard' });
    const uri = `ticketbridge://guilds/${g.guildId}/tickets/${created.id}`;
    const listener = new Client({ name: 'listener', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
    await listener.connect(new StreamableHTTPClientTransport(new URL(`${urlA}/mcp`), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
    const heard = new Promise<string>((resolve) => listener.setNotificationHandler('notifications/resources/updated', (n) => { if (n.params.uri === uri) resolve(n.params.uri); }));
    const subscription = await listener.listen({ resourceSubscriptions: [uri] });
    // The change goes through B's MCP face.
    const writer = new Client({ name: 'writer', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
    await writer.connect(new StreamableHTTPClientTransport(new URL(`${urlB}/mcp`), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
    const changed = await writer.callTool({ name: 'set_ticket_priority', arguments: { guild_id: g.guildId, ticket_id: created.id, priority: 1 } }) as ToolResult;
    expect(changed.isError).toBeFalsy();
    expect(await heard).toBe(uri);
    await subscription.close();
    await listener.close();
    await writer.close();
  });

  it('a task created on A is polled to its result on B', async () => {
    const onA = new TasksClient('task-on-a');
    await onA.connect(new StreamableHTTPClientTransport(new URL(`${urlA}/mcp`), { requestInit: { headers: { authorization: `Bearer ${token}`, 'x-mcp-toolsets': 'admin' } } }));
    const onB = new TasksClient('task-on-b');
    await onB.connect(new StreamableHTTPClientTransport(new URL(`${urlB}/mcp`), { requestInit: { headers: { authorization: `Bearer ${token}`, 'x-mcp-toolsets': 'admin' } } }));
    const started = await onA.start('export_guild_config', { guild_id: g.guildId });
    if (!('task' in started)) throw new Error(`expected a task, got ${JSON.stringify(started)}`);
    const done = await onB.settled(started.task.taskId);
    expect(done).toMatchObject({ taskId: started.task.taskId, status: 'completed', result: { structuredContent: { format: 'ticketbridge.guild_config', guild_id: g.guildId } } });
    await onA.close();
    await onB.close();
  });
});
