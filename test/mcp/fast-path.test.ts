/**
 * The HTTP fast path for plain 2026-07-28 tools/call POSTs (src/mcp/http-fast-path.ts) answers
 * exactly as the SDK's path does: the same requests go to a server with the fast path on and to one
 * with it off (TICKETBRIDGE_MCP_FAST_PATH=off, every request through the SDK), both on one database,
 * and status, content type, session header and body text must agree. Each request also says which
 * path it must take on the first server; the path shows on the wire (the fast path writes one body
 * with a Content-Length, the SDK's adapter streams it chunked) and in the recogniser's verdict.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.js';
import { buildHttpServer } from '../../src/http.js';
import { recogniseToolCall } from '../../src/mcp/http-fast-path.js';
import { staffActor } from '../support/fixtures.js';
import { OWNER, STAFF } from './helpers.js';
import { startMcpHttpServer, type McpHttpServer } from './http-server.js';

const MODERN = '2026-07-28';
const ENVELOPE = { 'io.modelcontextprotocol/protocolVersion': MODERN, 'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' }, 'io.modelcontextprotocol/clientCapabilities': {} };

let server: McpHttpServer;
let sdkOnly: FastifyInstance;
let sdkUrl: string;
let ticketId: string;
let otherTicketId: string;

beforeAll(async () => {
  server = await startMcpHttpServer();
  sdkOnly = await buildHttpServer({ config: loadConfig({ TICKETBRIDGE_MCP_FAST_PATH: 'off' }), logger: pino({ level: 'silent' }), database: server.database, engine: server.engine, discord: () => ({ mode: 'off', ready: false }) });
  sdkUrl = await sdkOnly.listen({ host: '127.0.0.1', port: 0 });
  ticketId = (await server.engine.tickets.create(staffActor(STAFF), { guild_id: server.g.guildId, user_id: OWNER, topic: 'Fast path' })).id;
  otherTicketId = (await server.engine.tickets.create(staffActor(STAFF), { guild_id: server.other.guildId, user_id: OWNER, topic: 'Not yours' })).id;
}, 120_000);

afterAll(async () => {
  await sdkOnly?.close();
  await server?.close();
});

interface Case { what: string; path: 'fast' | 'sdk'; body: () => unknown; headers?: () => Record<string, string | undefined> }

const call = (name: string, args: unknown, meta: unknown = ENVELOPE, id: unknown = 7) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args, _meta: meta } });
const callHeaders = (name: string) => ({ 'mcp-method': 'tools/call', 'mcp-name': name });
const getTicket = () => ({ guild_id: server.g.guildId, ticket_id: ticketId });

const CASES: Case[] = [
  { what: 'a successful get_ticket', path: 'fast', body: () => call('get_ticket', getTicket()), headers: () => callHeaders('get_ticket') },
  { what: 'a string id', path: 'fast', body: () => call('get_ticket', getTicket(), ENVELOPE, 'req-1'), headers: () => callHeaders('get_ticket') },
  { what: 'declared roots, sampling and elicitation', path: 'fast',
    body: () => call('get_ticket', getTicket(), { ...ENVELOPE, 'io.modelcontextprotocol/clientCapabilities': { roots: { listChanged: true }, sampling: {}, elicitation: {} } }), headers: () => callHeaders('get_ticket') },
  { what: 'no clientInfo', path: 'fast', body: () => call('get_ticket', getTicket(), { 'io.modelcontextprotocol/protocolVersion': MODERN, 'io.modelcontextprotocol/clientCapabilities': {} }), headers: () => callHeaders('get_ticket') },
  { what: 'a ticket that does not exist (tool error)', path: 'fast', body: () => call('get_ticket', { guild_id: server.g.guildId, ticket_id: '1234567890123456789' }), headers: () => callHeaders('get_ticket') },
  { what: "another guild's ticket (tool error)", path: 'fast', body: () => call('get_ticket', { guild_id: server.other.guildId, ticket_id: otherTicketId }), headers: () => callHeaders('get_ticket') },
  { what: 'a field of the wrong type (tool error naming it)', path: 'fast', body: () => call('get_ticket', { guild_id: server.g.guildId, ticket_id: 42 }), headers: () => callHeaders('get_ticket') },
  { what: 'an unknown tool', path: 'fast', body: () => call('get_tickt', {}), headers: () => callHeaders('get_tickt') },
  { what: 'a tool the selection headers leave out', path: 'fast', body: () => call('get_ticket', getTicket()), headers: () => ({ ...callHeaders('get_ticket'), 'x-mcp-tools': 'list_tickets' }) },
  { what: 'a write under X-MCP-Readonly', path: 'fast', body: () => call('close_ticket', { guild_id: server.g.guildId, ticket_id: ticketId }), headers: () => ({ ...callHeaders('close_ticket'), 'x-mcp-readonly': 'true' }) },
  { what: 'arguments that are not an object', path: 'sdk', body: () => call('get_ticket', ['x']), headers: () => callHeaders('get_ticket') },
  { what: 'a name that is not a string', path: 'sdk', body: () => call(5 as unknown as string, {}), headers: () => ({ 'mcp-method': 'tools/call', 'mcp-name': '5' }) },
  { what: 'a resource that does not exist', path: 'sdk',
    body: () => ({ jsonrpc: '2.0', id: 3, method: 'resources/read', params: { uri: `ticketbridge://guilds/${server.g.guildId}/tickets/1234567890123456789`, _meta: ENVELOPE } }),
    headers: () => ({ 'mcp-method': 'resources/read', 'mcp-name': `ticketbridge://guilds/${server.g.guildId}/tickets/1234567890123456789` }) },
  { what: 'a Mcp-Method header that disagrees with the body', path: 'sdk', body: () => call('get_ticket', getTicket()), headers: () => ({ 'mcp-method': 'tools/list', 'mcp-name': 'get_ticket' }) },
  { what: 'a Mcp-Name header that disagrees with the body', path: 'sdk', body: () => call('get_ticket', getTicket()), headers: () => callHeaders('list_tickets') },
  { what: 'no Mcp-Name header', path: 'sdk', body: () => call('get_ticket', getTicket()), headers: () => ({ 'mcp-method': 'tools/call', 'mcp-name': undefined }) },
  { what: 'no MCP-Protocol-Version header', path: 'sdk', body: () => call('get_ticket', getTicket()), headers: () => ({ ...callHeaders('get_ticket'), 'mcp-protocol-version': undefined }) },
  { what: 'a protocol version header naming 2025-11-25', path: 'sdk', body: () => call('get_ticket', getTicket()), headers: () => ({ ...callHeaders('get_ticket'), 'mcp-protocol-version': '2025-11-25' }) },
  { what: 'no _meta', path: 'sdk', body: () => ({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'get_ticket', arguments: getTicket() } }), headers: () => callHeaders('get_ticket') },
  { what: 'an envelope without clientCapabilities', path: 'sdk', body: () => call('get_ticket', getTicket(), { 'io.modelcontextprotocol/protocolVersion': MODERN }), headers: () => callHeaders('get_ticket') },
  { what: 'malformed clientInfo', path: 'sdk', body: () => call('get_ticket', getTicket(), { ...ENVELOPE, 'io.modelcontextprotocol/clientInfo': { name: 3 } }), headers: () => callHeaders('get_ticket') },
  { what: 'malformed capabilities', path: 'sdk', body: () => call('get_ticket', getTicket(), { ...ENVELOPE, 'io.modelcontextprotocol/clientCapabilities': { roots: { listChanged: 'yes' } } }), headers: () => callHeaders('get_ticket') },
  { what: 'a declared extension', path: 'sdk',
    body: () => call('get_ticket', getTicket(), { ...ENVELOPE, 'io.modelcontextprotocol/clientCapabilities': { extensions: { 'io.modelcontextprotocol/tasks': {} } } }), headers: () => callHeaders('get_ticket') },
  { what: 'a Tasks tool', path: 'sdk', body: () => call('sync_guild', { guild_id: server.g.guildId }), headers: () => callHeaders('sync_guild') },
  { what: 'a null id', path: 'sdk', body: () => call('get_ticket', getTicket(), ENVELOPE, null), headers: () => callHeaders('get_ticket') },
  { what: 'a batch of one', path: 'sdk', body: () => [call('get_ticket', getTicket())], headers: () => callHeaders('get_ticket') },
];

interface Answer { status: number; contentType: string | null; session: string | null; chunked: boolean; text: string }

async function send(base: string, c: Case, authorization: string | undefined = `Bearer ${server.token}`): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': MODERN };
  if (authorization) headers.authorization = authorization;
  for (const [k, v] of Object.entries(c.headers?.() ?? {})) {
    if (v === undefined) delete headers[k]; else headers[k] = v;
  }
  const res = await fetch(`${base}/mcp`, { method: 'POST', headers, body: JSON.stringify(c.body()) });
  return {
    status: res.status, contentType: res.headers.get('content-type'), session: res.headers.get('mcp-session-id'),
    chunked: res.headers.get('content-length') === null, text: await res.text(),
  };
}

const headerOf = (c: Case) => {
  const h: Record<string, string | undefined> = { 'mcp-protocol-version': MODERN, ...c.headers?.() };
  return (name: string) => h[name];
};

describe('the 2026-07-28 tools/call fast path', () => {
  it.each(CASES)('$what: same answer as the SDK ($path path)', async (c) => {
    expect(recogniseToolCall(c.body(), headerOf(c)) !== undefined).toBe(c.path === 'fast');
    const viaSdk = await send(sdkUrl, c);
    const viaServer = await send(server.url, c);
    expect(viaSdk.chunked).toBe(true);
    // The fast path writes one body with its length; the SDK's adapter streams (when it has a body).
    if (c.path === 'fast') expect(viaServer.chunked).toBe(false);
    expect({ ...viaServer, chunked: undefined }).toEqual({ ...viaSdk, chunked: undefined });
  });

  it('answers a successful call with the ticket, structured and as text', async () => {
    const a = await send(server.url, CASES[0]!);
    const json = JSON.parse(a.text) as { id: number; result: { structuredContent: { id: string; topic: string }; content: Array<{ text: string }>; resultType: string; _meta: Record<string, unknown> } };
    expect(a.status).toBe(200);
    expect(json.id).toBe(7);
    expect(json.result.structuredContent).toMatchObject({ id: ticketId, topic: 'Fast path' });
    expect(json.result.content[0]!.text).toContain(ticketId);
    expect(json.result.resultType).toBe('complete');
    expect(json.result._meta['io.modelcontextprotocol/serverInfo']).toMatchObject({ name: 'ticketbridge' });
  });

  it('answers a repeated read with the new state once the ticket changed, in the structure and the text', async () => {
    const read = async (id: number) => JSON.parse((await send(server.url, { ...CASES[0]!, body: () => call('get_ticket', getTicket(), ENVELOPE, id) })).text) as
      { id: number; result: { structuredContent: { priority: number | null }; content: Array<{ text: string }> } };
    // Twice before the change: the second is the cached answer, reused with its own id.
    const before = [await read(1), await read(2)];
    expect(before.map((a) => a.id)).toEqual([1, 2]);
    expect(before[1]!.result).toEqual(before[0]!.result);
    expect(before[1]!.result.content[0]!.text).not.toContain('priority 2');
    await server.engine.tickets.setPriority(staffActor(STAFF), { guild_id: server.g.guildId, ticket: { ticket_id: ticketId }, priority: 2 });
    const after = await read(3);
    expect(after.id).toBe(3);
    expect(after.result.structuredContent.priority).toBe(2);
    expect(after.result.content[0]!.text).toContain('priority 2');
    // And the SDK's path, handed the same shared (frozen) cached answer, still answers it.
    const viaSdk = JSON.parse((await send(sdkUrl, { ...CASES[0]!, body: () => call('get_ticket', getTicket(), ENVELOPE, 3) })).text) as typeof after;
    expect(viaSdk).toEqual(after);
    await server.engine.tickets.setPriority(staffActor(STAFF), { guild_id: server.g.guildId, ticket: { ticket_id: ticketId }, priority: null });
  });

  it.each([
    ['an unknown token', 'Bearer tb_nope_nope_nope_nope'],
    ['a malformed Authorization header', 'Basic abc'],
  ])('refuses %s exactly as before', async (_what, authorization) => {
    const viaSdk = await send(sdkUrl, CASES[0]!, authorization);
    const viaServer = await send(server.url, CASES[0]!, authorization);
    expect(viaServer.status).toBe(401);
    expect(viaServer).toEqual(viaSdk);
  });

  it('answers a token without the ability as the SDK does', async () => {
    const { token } = await server.engine.tokens.create({ name: 'writer', user_id: STAFF, guild_ids: [server.g.guildId], abilities: ['guild:read'] });
    const viaSdk = await send(sdkUrl, CASES[0]!, `Bearer ${token}`);
    const viaServer = await send(server.url, CASES[0]!, `Bearer ${token}`);
    expect(viaServer.chunked).toBe(false);
    expect(JSON.parse(viaServer.text)).toMatchObject({ result: { isError: true, _meta: { 'ticketbridge/error': { code: 'forbidden' } } } });
    expect({ ...viaServer, chunked: undefined }).toEqual({ ...viaSdk, chunked: undefined });
  });
});
