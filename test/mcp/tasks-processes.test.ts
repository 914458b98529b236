/**
 * Tasks across real `ticketbridge serve` processes on one PostgreSQL and one Discord sandbox: a
 * cancel sent to B stops a sweep running on A (A reads the cancel on its heartbeat), and a task whose
 * process is killed with SIGKILL ends failed, with the reason, when polled on the survivor. The task
 * heartbeat and lease are set short (100 ms / 1 s) so this is quick; nothing here is timed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { Database } from '../../src/db/connect.js';
import { createEngine } from '../../src/engine/index.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { clonePostgres, postgresAvailable, type TestDatabase } from '../support/databases.js';
import { serveProcess, type ServeProcess } from '../support/two-processes.js';
import { eventually, quietLogger } from '../discord/harness.js';
import { TasksClient } from './tasks-client.js';
import type { ToolResult } from './helpers.js';

const FAST = { TICKETBRIDGE_TASK_HEARTBEAT_MS: '100', TICKETBRIDGE_TASK_LEASE_MS: '1000' };

describe.skipIf(!postgresAvailable())('MCP tasks across serve processes [postgres]', () => {
  let test: TestDatabase;
  let database: Database;
  let sandbox: Sandbox;
  let a: ServeProcess;
  let b: ServeProcess;
  let token: string;
  const clients: Client[] = [];

  beforeAll(async () => {
    test = await clonePostgres();
    database = await test.open();
    sandbox = await startSandbox({ rateLimits: false, logger: quietLogger });
    token = (await createEngine(database).tokens.create({ name: 'agent', user_id: sandbox.demo.staffUserId, abilities: ['*'] })).token;
    [a, b] = await Promise.all([serveProcess(test.url!, sandbox, FAST), serveProcess(test.url!, sandbox, FAST)]);
  });
  afterAll(async () => {
    for (const c of clients) await c.close().catch(() => {});
    await Promise.all([a?.stop(), b?.stop()]);
    await sandbox?.close();
    await database?.close();
    await test?.drop();
  });

  async function connect<C extends Client>(client: C, target: ServeProcess): Promise<C> {
    await client.connect(new StreamableHTTPClientTransport(new URL(`${target.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${token}`, 'x-mcp-toolsets': 'action_items' } } }));
    clients.push(client);
    return client;
  }

  /** A sweep started on A that waits on Discord (its channel read is held) when this returns. */
  async function sweepWaitingOnA(onA: TasksClient, plainB: Client): Promise<string> {
    const d = sandbox.demo;
    const call = async (name: string, args: Record<string, unknown>) => await plainB.callTool({ name, arguments: args }) as ToolResult;
    // The guild is known once a process has synced it from the sandbox.
    await eventually(async () => expect((await call('update_monitor_config', { guild_id: d.guildId, channels_to_monitor: [d.generalChannelId] })).isError).toBeFalsy(), 30_000);
    sandbox.addFault({ route: '/channels/:id/messages', method: 'GET', delay_ms: 600_000 });
    const started = await onA.start('trigger_sweep', { guild_id: d.guildId, force: true });
    if (!('task' in started)) throw new Error(`expected a task, got ${JSON.stringify(started)}`);
    await eventually(() => expect(sandbox.faults()).toEqual([]));
    return started.task.taskId;
  }

  it('a cancel sent to B stops the sweep running on A: nothing is recorded', async () => {
    const d = sandbox.demo;
    sandbox.actMessage({ user_id: d.customerUserId, channel_id: d.generalChannelId, content: 'TODO: rotate the keys' });
    const onA = await connect(new TasksClient('on-a'), a);
    const onB = await connect(new TasksClient('on-b'), b);
    const plainB = await connect(new Client({ name: 'plain-b', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } }), b);
    const taskId = await sweepWaitingOnA(onA, plainB);
    expect((await onB.getTask(taskId)).status).toBe('working');
    await onB.cancelTask(taskId);
    const ended = await onB.settled(taskId);
    expect(ended.status).toBe('cancelled');
    const items = await plainB.callTool({ name: 'list_action_items', arguments: { guild_id: d.guildId } }) as ToolResult;
    expect(items.structuredContent?.['total']).toBe(0);
    const sweeps = await plainB.callTool({ name: 'list_sweeps', arguments: { guild_id: d.guildId, limit: 1 } }) as ToolResult;
    expect((sweeps.structuredContent?.['sweeps'] as Array<Record<string, unknown>>)[0]).toMatchObject({ status: 'failed' });
  });

  it('a task whose process is killed (-9) ends failed, with the reason, on the surviving process', async () => {
    sandbox.clearFaults();
    const onA = await connect(new TasksClient('doomed'), a);
    const onB = await connect(new TasksClient('survivor'), b);
    const plainB = await connect(new Client({ name: 'plain-b2', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } }), b);
    const taskId = await sweepWaitingOnA(onA, plainB);
    const exited = new Promise((r) => a.child.once('exit', r));
    a.child.kill('SIGKILL');
    await exited;
    const ended = await onB.settled(taskId);
    expect(ended.status).toBe('failed');
    expect(ended.error).toMatchObject({ code: -32603, message: expect.stringMatching(/process running this task stopped/) });
    expect(ended.statusMessage).toMatch(/process running this task stopped/);
  });
});
