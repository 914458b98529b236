/**
 * `ticketbridge stdio` as an MCP client meets it: the built CLI spawned with the SDK's stdio client
 * transport, over this file's own database (PostgreSQL when available, so the test can seed and
 * change data while the server runs; otherwise a PGlite copy handed over to the child).
 * The guild here is seeded in the database, not in any Discord, so the server runs `--no-discord`
 * (MCP only); stdio driving Discord is test/cli/stdio-discord.test.ts.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { LoggingMessageNotificationSchema, ResourceUpdatedNotificationSchema, type JSONRPCMessage, type Progress } from '@modelcontextprotocol/sdk/types.js';
import type { Database } from '../../src/db/connect.js';
import { createEngine, type Engine } from '../../src/engine/index.js';
import { clonePglite, clonePostgres, postgresAvailable, type TestDatabase } from '../support/databases.js';
import { seedGuild, staffActor, type SeededGuild } from '../support/fixtures.js';
import { discordMessage, giveChannel, OWNER, STAFF, resourceText, textOf, type ToolResult } from './helpers.js';

let testDb: TestDatabase;
let database: Database | undefined;
let engine: Engine | undefined;
let g: SeededGuild;
let seededTicket: { id: string; channelId: string };
let staffToken: string;
let stderr = '';
const clients: Client[] = [];
/** What each client's transport received, in order. */
const wire = new WeakMap<Client, JSONRPCMessage[]>();

async function spawnClient(args: string[] = [], env: Record<string, string> = {}): Promise<Client> {
  const transport = new StdioClientTransport({
    command: process.execPath, args: ['dist/cli.js', 'stdio', '--no-discord', ...args], stderr: 'pipe',
    env: {
      PATH: process.env.PATH ?? '', LOG_LEVEL: 'info',
      ...(testDb.url ? { DATABASE_URL: testDb.url } : { DATA_DIR: testDb.dataDir ?? '' }),
      ...env,
    },
  });
  transport.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
  const client = new Client({ name: 'stdio-test', version: '1.0.0' });
  await client.connect(transport);
  // Every message as it arrives, before the Client handles it.
  const log: JSONRPCMessage[] = [];
  const deliver = transport.onmessage;
  transport.onmessage = (message: JSONRPCMessage) => { log.push(message); deliver?.(message); };
  wire.set(client, log);
  clients.push(client);
  return client;
}

beforeAll(async () => {
  if (!existsSync('dist/cli.js')) throw new Error('dist/cli.js is missing: run "npx tsc -p tsconfig.build.json" (npm test builds first)');
  testDb = postgresAvailable() ? await clonePostgres() : await clonePglite();
  const db = await testDb.open();
  const e = createEngine(db);
  g = await seedGuild(db.db);
  const t = await e.tickets.create(staffActor(STAFF), { guild_id: g.guildId, user_id: OWNER, topic: 'Seeded' });
  const channelId = await giveChannel(db.db, t.id);
  await discordMessage(e, g.guildId, channelId, { id: OWNER, name: 'Olive Owner' }, 'Hello from Discord');
  seededTicket = { id: t.id, channelId };
  staffToken = (await e.tokens.create({ name: 'staff', user_id: STAFF, guild_ids: null, abilities: ['*'] })).token;
  if (testDb.kind === 'pglite') await db.close(); // a PGlite directory belongs to one process: hand it to the child
  else { database = db; engine = e; }
});

afterAll(async () => {
  for (const c of clients) await c.close().catch(() => {});
  await database?.close();
  await testDb?.drop();
});

