/**
 * Fuzzing every MCP tool over Streamable HTTP with the SDK's client (fast-check): valid-looking and
 * random arguments never bring a protocol error; a refusal is an isError result with a sentence (naming
 * the field when the input was wrong) and leaves the database as it was; a success carries
 * structuredContent that the client checks against the tool's output schema.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { describeEachDatabase } from '../support/databases.js';
import { DEMO, dbFingerprint, seedDemo, startRestServer, type RestServer } from '../rest/harness.js';
import { sampleArgs } from '../rest/samples.js';
import { textOf, type ToolResult } from './helpers.js';

const idLike = fc.oneof(
  fc.constantFrom(DEMO.guildId, DEMO.ticketId, DEMO.channelId, DEMO.groupId, '0', '-1', '1e21', '12345678901234567890123', '', ' ', 'null'),
  fc.string({ maxLength: 30 }), fc.stringMatching(/^\d{1,25}$/),
);
const anyValue = fc.oneof(idLike, fc.jsonValue({ maxDepth: 3 }));

describeEachDatabase('MCP fuzz', (database) => {
  let s: RestServer;
  let client: Client;
  let tools: Tool[];
  beforeAll(async () => {
    await seedDemo(database());
    s = await startRestServer(database(), { TICKETBRIDGE_RATE_LIMIT_TOKEN: '0', TICKETBRIDGE_RATE_LIMIT_IP: '0' });
    const { token } = await s.engine.tokens.create({ abilities: ['*'], user_id: DEMO.staffId });
    client = new Client({ name: 'fuzz', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${s.url}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${token}`, 'x-mcp-toolsets': 'all' } },
    }));
    // Listing makes the client check every structuredContent against the tool's output schema.
    tools = (await client.listTools()).tools;
  });
  afterAll(async () => {
    await client?.close();
    await s?.close();
  });

  it('answers every tool, whatever its arguments, with a result or an isError sentence, and refusals change nothing', async () => {
    expect(tools.length).toBeGreaterThan(60);
    let successes = 0;
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 0, max: tools.length - 1 }), fc.boolean(), fc.array(fc.tuple(fc.nat(), fc.string({ maxLength: 12 }), anyValue), { maxLength: 3 }),
      async (index, keepValid, noise) => {
        const tool = tools[index]!;
        const fields = Object.keys((tool.inputSchema.properties ?? {}) as Record<string, unknown>);
        const args: Record<string, unknown> = keepValid ? sampleArgs(tool.inputSchema as Record<string, unknown>) : {};
        // Noise lands on the tool's own fields as often as on unknown ones.
        for (const [pick, name, value] of noise) args[pick % 2 === 0 && fields.length ? fields[pick % fields.length]! : name] = value;
        const where = `${tool.name} ${JSON.stringify(args).slice(0, 300)}`;
        const before = await dbFingerprint(database());
        const result = await client.callTool({ name: tool.name, arguments: args }) as ToolResult & { _meta?: Record<string, { code?: string; fields?: Array<{ path: string }> }> };
        if (result.isError) {
          const text = textOf(result);
          expect(text.length, where).toBeGreaterThan(10);
          expect(text, where).toMatch(/[.?]$|\.\s/);
          const meta = result._meta?.['ticketbridge/error'];
          if (meta?.code === 'invalid' && meta.fields?.length) expect(text, where).toContain(meta.fields[0]!.path);
          expect(await dbFingerprint(database()), `a refused call changed the database: ${where}`).toBe(before);
        } else {
          successes++;
          expect(result.structuredContent, where).toBeTypeOf('object');
        }
      },
    ), { numRuns: 200 });
    expect(successes, 'valid-looking arguments reach the success path too').toBeGreaterThan(0);
  });
});
