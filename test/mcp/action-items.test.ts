/** The action_items toolset through the SDK client over HTTP: listed on request, working, refusing bad input by field. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { actionItemOperations } from '../../src/operations/action-items.js';
import { describeEachDatabase } from '../support/databases.js';
import { DEMO, seedDemo, startRestServer, type RestServer } from '../rest/harness.js';
import { textOf, type ToolResult } from './helpers.js';

describeEachDatabase('MCP action_items toolset', (database) => {
  let s: RestServer;
  let token: string;
  const clients: Client[] = [];
  const connect = async (headers: Record<string, string>) => {
    const c = new Client({ name: 'agent', version: '1.0.0' });
    await c.connect(new StreamableHTTPClientTransport(new URL(`${s.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${token}`, ...headers } } }));
    clients.push(c);
    return c;
  };
  beforeAll(async () => {
    await seedDemo(database());
    s = await startRestServer(database(), { TICKETBRIDGE_RATE_LIMIT_TOKEN: '0', TICKETBRIDGE_RATE_LIMIT_IP: '0' });
    token = (await s.engine.tokens.create({ abilities: ['*'], user_id: DEMO.staffId })).token;
  });
  afterAll(async () => {
    for (const c of clients) await c.close();
    await s.close();
  });

  it('lists the toolset only when asked, and read-only keeps only its reads', async () => {
    const names = actionItemOperations.map((o) => o.name).sort();
    const byDefault = (await (await connect({})).listTools()).tools.map((t) => t.name);
    expect(byDefault.filter((n) => names.includes(n))).toEqual([]);
    const asked = await connect({ 'x-mcp-toolsets': 'action_items' });
    expect((await asked.listTools()).tools.map((t) => t.name).sort()).toEqual(names);
    const readOnly = (await (await connect({ 'x-mcp-toolsets': 'action_items', 'x-mcp-readonly': 'true' })).listTools()).tools;
    expect(readOnly.map((t) => t.name)).toContain('list_action_items');
    expect(readOnly.map((t) => t.name)).not.toContain('create_action_item');
    expect(readOnly.every((t) => t.annotations?.readOnlyHint === true)).toBe(true);
  });

  it('creates, lists and completes an action item, and names the field of bad input', async () => {
    const c = await connect({ 'x-mcp-toolsets': 'action_items' });
    await c.listTools();
    const created = (await c.callTool({ name: 'create_action_item', arguments: { guild_id: DEMO.guildId, channel_id: DEMO.channelId, text: 'Call the customer back', priority: 'high' } })) as ToolResult;
    expect(created.isError).toBeFalsy();
    const id = created.structuredContent!['id'] as string;
    expect(created.structuredContent).toMatchObject({ text: 'Call the customer back', priority: 'high', status: 'pending', channel_name: 'ticket-0001' });
    const done = (await c.callTool({ name: 'set_action_item_status', arguments: { guild_id: DEMO.guildId, item_id: id, status: 'completed' } })) as ToolResult;
    expect(done.structuredContent).toMatchObject({ id, status: 'completed' });
    const listed = (await c.callTool({ name: 'list_action_items', arguments: { guild_id: DEMO.guildId, status: 'completed' } })) as ToolResult;
    expect(listed.structuredContent).toMatchObject({ total: 1, action_items: [{ id }] });
    const bad = (await c.callTool({ name: 'create_action_item', arguments: { guild_id: DEMO.guildId, channel_id: DEMO.channelId, text: 'x', priority: 'urgent' } })) as ToolResult;
    expect(bad.isError).toBe(true);
    expect(textOf(bad)).toMatch(/priority/);
    const noSweep = (await c.callTool({ name: 'trigger_sweep', arguments: { guild_id: DEMO.guildId } })) as ToolResult;
    expect(noSweep.isError).toBe(true);
    expect(textOf(noSweep)).toMatch(/monitors no channels.*monitor_channel/);
  });
});
