/**
 * The Tasks extension over Streamable HTTP, 2026-07-28, through the real HTTP server with Discord
 * (the sandbox through discord.js) and the SDK v2 client declaring the extension: the long tools
 * answer with a task that is polled to its result, a cancel stops a sweep mid-flight (nothing is
 * recorded, the messages are still there for the next sweep), refusals and foreign tokens, and
 * clients without the extension get today's synchronous answer and -32021 on tasks/*.
 */
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, ProtocolError, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { z } from 'zod';
import { loadConfig } from '../../src/config.js';
import type { Database } from '../../src/db/connect.js';
import type { AppDeps } from '../../src/deps.js';
import { buildHttpServer } from '../../src/http.js';
import { clonePglite, clonePostgres, postgresAvailable, type TestDatabase } from '../support/databases.js';
import { eventually, useDiscord } from '../discord/harness.js';
import { TASKS, TasksClient } from './tasks-client.js';
import type { ToolResult } from './helpers.js';

let testDb: TestDatabase;
let database: Database;
let http: FastifyInstance;
let url: string;
let token: string;
let otherToken: string;
const clients: Client[] = [];

beforeAll(async () => {
  testDb = postgresAvailable() ? await clonePostgres() : await clonePglite();
  database = await testDb.open();
});
const h = useDiscord(() => database);
beforeAll(async () => {
  const { engine, sandbox } = h();
  const guild = sandbox.demo.guildId;
  token = (await engine.tokens.create({ name: 'agent', user_id: sandbox.demo.staffUserId, guild_ids: [guild], abilities: ['*'] })).token;
  otherToken = (await engine.tokens.create({ name: 'other', user_id: sandbox.demo.staffUserId, guild_ids: [guild], abilities: ['*'] })).token;
  const deps: AppDeps = {
    config: loadConfig({ TICKETBRIDGE_TASK_HEARTBEAT_MS: '100', TICKETBRIDGE_TASK_LEASE_MS: '1000' }), logger: pino({ level: 'silent' }),
    database, engine, discord: () => ({ mode: 'sandbox', ready: true }),
  };
  http = await buildHttpServer(deps);
  url = await http.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  for (const c of clients) await c.close().catch(() => {});
  await http?.close();
});
afterAll(async () => {
  await database?.close();
  await testDb?.drop();
});

