/**
 * Protocol 2026-07-28 over Streamable HTTP, through the real HTTP server and the SDK v2 client
 * (@modelcontextprotocol/client 2.4.0, negotiating with server/discover): the same catalogue surface
 * as 2025-11-25, per request, with cache hints, Mcp-Method validation, resource-not-found as -32602
 * with data.uri, progress, cancellation and subscriptions/listen refusing other guilds' URIs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { Engine } from '../../src/engine/index.js';
import { staffActor, type SeededGuild } from '../support/fixtures.js';
import { OWNER, STAFF, resourceText, textOf, type ToolResult } from './helpers.js';
import { startMcpHttpServer, type McpHttpServer } from './http-server.js';

let server: McpHttpServer;
let engine: Engine;
let url: string;
let g: SeededGuild;
let other: SeededGuild;
let token: string;
const clients: Client[] = [];

const MODERN = '2026-07-28';

async function connect(headers: Record<string, string> = {}, auth: string = token): Promise<Client> {
  const client = new Client({ name: 'modern-http-test', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${auth}`, ...headers } } }));
  clients.push(client);
  return client;
}
const call = async (client: Client, name: string, args: Record<string, unknown>) => await client.callTool({ name, arguments: args }) as ToolResult;

/** A raw 2026-07-28 request: the envelope in _meta, Mcp-Method (and Mcp-Name) headers as a client sends them. */
function envelope(method: string, params: Record<string, unknown> = {}, id = 1) {
  return {
    jsonrpc: '2.0', id, method,
    params: { ...params, _meta: { 'io.modelcontextprotocol/protocolVersion': MODERN, 'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' }, 'io.modelcontextprotocol/clientCapabilities': {} } },
  };
}
async function raw(body: ReturnType<typeof envelope>, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  const name = (body.params as { name?: string; uri?: string }).name ?? (body.params as { uri?: string }).uri;
  const res = await fetch(`${url}/mcp`, {
    method: 'POST', body: JSON.stringify(body),
    headers: {
      'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}`,
      'mcp-protocol-version': MODERN, 'mcp-method': body.method, ...(name ? { 'mcp-name': name } : {}), ...headers,
    },
  });
  const text = await res.text();
  const json = (res.headers.get('content-type') ?? '').includes('text/event-stream')
    ? JSON.parse(text.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).find((l) => l.includes('"id"')) ?? '{}') as Record<string, unknown>
    : JSON.parse(text || '{}') as Record<string, unknown>;
  return { status: res.status, json };
}

beforeAll(async () => {
  server = await startMcpHttpServer();
  ({ engine, url, g, other, token } = server);
});

afterAll(async () => {
  for (const c of clients) await c.close().catch(() => {});
  await server?.close();
});

