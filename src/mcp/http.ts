/**
 * The MCP face over Streamable HTTP at /mcp, on the same server as REST: bearer token required (the
 * REST tokens, abilities and guild scopes), one session per initialize bound to its token, Host and
 * Origin checked, request bodies limited, tools chosen per session by header
 * (X-MCP-Toolsets, X-MCP-Tools, X-MCP-Readonly; read-only wins).
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js';
import type { Actor } from '../engine/actor.js';
import { asUnavailable, isEngineError } from '../engine/errors.js';
import type { AppDeps } from '../deps.js';
import { catalogue } from '../operations/index.js';
import { createSessionAuthenticator, bearerOf } from './http-auth.js';
import { createHostGuard } from './http-guard.js';
import { HybridHttpTransport, isRequest } from './http-transport.js';
import { isJsonRpcMessage } from './jsonrpc.js';
import { createSession, type McpSession } from './server.js';
import { parseBool, parseList, resolveSelection, SelectionError, type ResolvedSelection } from './toolsets.js';

export const MCP_PATH = '/mcp';
/** Largest JSON-RPC body accepted (a tool call's arguments are small; 1 MiB leaves room for batches). */
export const MAX_BODY_BYTES = 1024 * 1024;
const IDLE_MS = 30 * 60 * 1000;
const MAX_SESSIONS = 1000;
const MAX_BATCH = 100;

interface HttpSession { session: McpSession; transport: HybridHttpTransport; tokenKey: string; actor: Actor; lastSeen: number }