async function connect<C extends Client>(client: C, auth = token): Promise<C> {
  await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${auth}`, 'x-mcp-toolsets': 'tickets,transcripts,guild,admin,action_items' } } }));
  clients.push(client);
  return client;
}
/** A cancel is an acknowledgement only: no task fields (the SDK adds its serverInfo _meta). */
const ackFields = (ack: Record<string, unknown>) => Object.keys(ack).filter((k) => k !== '_meta');
const plainClient = () => connect(new Client({ name: 'no-tasks', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } }));

describe('MCP Tasks extension over HTTP (2026-07-28)', () => {
  it('advertises the extension, answers a long tool with a task at once, and serves its result from the row', async () => {
    const client = await connect(new TasksClient());
    expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
    expect(client.getServerCapabilities()?.extensions?.[TASKS]).toEqual({});
    const guild_id = h().sandbox.demo.guildId;
    const started = await client.start('export_guild_config', { guild_id });
    if (!('task' in started)) throw new Error(`expected a task, got ${JSON.stringify(started)}`);
    const { task } = started;
    expect(task).toMatchObject({ resultType: 'task', status: 'working', ttlMs: null });
    expect(task.taskId).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(task.pollIntervalMs).toBeGreaterThan(0);
    expect(Object.keys(task)).not.toContain('result');
    const done = await client.settled(task.taskId);
    expect(done.status).toBe('completed');
    expect(done.result?.isError).toBeFalsy();
    expect(done.result?.structuredContent).toMatchObject({ format: 'ticketbridge.guild_config', guild_id });
    // Kept at least an hour after it finished.
    expect(Date.parse(done.createdAt) + (done.ttlMs ?? 0)).toBeGreaterThanOrEqual(Date.parse(done.lastUpdatedAt) + 3_600_000);
    // Polling again reads the same finished task; cancelling it now is acknowledged and changes nothing.
    expect(ackFields(await client.cancelTask(task.taskId))).toEqual([]);
    expect((await client.getTask(task.taskId)).status).toBe('completed');
  });

  it("an operation's own refusal completes the task with a tool error; bad input is refused at once, naming the field", async () => {
    const client = await connect(new TasksClient());
    const guild_id = h().sandbox.demo.guildId;
    const refused = await client.start('save_transcript', { guild_id, ticket_id: '1000000000000000001' });
    if (!('task' in refused)) throw new Error('expected a task');
    const done = await client.settled(refused.task.taskId);
    expect(done).toMatchObject({ status: 'completed', result: { isError: true } });
    expect(done.result?.content[0]?.text).toMatch(/ticket/i);
    const bad = await client.start('import_guild_config', { guild_id, config: { groups: 'none' } });
    if (!('result' in bad)) throw new Error('bad input must not create a task');
    expect(bad.result.isError).toBe(true);
    expect(bad.result.content[0]?.text).toContain('config.groups');
  });

  it("another token's poll or cancel finds no such task", async () => {
    const mine = await connect(new TasksClient());
    const started = await mine.start('export_guild_config', { guild_id: h().sandbox.demo.guildId });
    if (!('task' in started)) throw new Error('expected a task');
    const theirs = await connect(new TasksClient('intruder'), otherToken);
    await expect(theirs.getTask(started.task.taskId)).rejects.toMatchObject({ code: -32602 });
    await expect(theirs.cancelTask(started.task.taskId)).rejects.toMatchObject({ code: -32602 });
    await expect(mine.getTask('no-such-task')).rejects.toMatchObject({ code: -32602 });
    expect((await mine.settled(started.task.taskId)).status).toBe('completed');
  });

  it('a client without the extension gets the result directly, and -32021 from tasks/*', async () => {
    const client = await plainClient();
    const out = await client.callTool({ name: 'export_guild_config', arguments: { guild_id: h().sandbox.demo.guildId } }) as ToolResult;
    expect(out.isError).toBeFalsy();
    expect(out.structuredContent).toMatchObject({ format: 'ticketbridge.guild_config' });
    const err = await client.request({ method: 'tasks/get', params: { taskId: 'x' } }, z.looseObject({})).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(ProtocolError);
    expect(err).toMatchObject({ code: -32021, data: { requiredCapabilities: { extensions: { [TASKS]: {} } } } });
  });

  it('cancelling a sweep that waits on Discord stops it: nothing is recorded and the messages wait for the next sweep', async () => {
    const { sandbox } = h();
    const d = sandbox.demo;
    const client = await connect(new TasksClient());
    const plain = await plainClient();
    const call = async (name: string, args: Record<string, unknown>) => await plain.callTool({ name, arguments: args }) as ToolResult;
    await call('update_monitor_config', { guild_id: d.guildId, channels_to_monitor: [d.generalChannelId] });
    sandbox.actMessage({ user_id: d.customerUserId, channel_id: d.generalChannelId, content: 'TODO: renew the certificate' });
    const before = (await call('list_action_items', { guild_id: d.guildId })).structuredContent?.['total'];
    // Discord holds the sweep's channel read for a minute: the sweep is in flight when it is cancelled.
    sandbox.addFault({ route: '/channels/:id/messages', method: 'GET', delay_ms: 60_000 });
    const started = await client.start('trigger_sweep', { guild_id: d.guildId, force: true });
    if (!('task' in started)) throw new Error(`expected a task, got ${JSON.stringify(started)}`);
    await eventually(() => expect(sandbox.faults()).toEqual([]));
    expect((await client.getTask(started.task.taskId)).status).toBe('working');
    expect(ackFields(await client.cancelTask(started.task.taskId))).toEqual([]);
    const ended = await client.settled(started.task.taskId);
    expect(ended.status).toBe('cancelled');
    expect(ended.statusMessage).toMatch(/cancelled/);
    // What a user sees: no action item, the sweep listed as failed, and the message still unread.
    expect((await call('list_action_items', { guild_id: d.guildId })).structuredContent?.['total']).toBe(before);
    const sweeps = (await call('list_sweeps', { guild_id: d.guildId, limit: 1 })).structuredContent?.['sweeps'] as Array<Record<string, unknown>>;
    expect(sweeps[0]).toMatchObject({ status: 'failed' });
    sandbox.clearFaults();
    const again = await call('trigger_sweep', { guild_id: d.guildId, force: true });
    expect(again.structuredContent).toMatchObject({ status: 'completed', action_items_found: 1 });
  });
});
