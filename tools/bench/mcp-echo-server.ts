/**
 * The baseline of the MCP call benchmark: one `echo` tool on the same SDK (McpServer + registerTool),
 * over stdio, or over the SDK's default Streamable HTTP setup (stateful sessions, an SSE stream per
 * POST). Run by tools/bench/mcp-calls.ts as a child process: `tsx mcp-echo-server.ts stdio|http`.
 */
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';

function echoServer(): McpServer {
  const server = new McpServer({ name: 'echo', version: '1.0.0' });
  server.registerTool('echo', { description: 'Echo the text back', inputSchema: { text: z.string() }, outputSchema: { text: z.string() } },
    async ({ text }) => ({ content: [{ type: 'text', text }], structuredContent: { text } }));
  return server;
}

async function main(mode: string): Promise<void> {
  if (mode === 'stdio') { await echoServer().connect(new StdioServerTransport()); return; }
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