function rpcError(reply: FastifyReply, status: number, code: number, message: string, headers: Record<string, string> = {}) {
  return reply.code(status).headers({ 'content-type': 'application/json', ...headers }).send(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}

const header = (req: FastifyRequest, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
};

function accepts(req: FastifyRequest, type: string): boolean {
  const accept = header(req, 'accept');
  if (!accept) return false;
  return accept.includes(type) || accept.includes('*/*');
}

export async function registerMcpHttp(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const guard = createHostGuard(deps.config.HOST, deps.config.TICKETBRIDGE_ALLOWED_HOSTS);
  const authenticate = createSessionAuthenticator(deps.engine, deps.config.TICKETBRIDGE_TOKEN_CACHE_MS);
  const sessions = new Map<string, HttpSession>();

  const selectionFrom = (req: FastifyRequest): ResolvedSelection => resolveSelection(catalogue, {
    toolsets: parseList(header(req, 'x-mcp-toolsets')) ?? parseList(deps.config.TOOLSETS),
    tools: parseList(header(req, 'x-mcp-tools')) ?? parseList(deps.config.TOOLS),
    // Read-only wins: a header cannot lift a server started read-only.
    readOnly: deps.config.READ_ONLY || parseBool(header(req, 'x-mcp-readonly')) === true,
  });
  const hasSelectionHeaders = (req: FastifyRequest) => ['x-mcp-toolsets', 'x-mcp-tools', 'x-mcp-readonly'].some((h) => req.headers[h] !== undefined);

  const closeSession = async (id: string) => {
    const s = sessions.get(id);
    if (!s) return;
    sessions.delete(id);
    await s.session.close().catch(() => {});
    await s.transport.close().catch(() => {});
  };

  const sweeper = setInterval(() => {
    const cutoff = Date.now() - IDLE_MS;
    for (const [id, s] of sessions) if (s.lastSeen < cutoff) void closeSession(id);
  }, 60_000);
  sweeper.unref();
  app.addHook('preClose', async () => {
    clearInterval(sweeper);
    await Promise.all([...sessions.keys()].map(closeSession));
  });

  async function handle(req: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    const refused = guard.check(header(req, 'host'), header(req, 'origin'));
    if (refused) return rpcError(reply, 403, -32000, refused);

    let auth;
    try {
      auth = await authenticate(bearerOf(header(req, 'authorization')));
    } catch (err) {
      if (isEngineError(err) && err.code === 'unauthorized') return rpcError(reply, 401, -32001, err.message, { 'www-authenticate': 'Bearer realm="ticketbridge"' });
      // The token could not be checked because the database is down: a retryable 503, not a 500.
      const down = asUnavailable(err);
      if (down) return rpcError(reply, 503, -32000, down.message, { 'retry-after': '2' });
      throw err;
    }

    const sessionId = header(req, 'mcp-session-id');
    const version = header(req, 'mcp-protocol-version');
    if (version !== undefined && !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) {
      return rpcError(reply, 400, -32000, `Unsupported MCP-Protocol-Version ${version}; supported: ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')}.`);
    }

    const existing = (): HttpSession | FastifyReply => {
      if (!sessionId) return rpcError(reply, 400, -32000, 'Missing Mcp-Session-Id header: initialize first, then send the session id you got back.');
      const s = sessions.get(sessionId);
      if (!s) return rpcError(reply, 404, -32001, 'Session not found (it ended or expired). Initialize a new session.');
      if (s.tokenKey !== auth.key) return rpcError(reply, 403, -32000, 'This session belongs to another token. Initialize a session with your own token.');
      s.actor = auth.actor;
      s.lastSeen = Date.now();
      return s;
    };

    if (req.method === 'DELETE') {
      const s = existing();
      if (!('session' in s)) return s;
      await closeSession(s.transport.sessionId);
      return reply.code(200).send();
    }

    if (req.method === 'GET') {
      if (!accepts(req, 'text/event-stream')) return rpcError(reply, 406, -32000, 'GET /mcp opens an event stream: send "Accept: text/event-stream".');
      const s = existing();
      if (!('session' in s)) return s;
      const last = header(req, 'last-event-id');
      if (last) {
        const status = s.transport.resume(last, reply.hijack().raw);
        if (status === 'ok') return reply;
        reply.raw.writeHead(400, { 'content-type': 'application/json' });
        reply.raw.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message: 'Unknown Last-Event-ID: the stream is gone; continue without resuming.' }, id: null }));
        return reply;
      }
      if (s.transport.isClosed) return rpcError(reply, 404, -32001, 'Session not found.');
      reply.hijack();
      if (!s.transport.openStandalone(reply.raw, (version ?? '') >= '2025-11-25')) {
        reply.raw.writeHead(409, { 'content-type': 'application/json' });
        reply.raw.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message: 'This session already has an open event stream.' }, id: null }));
      }
      return reply;
    }

    if (req.method !== 'POST') return rpcError(reply, 405, -32000, 'Use POST, GET or DELETE on /mcp.', { allow: 'GET, POST, DELETE' });
    const contentType = header(req, 'content-type') ?? '';
    if (!/^application\/json\s*(;|$)/i.test(contentType)) return rpcError(reply, 415, -32000, 'Send JSON-RPC with "Content-Type: application/json".');
    const acceptsJson = accepts(req, 'application/json');
    if (!acceptsJson && !accepts(req, 'text/event-stream')) return rpcError(reply, 406, -32000, 'Accept application/json and text/event-stream.');

    let parsed: unknown;
    try { parsed = JSON.parse(req.body as string); } catch { return rpcError(reply, 400, -32700, 'Parse error: the body is not valid JSON.'); }
    const batch = Array.isArray(parsed);
    const messages = (batch ? parsed : [parsed]) as unknown[];
    if (messages.length === 0 || messages.length > MAX_BATCH) return rpcError(reply, 400, -32600, `Send 1 to ${MAX_BATCH} JSON-RPC messages per request.`);
    if (!messages.every(isJsonRpcMessage)) {
      return rpcError(reply, 400, -32600, 'Invalid Request: every message needs "jsonrpc": "2.0".');
    }

    let s: HttpSession;
    const initialize = messages.some((m) => m.method === 'initialize');
    if (initialize) {
      if (messages.length > 1) return rpcError(reply, 400, -32600, 'Send initialize alone, not in a batch.');
      if (sessionId && sessions.has(sessionId)) return rpcError(reply, 400, -32600, 'This session is already initialized.');
      let selection: ResolvedSelection;
      try { selection = selectionFrom(req); } catch (err) {
        if (err instanceof SelectionError) return rpcError(reply, 400, -32602, err.message);
        throw err;
      }
      if (sessions.size >= MAX_SESSIONS) {
        const oldest = [...sessions.values()].sort((a, b) => a.lastSeen - b.lastSeen)[0];
        if (oldest) await closeSession(oldest.transport.sessionId);
      }
      const id = randomUUID();
      const transport = new HybridHttpTransport(id);
      const entry: HttpSession = { session: undefined as unknown as McpSession, transport, tokenKey: auth.key, actor: auth.actor, lastSeen: Date.now() };
      entry.session = createSession(deps, { actor: () => entry.actor, selection, label: id.slice(0, 8) });
      transport.onclose = () => { sessions.delete(id); };
      await entry.session.mcp.connect(transport);
      sessions.set(id, entry);
      s = entry;
    } else {
      const found = existing();
      if (!('session' in found)) return found;
      s = found;
      if (hasSelectionHeaders(req)) {
        try { s.session.setSelection(selectionFrom(req)); } catch (err) {
          if (err instanceof SelectionError) return rpcError(reply, 400, -32602, err.message);
          throw err;
        }
      }
    }

    const extra = { requestInfo: { headers: req.headers } };
    const requests = messages.filter(isRequest);
    if (requests.length === 0) {
      s.transport.deliver(messages, extra);
      return reply.code(202).header('mcp-session-id', s.transport.sessionId).send();
    }
    const wantsProgress = requests.some((r) => {
      const params = r.params as { _meta?: { progressToken?: unknown } } | undefined;
      return params?._meta?.progressToken !== undefined;
    });
    if (!acceptsJson || wantsProgress) {
      reply.hijack();
      const initVersion = initialize ? String((messages[0]?.params as { protocolVersion?: unknown } | undefined)?.protocolVersion ?? '') : version ?? '';
      s.transport.openRequestStream(requests, reply.raw, initVersion >= '2025-11-25');
      s.transport.deliver(messages, extra);
      return reply;
    }
    return new Promise<FastifyReply>((resolve) => {
      s.transport.expectJson(requests, batch, (body) => {
        if (body === null) resolve(reply.code(202).header('mcp-session-id', s.transport.sessionId).send());
        else resolve(reply.code(200).headers({ 'content-type': 'application/json', 'mcp-session-id': s.transport.sessionId }).send(body));
      });
      s.transport.deliver(messages, extra);
    });
  }

  await app.register(async (scope) => {
    // /mcp reads its body itself: JSON-RPC errors (-32700) instead of Fastify's, and its own size limit.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: MAX_BODY_BYTES }, (_req, body, done) => done(null, body));
    scope.setErrorHandler((err: { statusCode?: number; code?: string; message: string }, _req, reply) => {
      if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return rpcError(reply, 413, -32000, `Request body too large: the limit is ${MAX_BODY_BYTES} bytes.`);
      if (err.statusCode && err.statusCode < 500) return rpcError(reply, err.statusCode, -32000, err.message);
      deps.logger.error({ err }, 'MCP HTTP request failed');
      return rpcError(reply, 500, -32603, 'Internal error; it has been logged. Retry once.');
    });
    scope.route({ method: ['GET', 'POST', 'DELETE'], url: MCP_PATH, bodyLimit: MAX_BODY_BYTES, handler: handle });
  });
}
