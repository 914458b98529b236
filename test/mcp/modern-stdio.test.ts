/**
 * `ticketbridge stdio` meeting a 2026-07-28 client: the built CLI spawned by the SDK v2 client
 * (@modelcontextprotocol/client 2.4.0, version negotiation "auto", which probes with server/discover
 * first). The same surface as 2025-11-25; subscriptions/listen hears a change made by another process
 * and refuses another guild's URI before acknowledging it.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import type { Database } from '../../src/db/connect.js';
import { createEngine, type Engine } from '../../src/engine/index.js';
import { clonePglite, clonePostgres, postgresAvailable, type TestDatabase } from '../support/databases.js';
import { seedGuild, staffActor, type SeededGuild } from '../support/fixtures.js';
import { OWNER, STAFF, resourceText, textOf, type ToolResult } from './helpers.js';
import { TASKS, TasksClient } from './tasks-client.js';

let testDb: TestDatabase;
let database: Database | undefined;
let engine: Engine | undefined;
let g: SeededGuild;
let other: SeededGuild;
let ticketId: string;
let scopedToken: string;
const clients: Client[] = [];

async function spawnModern(env: Record<string, string> = {}, client: Client = new Client({ name: 'modern-stdio-test', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } })): Promise<Client> {
  const transport = new StdioClientTransport({
    command: process.execPath, args: ['dist/cli.js', 'stdio'], stderr: 'ignore',
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...(testDb.url ? { DATABASE_URL: testDb.url } : { DATA_DIR: testDb.dataDir ?? '' }), ...env },
  });
  await client.connect(transport);
  clients.push(client);
  return client;
}

beforeAll(async () => {
  if (!existsSync('dist/cli.js')) throw new Error('dist/cli.js is missing: run "npx tsc -p tsconfig.build.json" (npm test builds first)');
  testDb = postgresAvailable() ? await clonePostgres() : await clonePglite();
  const db = await testDb.open();
  const e = createEngine(db);
  g = await seedGuild(db.db);
  other = await seedGuild(db.db);
  ticketId = (await e.tickets.create(staffActor(STAFF), { guild_id: g.guildId, user_id: OWNER, topic: 'Seeded' })).id;
  scopedToken = (await e.tokens.create({ name: 'scoped', user_id: STAFF, guild_ids: [g.guildId], abilities: ['*'] })).token;
  if (testDb.kind === 'pglite') await db.close(); // a PGlite directory belongs to one process: hand it to the child
  else { database = db; engine = e; }
});

afterAll(async () => {
  for (const c of clients) await c.close().catch(() => {});
  await database?.close();
  await testDb?.drop();
});

describe('MCP 2026-07-28 over stdio (SDK v2 client)', () => {
  it('negotiates 2026-07-28 and serves tools, resources, prompts and completions', async () => {
    const client = await spawnModern({ TICKETBRIDGE_TOKEN: scopedToken });
    expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(expect.arrayContaining(['get_ticket', 'create_ticket']));
    const got = await client.callTool({ name: 'get_ticket', arguments: { guild_id: g.guildId, ticket_id: ticketId } }) as ToolResult;
    expect(got.structuredContent).toMatchObject({ id: ticketId, topic: 'Seeded' });
    const bad = await client.callTool({ name: 'get_ticket', arguments: { guild_id: g.guildId } }) as ToolResult;
    expect(bad.isError).toBe(true);
    expect(textOf(bad)).toMatch(/ticket_id/);
    const read = await client.readResource({ uri: `ticketbridge://guilds/${g.guildId}/tickets/${ticketId}` });
    expect(JSON.parse(resourceText(read))).toMatchObject({ id: ticketId });
    expect((await client.listPrompts()).prompts.map((p) => p.name)).toEqual(['summarize_ticket', 'triage_open_tickets', 'draft_reply']);
    const completed = await client.complete({ ref: { type: 'ref/resource', uri: 'ticketbridge://guilds/{guild_id}/stats' }, argument: { name: 'guild_id', value: '' } });
    expect(completed.completion.values).toEqual([g.guildId]);
    const progress: number[] = [];
    await client.callTool({ name: 'get_guild_stats', arguments: { guild_id: g.guildId } }, { onprogress: (p) => progress.push(p.progress) });
    expect(progress.length).toBeGreaterThanOrEqual(1);
    await expect(client.listen({ resourceSubscriptions: [`ticketbridge://guilds/${other.guildId}/stats`] })).rejects.toThrow(/no access to guild/);
  }, 30_000);

  it.skipIf(!postgresAvailable())('subscriptions/listen hears a change made by another process (PostgreSQL)', async () => {
    const client = await spawnModern({ TICKETBRIDGE_TOKEN: scopedToken });
    const uri = `ticketbridge://guilds/${g.guildId}/tickets/${ticketId}`;
    const updated = new Promise<string>((resolve) => client.setNotificationHandler('notifications/resources/updated', (n) => { if (n.params.uri === uri) resolve(n.params.uri); }));
    const subscription = await client.listen({ resourceSubscriptions: [uri] });
    expect(subscription.honoredFilter.resourceSubscriptions).toEqual([uri]);
    await engine!.tickets.setPriority(staffActor(STAFF), { guild_id: g.guildId, ticket: { ticket_id: ticketId }, priority: 2 });
    expect(await updated).toBe(uri);
    await subscription.close();
  }, 30_000);

  it('a long tool answers a client declaring the Tasks extension with a task, polled to its result', async () => {
    const client = await spawnModern({ TICKETBRIDGE_TOKEN: scopedToken }, new TasksClient('stdio-tasks')) as TasksClient;
    expect(client.getServerCapabilities()?.extensions?.[TASKS]).toEqual({});
    const started = await client.start('save_transcript', { guild_id: g.guildId, ticket_id: ticketId });
    if (!('task' in started)) throw new Error(`expected a task, got ${JSON.stringify(started)}`);
    expect(started.task.status).toBe('working');
    const done = await client.settled(started.task.taskId);
    expect(done).toMatchObject({ status: 'completed', result: { structuredContent: { ticket: { id: ticketId } } } });
    expect((done.result?.structuredContent as { ticket: { transcript_saved_at: string | null } }).ticket.transcript_saved_at).not.toBeNull();
  }, 30_000);
});
