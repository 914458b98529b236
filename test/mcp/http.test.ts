/**
 * The MCP face over Streamable HTTP, through the real HTTP server and the SDK's own client: tools from
 * the catalogue, the ticket flow, resources, prompts, subscriptions, progress, errors, auth and
 * DNS-rebinding protection. One server and one database for the whole file.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ResourceUpdatedNotificationSchema, ToolListChangedNotificationSchema, type Progress } from '@modelcontextprotocol/sdk/types.js';
import type { Database } from '../../src/db/connect.js';
import type { Engine } from '../../src/engine/index.js';
import { SSE_RETRY_MS } from '../../src/mcp/http.js';
import { staffActor, type SeededGuild } from '../support/fixtures.js';
import { discordMessage, giveChannel, OWNER, STAFF, resourceText, textOf, type ToolResult } from './helpers.js';
import { startMcpHttpServer, type McpHttpServer } from './http-server.js';

let server: McpHttpServer;
let database: Database;
let engine: Engine;
let url: string;
let g: SeededGuild;
let other: SeededGuild;
let token: string;
let otherToken: string;
const clients: Client[] = [];

async function connect(headers: Record<string, string> = {}, auth: string | null = token): Promise<Client> {
  const client = new Client({ name: 'http-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(`${url}/mcp`), {
    requestInit: { headers: { ...(auth ? { authorization: `Bearer ${auth}` } : {}), ...headers } },
  });
  await client.connect(transport);
  clients.push(client);
  return client;
}

const call = async (client: Client, name: string, args: Record<string, unknown>) => await client.callTool({ name, arguments: args }) as ToolResult;

async function post(body: unknown, headers: Record<string, string>): Promise<Response> {
  return fetch(`${url}/mcp`, {
    method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
  });
}
/** The JSON-RPC answer of a POST, sent as a JSON body or as the data of an event stream (the spec allows both). */
async function answerOf(res: Response): Promise<unknown> {
  const text = await res.text();
  if (!(res.headers.get('content-type') ?? '').includes('text/event-stream')) return JSON.parse(text);
  const data = text.split('\n').filter((l) => l.startsWith('data: ') && l.length > 6).map((l) => JSON.parse(l.slice(6)) as { id?: unknown });
  return data.find((m) => m.id !== undefined);
}
/** fetch cannot set Host; node:http can (a DNS-rebinding page reaches us under its own name). */
function statusWithHost(host: string): Promise<number> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/mcp', method: 'POST', headers: { host, authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end(JSON.stringify(initialize));
  });
}
const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } };

beforeAll(async () => {
  server = await startMcpHttpServer();
  ({ database, engine, url, g, other, token } = server);
  otherToken = (await engine.tokens.create({ name: 'other', user_id: STAFF, guild_ids: [g.guildId], abilities: ['*'] })).token;
});

afterAll(async () => {
  for (const c of clients) await c.close().catch(() => {});
  await server?.close();
});