describe('MCP over stdio (built CLI)', () => {
  it('serves the default tools, the ticket flow, resources, prompts, progress and isError, with logs only on stderr', async () => {
    const client = await spawnClient([], { TICKETBRIDGE_TOKEN: staffToken });
    const logs: string[] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => { logs.push(String(n.params.data)); });
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['create_ticket', 'claim_ticket', 'close_ticket', 'get_transcript']));

    const created = await client.callTool({ name: 'create_ticket', arguments: { guild_id: g.guildId, user_id: OWNER, topic: 'Over stdio' } }) as ToolResult;
    const id = (created.structuredContent as { id: string }).id;
    const claimed = await client.callTool({ name: 'claim_ticket', arguments: { guild_id: g.guildId, ticket_id: id } }) as ToolResult;
    expect(claimed.structuredContent).toMatchObject({ assigned_id: STAFF });
    const closed = await client.callTool({ name: 'close_ticket', arguments: { guild_id: g.guildId, ticket_id: id, reason: 'Done' } }) as ToolResult;
    expect(closed.structuredContent).toMatchObject({ status: 'closed' });

    const transcript = await client.callTool({ name: 'get_transcript', arguments: { guild_id: g.guildId, ticket_id: seededTicket.id } }) as ToolResult;
    expect(JSON.stringify(transcript.structuredContent)).toContain('Hello from Discord');
    const md = await client.readResource({ uri: `ticketbridge://guilds/${g.guildId}/tickets/${seededTicket.id}/transcript` });
    expect(resourceText(md)).toMatch(/Olive Owner \(owner\): Hello from Discord/);
    const prompt = await client.getPrompt({ name: 'summarize_ticket', arguments: { guild_id: g.guildId, ticket_id: seededTicket.id } });
    expect(JSON.stringify(prompt.messages)).toContain('Hello from Discord');

    const progress: Progress[] = [];
    const received = wire.get(client)!;
    const from = received.length;
    const saved = await client.callTool({ name: 'save_transcript', arguments: { guild_id: g.guildId, ticket_id: seededTicket.id } }, undefined, { onprogress: (p) => progress.push(p) }) as ToolResult;
    expect(saved.isError, textOf(saved)).toBeFalsy();
    // The server sends its progress before its answer. Counted as they arrive: SDK v1's Client hands
    // a notification to its handler a microtask late, so one that reaches it in the same read as the
    // answer finds the request's progress callback already gone (under load, onprogress sees fewer).
    const exchange = received.slice(from);
    const answerAt = exchange.findIndex((m) => 'result' in m);
    const notified = exchange.slice(0, answerAt).filter((m) => 'method' in m && m.method === 'notifications/progress');
    expect(answerAt).toBeGreaterThan(0);
    expect(notified.length).toBeGreaterThanOrEqual(2);
    expect(progress.length).toBeLessThanOrEqual(notified.length);

    const bad = await client.callTool({ name: 'set_ticket_priority', arguments: { guild_id: g.guildId, ticket_id: seededTicket.id, priority: 'high' } }) as ToolResult;
    expect(bad.isError).toBe(true);
    expect(textOf(bad)).toMatch(/priority/);
    expect(stderr).toMatch(/MCP stdio server ready/);
    expect(logs).toEqual([]);
  });

  it('honours --read-only and --tools, and TICKETBRIDGE_TOKEN limits what it may touch', async () => {
    const ro = await spawnClient(['--toolsets', 'all', '--read-only']);
    const { tools } = await ro.listTools();
    expect(tools.every((t) => t.annotations?.readOnlyHint === true)).toBe(true);
    const refused = await ro.callTool({ name: 'close_ticket', arguments: { guild_id: g.guildId, ticket_id: seededTicket.id } }) as ToolResult;
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toMatch(/read-only/);
    await ro.close();

    const picked = await spawnClient(['--toolsets', 'guild', '--tools', 'get_ticket']);
    expect((await picked.listTools()).tools.map((t) => t.name)).toContain('get_ticket');
    await picked.close();
  });

  it('answers lines that are not JSON-RPC (or too long) with JSON-RPC errors, and reads messages split across or packed into chunks', async () => {
    const child = spawn(process.execPath, ['dist/cli.js', 'stdio', '--no-discord'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...(testDb.url ? { DATABASE_URL: testDb.url } : { DATA_DIR: testDb.dataDir ?? '' }) },
    });
    const lines: Array<Record<string, unknown>> = [];
    const waiters: Array<() => void> = [];
    let rest = '';
    child.stdout.on('data', (d: Buffer) => {
      rest += d.toString();
      for (let nl = rest.indexOf('\n'); nl !== -1; nl = rest.indexOf('\n')) {
        lines.push(JSON.parse(rest.slice(0, nl)) as Record<string, unknown>);
        rest = rest.slice(nl + 1);
        waiters.splice(0).forEach((w) => w());
      }
    });
    const next = async (): Promise<Record<string, unknown>> => {
      while (lines.length === 0) await new Promise<void>((resolve) => waiters.push(resolve));
      return lines.shift()!;
    };
    try {
      child.stdin.write('this is not json\n');
      expect(await next()).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32700 } });
      child.stdin.write('[1, 2]\n{"id": 3, "method": "ping"}\n');
      expect(await next()).toMatchObject({ id: null, error: { code: -32600, message: expect.stringMatching(/"jsonrpc": "2.0"/) } });
      expect(await next()).toMatchObject({ id: null, error: { code: -32600 } });
      // initialize split in two writes, ending in CRLF; then a notification and a call in one write.
      const init = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1.0.0' } } });
      child.stdin.write(init.slice(0, 40));
      child.stdin.write(`${init.slice(40)}\r\n`);
      expect(await next()).toMatchObject({ id: 1, result: { protocolVersion: '2025-11-25', serverInfo: { name: 'ticketbridge' } } });
      child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n${JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'get_ticket', arguments: { guild_id: g.guildId, ticket_id: seededTicket.id } } })}\n`);
      expect(await next()).toMatchObject({ id: 2, result: { structuredContent: { id: seededTicket.id, topic: 'Seeded' } } });
      // A malformed call: a sentence with "invalid params", or the tool's own input error for bad arguments.
      child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: {} })}\n`);
      expect(await next()).toMatchObject({ id: 3, error: { code: -32602, message: expect.stringMatching(/tools\/call needs params\.name/) } });
      child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'get_ticket', arguments: 'ticket 1' } })}\n`);
      expect(await next()).toMatchObject({ id: 4, result: { isError: true, content: [{ text: expect.stringMatching(/"arguments" must be an object/) }] } });
      // Other methods' malformed params: -32602 and the field, not an internal error with zod's dump.
      child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'resources/read', params: {} })}\n`);
      expect(await next()).toMatchObject({ id: 5, error: { code: -32602, message: expect.stringMatching(/Invalid params for resources\/read: uri: /) } });
      child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: 6, method: 'prompts/get', params: { name: 5 } })}\n`);
      expect(await next()).toMatchObject({ id: 6, error: { code: -32602, message: expect.stringMatching(/Invalid params for prompts\/get: name: /) } });
      // A line over the 10 MiB limit is refused once and skipped to its end; the next line is read.
      child.stdin.write(`{"jsonrpc":"2.0","id":8,"method":"ping","params":{"pad":"${'x'.repeat(11 * 1024 * 1024)}"}}\n{"jsonrpc":"2.0","id":9,"method":"ping"}\n`);
      expect(await next()).toMatchObject({ id: null, error: { code: -32600, message: expect.stringMatching(/too large/) } });
      expect(await next()).toMatchObject({ id: 9, result: {} });
    } finally {
      child.kill();
    }
  });

  it('ends quietly when the client stops reading its stdout', async () => {
    const child = spawn(process.execPath, ['dist/cli.js', 'stdio', '--no-discord'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...(testDb.url ? { DATABASE_URL: testDb.url } : { DATA_DIR: testDb.dataDir ?? '' }) },
    });
    let err = '';
    const ready = new Promise<void>((resolve) => child.stderr.on('data', (d: Buffer) => { err += d.toString(); if (err.includes('MCP stdio server ready')) resolve(); }));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await ready;
    child.stdout.destroy(); // the client is gone: the server's next write fails with EPIPE
    child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' })}\n`);
    expect(await exited).toBe(0);
    expect(err).toMatch(/EPIPE.*MCP stdio transport error/);
    expect(err).not.toMatch(/Unhandled|at .*stdio-transport/);
  });

  it.skipIf(!postgresAvailable())('notifies a subscriber of changes made by another process (PostgreSQL)', async () => {
    const scoped = (await engine!.tokens.create({ name: 'stdio', user_id: STAFF, guild_ids: [g.guildId], abilities: ['tickets:read', 'transcripts:read'] })).token;
    const client = await spawnClient([], { TICKETBRIDGE_TOKEN: scoped });
    const write = await client.callTool({ name: 'close_ticket', arguments: { guild_id: g.guildId, ticket_id: seededTicket.id } }) as ToolResult;
    expect(textOf(write)).toMatch(/lacks the "tickets:write" ability/);
    const uri = `ticketbridge://guilds/${g.guildId}/tickets/${seededTicket.id}`;
    const updated = new Promise<string>((resolve) => client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => resolve(n.params.uri)));
    await client.subscribeResource({ uri });
    // The server took its first look while subscribing; now this (other) process changes the ticket.
    await engine!.tickets.setPriority(staffActor(STAFF), { guild_id: g.guildId, ticket: { ticket_id: seededTicket.id }, priority: 1 });
    expect(await updated).toBe(uri);
  }, 20_000);
});
