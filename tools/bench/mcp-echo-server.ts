/**
 * The baseline of the MCP call benchmark: one `echo` tool, run by tools/bench/mcp-calls.ts as a child
 * process: `tsx mcp-echo-server.ts stdio|http|canned`.
 * - `stdio`: on SDK v2, the SDK ticketbridge serves with (@modelcontextprotocol/server: McpServer +
 *   registerTool behind `serveStdio`, which takes both eras, 2025-11-25 `initialize` and 2026-07-28
 *   `server/discover`, as `ticketbridge stdio` does).
 * - `http`: on SDK v1's default Streamable HTTP setup (stateful sessions, an SSE stream per POST),
 *   the baseline the HTTP target was set against.
 *
 * `canned` is no MCP server at all but the ceiling of the HTTP comparison: plain node:http answering
 * every tools/call at once with the same prepared JSON body (the size of a get_ticket answer), so
 * what an SDK client reaches against it is the most any server can reach with that client.
 */
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { McpServer as McpServerV2 } from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';

/** The stdio baseline on SDK v2: the same one tool, one instance per connection from serveStdio. */
function echoServerV2(): McpServerV2 {
  const server = new McpServerV2({ name: 'echo', version: '1.0.0' });
  server.registerTool('echo', { description: 'Echo the text back', inputSchema: z.object({ text: z.string() }), outputSchema: z.object({ text: z.string() }) },
    async ({ text }) => ({ content: [{ type: 'text', text }], structuredContent: { text } }));
  return server;
}

/** The HTTP baseline on SDK v1's McpServer. */
function echoServer(): McpServer {
  const server = new McpServer({ name: 'echo', version: '1.0.0' });
  server.registerTool('echo', { description: 'Echo the text back', inputSchema: { text: z.string() }, outputSchema: { text: z.string() } },
    async ({ text }) => ({ content: [{ type: 'text', text }], structuredContent: { text } }));
  return server;
}

/** The ceiling server: initialize, 202 for notifications, 405 for GET, a prepared result for calls. */
function cannedServer(result: string) {
  const sessionId = randomUUID();
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST') { res.writeHead(405).end(); return; }
      const msg = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id?: number | string; method: string; params?: { protocolVersion?: string } };
      if (msg.id === undefined) { res.writeHead(202).end(); return; }
      const body = msg.method === 'initialize'
        ? JSON.stringify({ jsonrpc: '2.0', id: msg.id, result: { protocolVersion: msg.params?.protocolVersion, capabilities: { tools: {} }, serverInfo: { name: 'canned', version: '1.0.0' } } })
        : `{"jsonrpc":"2.0","id":${JSON.stringify(msg.id)},"result":${result}}`;
      res.writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': sessionId }).end(body);
    });
  });
}

async function main(mode: string): Promise<void> {
  if (mode === 'stdio') { serveStdio(() => echoServerV2()); return; }
  if (mode === 'canned') {
    const http = cannedServer(process.argv[3] ?? '{"content":[]}');
    http.listen(0, '127.0.0.1', () => {
      const address = http.address();
      process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`);
    });
    return;
  }
  const transports = new Map<string, StreamableHTTPServerTransport>();
  const http = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown : undefined;
        const id = req.headers['mcp-session-id'];
        let transport = typeof id === 'string' ? transports.get(id) : undefined;
        if (!transport) {
          transport = new StreamableHTTPServerTransport({ sessionIdGenerator: () => randomUUID(), onsessioninitialized: (sid) => { transports.set(sid, transport!); } });
          await echoServer().connect(transport);
        }
        await transport.handleRequest(req, res, body);
      })();
    });
  });
  http.listen(0, '127.0.0.1', () => {
    const address = http.address();
    process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`);
  });
}

process.once('SIGINT', () => process.exit(0));
if (process.argv[1] === fileURLToPath(import.meta.url)) void main(process.argv[2] ?? 'stdio');