describe('MCP over Streamable HTTP', () => {
  it('lists the default tools within the byte budget, and every catalogue tool with X-MCP-Toolsets: all', async () => {
    const client = await connect();
    const { tools } = await client.listTools();
    const bytes = JSON.stringify({ tools }).length;
    const all = await (await connect({ 'x-mcp-toolsets': 'all' })).listTools();
    console.log(`tools/list: default ${tools.length} tools, ${bytes} bytes; all ${all.tools.length} tools, ${JSON.stringify({ tools: all.tools }).length} bytes`);
    expect(bytes).toBeLessThan(40 * 1024);
    expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['create_ticket', 'get_ticket', 'list_tickets', 'close_ticket', 'claim_ticket', 'get_transcript', 'list_guilds', 'send_channel_message']));
    const { catalogue } = await import('../../src/operations/index.js');
    expect(all.tools.map((t) => t.name).sort()).toEqual(catalogue.map((op) => op.name).sort());
    const ro = await (await connect({ 'x-mcp-toolsets': 'all', 'x-mcp-readonly': 'true' })).listTools();
    expect(ro.tools.length).toBeGreaterThan(5);
    expect(ro.tools.every((t) => t.annotations?.readOnlyHint === true)).toBe(true);
    const picked = await (await connect({ 'x-mcp-toolsets': 'guild', 'x-mcp-tools': 'get_ticket' })).listTools();
    expect(picked.tools.map((t) => t.name)).toContain('get_ticket');
    expect(picked.tools.map((t) => t.name)).not.toContain('close_ticket');
  });

  it('runs create → claim → message → close → get_transcript', async () => {
    const client = await connect();
    const created = await call(client, 'create_ticket', { guild_id: g.guildId, user_id: OWNER, topic: 'Refund', message: 'My order never arrived' });
    expect(created.isError).toBeFalsy();
    const ticket = created.structuredContent as { id: string; number: number; status: string };
    expect(ticket).toMatchObject({ status: 'open', number: 1 });
    expect(textOf(created)).toContain('Ticket #1');
    const claimed = await call(client, 'claim_ticket', { guild_id: g.guildId, ticket_id: ticket.id });
    expect(claimed.structuredContent).toMatchObject({ assigned_id: STAFF });
    const channelId = await giveChannel(database.db, ticket.id);
    const sent = await call(client, 'send_channel_message', { guild_id: g.guildId, channel_id: channelId, content: 'We are on it' });
    expect(sent.isError, textOf(sent)).toBeFalsy();
    // Discord delivers the staff message and the owner's answer back through the gateway.
    await discordMessage(engine, g.guildId, channelId, { id: STAFF, name: 'Sam Staff' }, 'We are on it');
    await discordMessage(engine, g.guildId, channelId, { id: OWNER, name: 'Olive Owner' }, 'Thanks!');
    const closed = await call(client, 'close_ticket', { guild_id: g.guildId, channel_id: channelId, reason: 'Refunded' });
    expect(closed.structuredContent).toMatchObject({ status: 'closed', closed_reason: 'Refunded' });
    const transcript = await call(client, 'get_transcript', { guild_id: g.guildId, ticket_id: ticket.id });
    const doc = transcript.structuredContent as { channel_messages: Array<{ content: string }>; ticket: { status: string } };
    expect(doc.channel_messages.map((m) => m.content)).toEqual(['We are on it', 'Thanks!']);
    expect(doc.ticket.status).toBe('closed');
  });

  it('answers bad input, a foreign guild and a wrong state with isError sentences', async () => {
    const client = await connect();
    const bad = await call(client, 'get_ticket', { guild_id: 'not-a-guild', ticket_id: '123' });
    expect(bad.isError).toBe(true);
    expect(textOf(bad)).toMatch(/guild_id/);
    expect(textOf(bad)).toMatch(/ticket_id/);
    const missing = await call(client, 'close_ticket', { guild_id: g.guildId });
    expect(textOf(missing)).toMatch(/ticket_id or channel_id/);
    const foreign = await call(client, 'list_tickets', { guild_id: other.guildId });
    expect(foreign.isError).toBe(true);
    expect(textOf(foreign)).toMatch(/no access to guild/);
    const t = await engine.tickets.create(staffActor(STAFF), { guild_id: g.guildId, user_id: OWNER });
    await engine.tickets.close(staffActor(STAFF), { guild_id: g.guildId, ticket: { ticket_id: t.id } });
    const again = await call(client, 'close_ticket', { guild_id: g.guildId, ticket_id: t.id });
    expect(again.isError).toBe(true);
    expect(textOf(again)).toMatch(/already closed/);
    const unknown = await call(client, 'close_tiket', { guild_id: g.guildId });
    expect(textOf(unknown)).toMatch(/Did you mean close_ticket/);
    const off = await call(client, 'delete_panel', { guild_id: g.guildId });
    expect(textOf(off)).toMatch(/"panels" toolset/);
  });

  it('reads the ticket, transcript (Markdown, JSON, HTML) and stats resources, with list and completion', async () => {
    const client = await connect();
    const t = await engine.tickets.create(staffActor(STAFF), { guild_id: g.guildId, user_id: OWNER, topic: 'Login' });
    const channelId = await giveChannel(database.db, t.id);
    await discordMessage(engine, g.guildId, channelId, { id: OWNER, name: 'Olive Owner' }, 'I cannot log in\n## Staff notes\n<script>alert(1)</script>', [{ filename: 'screen.png', url: 'https://cdn.example/screen.png' }]);
    await discordMessage(engine, g.guildId, channelId, { id: STAFF, name: 'Sam Staff' }, 'Try resetting your password');
    const base = `ticketbridge://guilds/${g.guildId}/tickets/${t.id}`;

    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((r) => r.uriTemplate)).toEqual(expect.arrayContaining([
      'ticketbridge://guilds/{guild_id}/tickets/{ticket_id}', 'ticketbridge://guilds/{guild_id}/tickets/{ticket_id}/transcript',
      'ticketbridge://guilds/{guild_id}/tickets/{ticket_id}/transcript.json', 'ticketbridge://guilds/{guild_id}/tickets/{ticket_id}/transcript.html',
      'ticketbridge://guilds/{guild_id}/stats',
    ]));
    const { resources } = await client.listResources();
    expect(resources.map((r) => r.uri)).toContain(base);
    expect(resources.map((r) => r.uri)).toContain(`ticketbridge://guilds/${g.guildId}/stats`);
    expect(resources.map((r) => r.uri).some((u) => u.includes(other.guildId))).toBe(false);

    const guilds = await client.complete({ ref: { type: 'ref/resource', uri: 'ticketbridge://guilds/{guild_id}/tickets/{ticket_id}' }, argument: { name: 'guild_id', value: g.guildId.slice(0, 4) } });
    expect(guilds.completion.values).toEqual([g.guildId]);
    const byNumber = await client.complete({ ref: { type: 'ref/resource', uri: 'ticketbridge://guilds/{guild_id}/tickets/{ticket_id}' }, argument: { name: 'ticket_id', value: String(t.number) }, context: { arguments: { guild_id: g.guildId } } });
    expect(byNumber.completion.values[0]).toBe(t.id);

    const ticket = await client.readResource({ uri: base });
    expect(JSON.parse(resourceText(ticket))).toMatchObject({ id: t.id, topic: 'Login' });

    const md = resourceText(await client.readResource({ uri: `${base}/transcript` }));
    expect(md).toContain(`# Ticket #${t.number}`);
    expect(md).toMatch(/\[10:\d\d\] Olive Owner \(owner\): I cannot log in/);
    expect(md).toMatch(/\[10:\d\d\] Sam Staff \(member\): Try resetting/);
    expect(md).toContain('attachment: [screen.png](<https://cdn.example/screen.png>)');
    // A message cannot open a section of its own: its lines are indented.
    expect(md).not.toMatch(/^## Staff notes/m);

    const json = JSON.parse(resourceText(await client.readResource({ uri: `${base}/transcript.json` }))) as Record<string, unknown>;
    const viaTool = (await call(client, 'get_transcript', { guild_id: g.guildId, ticket_id: t.id })).structuredContent as Record<string, unknown>;
    // The streamed document is get_transcript's, key for key: head and members included.
    expect(Object.keys(json).sort()).toEqual(Object.keys(viaTool).sort());
    for (const key of Object.keys(viaTool)) expect(json[key], key).toEqual(viaTool[key]);
    expect((json.guild as { id: string }).id).toBe(g.guildId);
    expect((json.channel_members as Array<{ id: string }>).map((m) => m.id)).toEqual(expect.arrayContaining([OWNER, STAFF]));

    const html = resourceText(await client.readResource({ uri: `${base}/transcript.html` }));
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>');
    expect(html).toContain("default-src 'none'");
    expect(html).toContain('href="https://cdn.example/screen.png"');

    const stats = JSON.parse(resourceText(await client.readResource({ uri: `ticketbridge://guilds/${g.guildId}/stats` }))) as Record<string, unknown>;
    expect(JSON.stringify(stats)).toMatch(/open/);

    await expect(client.readResource({ uri: `ticketbridge://guilds/${other.guildId}/stats` })).rejects.toThrow(/no access to guild/);
  });

  it('gets each prompt with the transcript embedded and the queue listed', async () => {
    const client = await connect();
    const t = await engine.tickets.create(staffActor(STAFF), { guild_id: g.guildId, user_id: OWNER, topic: 'Lost package' });
    const channelId = await giveChannel(database.db, t.id);
    await discordMessage(engine, g.guildId, channelId, { id: OWNER, name: 'Olive Owner' }, 'Mein Paket ist verloren gegangen');
    const { prompts } = await client.listPrompts();
    expect(prompts.map((p) => p.name).sort()).toEqual(['draft_reply', 'summarize_ticket', 'triage_open_tickets']);
    const summary = await client.getPrompt({ name: 'summarize_ticket', arguments: { guild_id: g.guildId, ticket_id: t.id } });
    const first = summary.messages[0]?.content as { type: string; resource: { uri: string; text: string } };
    expect(first.type).toBe('resource');
    expect(first.resource.uri).toBe(`ticketbridge://guilds/${g.guildId}/tickets/${t.id}/transcript`);
    expect(first.resource.text).toContain('Mein Paket');
    expect(JSON.stringify(summary.messages[1])).toMatch(/Problem.*Steps taken.*Resolution.*Follow-ups/s);
    // A pending close request shows in the queue, beside whose turn it is (the owner's line is unanswered).
    await engine.tickets.requestClose(staffActor(STAFF), { guild_id: g.guildId, ticket: { ticket_id: t.id }, reason: 'Parcel found' });
    const triage = await client.getPrompt({ name: 'triage_open_tickets', arguments: { guild_id: g.guildId } });
    const queue = (triage.messages[0]?.content as { text: string }).text;
    expect(queue).toMatch(new RegExp(`\\| #${t.number} \\| ${t.id} \\| none \\| [^|]+ \\| staff for [^|]+ \\| [^|]+ \\| unassigned \\| asked 1 min ago \\| Lost package \\|`));
    expect(queue).toMatch(/request_ticket_close/);
    const reply = await client.getPrompt({ name: 'draft_reply', arguments: { guild_id: g.guildId, ticket_id: t.id, intent: 'ask for the tracking number' } });
    expect(JSON.stringify(reply.messages)).toMatch(/language the owner uses/);
    expect(JSON.stringify(reply.messages)).toContain('tracking number');
    const completion = await client.complete({ ref: { type: 'ref/prompt', name: 'summarize_ticket' }, argument: { name: 'ticket_id', value: String(t.number) }, context: { arguments: { guild_id: g.guildId } } });
    expect(completion.completion.values).toContain(t.id);
  });

  it('notifies a subscriber when its ticket changes through a tool, through the engine, or by a Discord message', async () => {
    const client = await connect();
    const t = await engine.tickets.create(staffActor(STAFF), { guild_id: g.guildId, user_id: OWNER });
    const channelId = await giveChannel(database.db, t.id);
    const uri = `ticketbridge://guilds/${g.guildId}/tickets/${t.id}`;
    const updates: string[] = [];
    let wake: (() => void) | undefined;
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => { updates.push(n.params.uri); wake?.(); });
    const next = (want: string) => new Promise<void>((resolve) => {
      wake = () => { if (updates.includes(want)) resolve(); };
      wake();
    });
    await client.subscribeResource({ uri });
    await client.subscribeResource({ uri: `${uri}/transcript` });
    await call(client, 'set_ticket_priority', { guild_id: g.guildId, ticket_id: t.id, priority: 2 });
    await next(uri);
    updates.length = 0;
    await engine.tickets.lock(staffActor(STAFF), { guild_id: g.guildId, ticket: { ticket_id: t.id } });
    await next(uri);
    updates.length = 0;
    await discordMessage(engine, g.guildId, channelId, { id: OWNER, name: 'Olive Owner' }, 'any news?');
    await next(`${uri}/transcript`);
    await expect(client.subscribeResource({ uri: `ticketbridge://guilds/${other.guildId}/stats` })).rejects.toThrow(/no access/);
    const ticketsOnly = (await engine.tokens.create({ name: 'tickets-only', user_id: STAFF, guild_ids: [g.guildId], abilities: ['tickets:read'] })).token;
    const limited = await connect({}, ticketsOnly);
    await limited.subscribeResource({ uri });
    await expect(limited.subscribeResource({ uri: `${uri}/transcript` })).rejects.toThrow(/transcripts:read/);
  });

  it('lets any valid token list the guilds it covers, and only those (list_guilds with tickets:read alone)', async () => {
    const ticketsOnly = (await engine.tokens.create({ name: 'reader', user_id: STAFF, guild_ids: [g.guildId], abilities: ['tickets:read'] })).token;
    const result = await call(await connect({}, ticketsOnly), 'list_guilds', {});
    expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
    expect((result.structuredContent as { guilds: Array<{ id: string }> }).guilds.map((x) => x.id)).toEqual([g.guildId]);
  });

  it('serves the queue of tickets waiting on staff as a resource, and tells a subscriber when it moves', async () => {
    const client = await connect();
    const uri = `ticketbridge://guilds/${g.guildId}/queue`;
    const t = await engine.tickets.create(staffActor(STAFF), { guild_id: g.guildId, user_id: OWNER, topic: 'Queue me' });
    const channelId = await giveChannel(database.db, t.id);
    const text = async () => { const c = (await client.readResource({ uri })).contents[0]; return c && 'text' in c ? c.text : ''; };
    const read = async () => JSON.parse(await text()) as { total: number; tickets: Array<{ ticket_id: string; topic: string | null; waiting_since: string }> };
    const before = await read();
    expect(before.tickets.find((x) => x.ticket_id === t.id)).toMatchObject({ topic: 'Queue me' });
    expect(before.tickets.map((x) => x.waiting_since)).toEqual([...before.tickets.map((x) => x.waiting_since)].sort());
    expect((await client.listResources()).resources.map((r) => r.uri)).toContain(uri);

    const updates: string[] = [];
    let wake: (() => void) | undefined;
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => { updates.push(n.params.uri); wake?.(); });
    await engine.tickets.assign(staffActor(STAFF), { guild_id: g.guildId, ticket: { ticket_id: t.id }, user_id: STAFF });
    await client.subscribeResource({ uri });
    const moved = new Promise<void>((resolve) => { wake = () => { if (updates.includes(uri)) resolve(); }; });
    // Its assignee answers in Discord: the ticket leaves the queue, and the subscriber hears of it.
    await discordMessage(engine, g.guildId, channelId, { id: STAFF, name: 'Sam Staff' }, 'Looking into it');
    await moved;
    const after = await read();
    expect(after.tickets.map((x) => x.ticket_id)).not.toContain(t.id);
    expect(after.total).toBe(before.total - 1);
    const noTickets = (await engine.tokens.create({ name: 'stats-only', user_id: STAFF, guild_ids: [g.guildId], abilities: ['guild:read'] })).token;
    await expect((await connect({}, noTickets)).subscribeResource({ uri })).rejects.toThrow(/tickets:read/);
  });

  it('never answers get_ticket from before a change, whoever made it', async () => {
    const client = await connect();
    const t = await engine.tickets.create(staffActor(STAFF), { guild_id: g.guildId, user_id: OWNER });
    const read = async () => (await call(client, 'get_ticket', { guild_id: g.guildId, ticket_id: t.id })).structuredContent as { priority: number | null; status: string };
    expect((await read()).priority).toBeNull();
    await engine.tickets.setPriority(staffActor(STAFF), { guild_id: g.guildId, ticket: { ticket_id: t.id }, priority: 1 });
    expect((await read()).priority).toBe(1);
    await call(client, 'close_ticket', { guild_id: g.guildId, ticket_id: t.id });
    expect((await read()).status).toBe('closed');
  });

  it('sends progress for a long operation when asked', async () => {
    const client = await connect();
    const t = await engine.tickets.create(staffActor(STAFF), { guild_id: g.guildId, user_id: OWNER });
    const channelId = await giveChannel(database.db, t.id);
    for (let i = 0; i < 3; i++) await discordMessage(engine, g.guildId, channelId, { id: OWNER, name: 'Olive Owner' }, `line ${i}`);
    const progress: Progress[] = [];
    const result = await client.callTool({ name: 'save_transcript', arguments: { guild_id: g.guildId, ticket_id: t.id } }, undefined, { onprogress: (p) => progress.push(p) }) as ToolResult;
    expect(result.isError, textOf(result)).toBeFalsy();
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress.map((p) => p.progress)).toEqual([...progress.map((p) => p.progress)].sort((a, b) => a - b));
    expect(progress.at(-1)?.progress).toBe(progress.at(-1)?.total);
  });

  it('ends the exchange of a cancelled call: its event stream closes without a result, a JSON POST gets 202', async () => {
    const t = await engine.tickets.create(staffActor(STAFF), { guild_id: g.guildId, user_id: OWNER });
    const channelId = await giveChannel(database.db, t.id);
    // Enough history that reading it takes far longer than the cancellation's round trip.
    const base = Date.parse('2025-01-01T00:00:00Z');
    const rows = Array.from({ length: 5000 }, (_, i) => ({
      id: String(200000000000000000n + BigInt(i)), ticket_id: t.id, guild_id: g.guildId, channel_id: channelId,
      author_id: OWNER, author_name: 'Olive Owner', author_avatar: null, content: `message ${i}`, embeds: '[]', created_at: new Date(base + i * 1000),
    }));
    for (let i = 0; i < rows.length; i += 1000) await database.db.insertInto('messages').values(rows.slice(i, i + 1000)).execute();

    const auth = { authorization: `Bearer ${token}` };
    const init = await post(initialize, auth);
    await init.text();
    const session = { ...auth, 'mcp-session-id': init.headers.get('mcp-session-id') ?? '', 'mcp-protocol-version': '2025-11-25' };
    expect((await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, session)).status).toBe(202);
    const transcriptCall = (id: number, meta?: Record<string, unknown>) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'get_transcript', arguments: { guild_id: g.guildId, ticket_id: t.id }, ...(meta ? { _meta: meta } : {}) } });
    const cancel = (requestId: number) => ({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId, reason: 'the user moved on' } });

    // Asking for progress makes the answer an event stream, open as soon as the call is accepted.
    const streamed = await post(transcriptCall(5, { progressToken: 'p5' }), session);
    expect(streamed.headers.get('content-type')).toMatch(/text\/event-stream/);
    expect((await post(cancel(5), session)).status).toBe(202);
    const events = await streamed.text(); // resolves only because the stream ends
    expect(events).not.toMatch(/"id":5,"result"/);

    // A call and its cancellation in one POST: nothing is left to answer.
    const both = await post([transcriptCall(6), cancel(6)], session);
    expect(both.status).toBe(202);
    expect(await both.text()).toBe('');

    // The session goes on.
    const ping = await post({ jsonrpc: '2.0', id: 7, method: 'ping' }, session);
    expect(await answerOf(ping)).toMatchObject({ id: 7, result: {} });
  });

  it('tells the client when its toolsets change', async () => {
    const client = await connect();
    const changed = new Promise<void>((resolve) => client.setNotificationHandler(ToolListChangedNotificationSchema, () => resolve()));
    const sessionId = (client.transport as StreamableHTTPClientTransport).sessionId ?? '';
    const res = await post({ jsonrpc: '2.0', id: 99, method: 'ping' }, { authorization: `Bearer ${token}`, 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25', 'x-mcp-toolsets': 'panels' });
    expect(res.status).toBe(200);
    await changed;
    expect((await client.listTools()).tools.every((t) => t.name.includes('panel'))).toBe(true);
  });

  it('refuses requests without a valid token (401), a foreign Origin or Host (403), another token\'s session (403) and oversized bodies (413)', async () => {
    const none = await post(initialize, {});
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(((await none.json()) as { error: { message: string } }).error.message).toMatch(/Bearer/);
    expect((await post(initialize, { authorization: 'Bearer tb_wrong' })).status).toBe(401);
    expect((await post(initialize, { authorization: `Bearer ${token}`, origin: 'https://evil.example' })).status).toBe(403);
    expect(await statusWithHost('evil.example')).toBe(403);
    expect(await statusWithHost('localhost')).toBe(200);
    expect((await post(initialize, { authorization: `Bearer ${token}`, origin: 'http://localhost:3000' })).status).toBe(200);
    await expect(connect({}, null)).rejects.toThrow();

    const client = await connect();
    const sessionId = (client.transport as StreamableHTTPClientTransport).sessionId ?? '';
    const stolen = await post({ jsonrpc: '2.0', id: 2, method: 'tools/list' }, { authorization: `Bearer ${otherToken}`, 'mcp-session-id': sessionId });
    expect(stolen.status).toBe(403);
    const big = await post({ jsonrpc: '2.0', id: 3, method: 'ping', params: { pad: 'x'.repeat(2 * 1024 * 1024) } }, { authorization: `Bearer ${token}`, 'mcp-session-id': sessionId });
    expect(big.status).toBe(413);
    const garbage = await post('{not json', { authorization: `Bearer ${token}`, 'mcp-session-id': sessionId });
    expect(garbage.status).toBe(400);
    expect(((await garbage.json()) as { error: { code: number } }).error.code).toBe(-32700);
  });

  it('resumes a lost event stream from its Last-Event-ID, after the wait the stream told it (retry)', async () => {
    const init = await post(initialize, { authorization: `Bearer ${token}` });
    const sessionId = init.headers.get('mcp-session-id') ?? '';
    const h = { authorization: `Bearer ${token}`, 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' };
    await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, h);
    // A request with a progress token is answered on an event stream; read only its first event, then drop it.
    const res = await post({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'list_guilds', arguments: {}, _meta: { progressToken: 'p1' } } }, h);
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    const id = /id: (\S+)/.exec(first)?.[1];
    expect(id).toBeTruthy();
    // The priming event says how long to wait before reconnecting (SEP-1699), so clients need not guess.
    expect(first).toMatch(new RegExp(`^retry: ${SSE_RETRY_MS}$`, 'm'));
    await reader.cancel();
    // The server learns of the dropped stream asynchronously; until it has, it answers the resume with
    // 409 (that stream is still connected), and a client reconnects again, as the SDK's client does.
    const resume = () => fetch(`${url}/mcp`, { headers: { ...h, accept: 'text/event-stream', 'last-event-id': id! } });
    let resumed = await resume();
    for (let tries = 0; resumed.status === 409 && tries < 100; tries++) {
      await resumed.body?.cancel();
      await new Promise((r) => setTimeout(r, 50));
      resumed = await resume();
    }
    expect(resumed.status).toBe(200);
    const text = await resumed.text();
    expect(text).toMatch(/"id":7/);
    expect(text).toMatch(/"guilds"/);
  });
});
