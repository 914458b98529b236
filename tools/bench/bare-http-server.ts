/**
 * The floor for mcp-modern-http.ts: a bare node:http server that answers a GET with REST's answer
 * and a POST (body read and parsed as JSON, as any JSON-RPC server must) with MCP's answer, both
 * given in the environment (BARE_GET_BODY, BARE_POST_BODY). No framework, no work: the rate ratio
 * POST/GET here is what the HTTP exchanges alone allow the MCP/REST ratio to reach on this machine.
 * Talks to the bench as mcp-http-server.ts does (bench-server-io.ts).
 */
import { createServer } from 'node:http';
import { announce } from './bench-server-io.js';

const getBody = process.env['BARE_GET_BODY'] ?? '{}';
const postBody = process.env['BARE_POST_BODY'] ?? '{}';
const server = createServer((req, res) => {
  const answer = (body: string) => { res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }); res.end(body); };
  if (req.method !== 'POST') { answer(getBody); return; }
  let text = '';
  req.setEncoding('utf8');
  req.on('data', (chunk: string) => { text += chunk; });
  req.on('end', () => { JSON.parse(text); answer(postBody); });
});
server.listen(0, '127.0.0.1', () => announce(server.address()));