describe('MCP 2026-07-28 over Streamable HTTP (SDK v2 client)', () => {
  it('negotiates 2026-07-28 through server/discover, with no session, and advertises the catalogue surface', async () => {
    const client = await connect();
    expect(client.getNegotiatedProtocolVersion()).toBe(MODERN);
    const discovered = await raw(envelope('server/discover'));
    expect(discovered.status).toBe(200);
    const result = discovered.json.result as Record<string, unknown>;
    expect(result).toMatchObject({ resultType: 'complete', supportedVersions: expect.arrayContaining([MODERN]) });
    expect(JSON.stringify(result)).toContain('"name":"ticketbridge"');
    expect(result.capabilities).toMatchObject({ tools: {}, resources: { subscribe: true }, prompts: {}, completions: {} });
    // Logging is deprecated there: not offered, nothing unsolicited is sent.
    expect((result.capabilities as Record<string, unknown>).logging).toBeUndefined();
  });

  it('lists tools per request by header, with private cache hints, and the same tools as 2025-11-25', async () => {
    const client = await connect();
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining(['create_ticket', 'get_ticket', 'list_tickets', 'close_ticket', 'list_guilds']));
    expect(tools.map((t) => t.name)).not.toContain('delete_panel');
    const ro = await connect({ 'x-mcp-toolsets': 'all', 'x-mcp-readonly': 'true' });
    const roTools = (await ro.listTools()).tools;
    expect(roTools.length).toBeGreaterThan(5);
    expect(roTools.every((t) => t.annotations?.readOnlyHint === true)).toBe(true);
    const listed = await raw(envelope('tools/list'), { 'x-mcp-tools': 'delete_panel' });
    expect(listed.json.result).toMatchObject({ resultType: 'complete', ttlMs: expect.any(Number), cacheScope: 'private' });
    expect(((listed.json.result as { tools: Array<{ name: string }> }).tools).map((t) => t.name)).toContain('delete_panel');
  });

  it('calls tools, with bad input as an isError sentence naming the field and a foreign guild refused', async () => {
    const client = await connect();
    const created = await call(client, 'create_ticket', { guild_id: g.guildId, user_id: OWNER, topic: 'Modern' });
    expect(created.isError, textOf(created)).toBeFalsy();
    const ticket = created.structuredContent as { id: string; status: string };
    expect(ticket.status).toBe('open');
    const got = await call(client, 'get_ticket', { guild_id: g.guildId, ticket_id: ticket.id });
    expect(got.structuredContent).toMatchObject({ id: ticket.id, topic: 'Modern' });
    const bad = await call(client, 'get_ticket', { guild_id: 'not-a-guild', ticket_id: ticket.id });
    expect(bad.isError).toBe(true);
    expect(textOf(bad)).toMatch(/guild_id/);
    const foreign = await call(client, 'list_tickets', { guild_id: other.guildId });
    expect(textOf(foreign)).toMatch(/no access to guild/);
    const readOnly = await connect({ 'x-mcp-readonly': 'true' });
    expect(textOf(await call(readOnly, 'close_ticket', { guild_id: g.guildId, ticket_id: ticket.id }))).toMatch(/read-only/);
  });

  it('reads resources (missing ones are -32602 with data.uri), gets prompts and completes arguments', async () => {
    const client = await connect();
    const t = await engine.tickets.create(staffActor(STAFF), { guild_id: g.guildId, user_id: OWNER, topic: 'Readable' });
    const uri = `ticketbridge://guilds/${g.guildId}/tickets/${t.id}`;
    const read = await client.readResource({ uri });
    expect(JSON.parse(resourceText(read))).toMatchObject({ id: t.id, topic: 'Readable' });
    const md = await client.readResource({ uri: `${uri}/transcript` });
    expect(resourceText(md)).toContain(`#${t.number}`);
    const missingUri = `ticketbridge://guilds/${g.guildId}/tickets/123456789012345678`;
    const missing = await raw(envelope('resources/read', { uri: missingUri }));
    expect(missing.json.error).toMatchObject({ code: -32602, data: { uri: missingUri } });
    const templates = await client.listResourceTemplates();
    expect(templates.resourceTemplates.map((r) => r.uriTemplate)).toContain('ticketbridge://guilds/{guild_id}/tickets/{ticket_id}/transcript');
    const prompt = await client.getPrompt({ name: 'summarize_ticket', arguments: { guild_id: g.guildId, ticket_id: t.id } });
    expect(prompt.messages.length).toBe(2);
    await expect(client.getPrompt({ name: 'summarize_ticket', arguments: { guild_id: g.guildId } })).rejects.toThrow(/ticket_id/);
    const completed = await client.complete({ ref: { type: 'ref/prompt', name: 'triage_open_tickets' }, argument: { name: 'guild_id', value: g.guildId.slice(0, 4) } });
    expect(completed.completion.values).toContain(g.guildId);
  });

  it('validates Mcp-Method against the body, and keeps auth, Host and Origin checks', async () => {
    const mismatch = await raw(envelope('tools/list'), { 'mcp-method': 'prompts/list' });
    expect(mismatch.status).toBe(400);
    expect(mismatch.json.error).toBeDefined();
    const noToken = await fetch(`${url}/mcp`, { method: 'POST', body: JSON.stringify(envelope('tools/list')), headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': MODERN, 'mcp-method': 'tools/list' } });
    expect(noToken.status).toBe(401);
    const foreignOrigin = await raw(envelope('tools/list'), { origin: 'https://evil.example' });
    expect(foreignOrigin.status).toBe(403);
    // A method the server does not serve: HTTP 404 with -32601 (2026-07-28 over HTTP), not an in-band 200.
    const unknown = await raw(envelope('tickets/frobnicate'));
    expect(unknown.status).toBe(404);
    expect(unknown.json.error).toMatchObject({ code: -32601 });
    // No sessions in this era: GET on the endpoint is not a stream.
    const get = await fetch(`${url}/mcp`, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream', 'mcp-protocol-version': MODERN } });
    expect(get.status).toBe(405);
  });

  it('sends progress when asked, and a call whose stream the client closes stops on the server', async () => {
    const client = await connect();
    const progress: number[] = [];
    const result = await client.callTool({ name: 'get_guild_stats', arguments: { guild_id: g.guildId } }, { onprogress: (p) => progress.push(p.progress) });
    expect(result.isError).toBeFalsy();
    expect(progress.length).toBeGreaterThanOrEqual(1);
    // Cancellation is closing the stream: the client's abort ends the request.
    const controller = new AbortController();
    const pending = client.callTool({ name: 'list_tickets', arguments: { guild_id: g.guildId } }, { signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toThrow();
    // The server goes on serving.
    expect((await call(client, 'list_guilds', {})).isError).toBeFalsy();
  });

  it('subscriptions/listen hears a ticket change made elsewhere, and refuses another guild before acknowledging', async () => {
    const client = await connect();
    const t = await engine.tickets.create(staffActor(STAFF), { guild_id: g.guildId, user_id: OWNER });
    const uri = `ticketbridge://guilds/${g.guildId}/tickets/${t.id}`;
    const heard: string[] = [];
    const updated = new Promise<void>((resolve) => client.setNotificationHandler('notifications/resources/updated', (n) => { heard.push(n.params.uri); if (n.params.uri === uri) resolve(); }));
    const subscription = await client.listen({ resourceSubscriptions: [uri] });
    expect(subscription.honoredFilter.resourceSubscriptions).toEqual([uri]);
    await engine.tickets.setPriority(staffActor(STAFF), { guild_id: g.guildId, ticket: { ticket_id: t.id }, priority: 1 });
    await updated;
    expect(heard).toContain(uri);
    await subscription.close();

    await expect(client.listen({ resourceSubscriptions: [`ticketbridge://guilds/${other.guildId}/stats`] })).rejects.toThrow(/no access to guild/);
    const refused = await raw(envelope('subscriptions/listen', { notifications: { resourceSubscriptions: [`ticketbridge://guilds/${other.guildId}/queue`] } }));
    expect(refused.json.error).toMatchObject({ message: expect.stringMatching(/no access to guild/) });
  });
});
