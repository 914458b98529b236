/**
 * The MCP face over Streamable HTTP at /mcp, on the same server as REST. Both protocol eras on one
 * endpoint, through the SDK's own HTTP machinery:
 *
 * - 2026-07-28 (per-request `_meta` envelope): the SDK's `createMcpHandler` builds a server per
 *   request from the catalogue (server/discover, Mcp-Method/Mcp-Name validation, resultType, cache
 *   hints, cancellation by closing the stream). Nothing is kept between requests, so any process on
 *   the same database answers any request; `subscriptions/listen` streams hear changes through a bus
 *   fed by the engine's change feed.
 * - 2025-11-25 (initialize): one session per initialize, bound to its token, on the SDK's
 *   `WebStandardStreamableHTTPServerTransport` with an event store (GET stream, Last-Event-ID
 *   resumption), subscriptions, progress and logging. `isLegacyRequest` (the SDK's own routing
 *   predicate) decides which leg a request takes.
 *
 * One exception, hand-written because the SDK's per-request machinery costs five to eight times a REST
 * request's CPU: a plain single 2026-07-28 tools/call (src/mcp/http-fast-path.ts says exactly which)
 * is answered by the same tool code with the SDK's own bytes, without building a server for it
 * (TICKETBRIDGE_MCP_FAST_PATH=off turns that off).
 *
 * In front of both, what the SDK leaves to us: bearer tokens (the REST tokens, abilities and guild
 * scopes), Host and Origin checks, the body limit, tools chosen per request by header
 * (X-MCP-Toolsets, X-MCP-Tools, X-MCP-Readonly; read-only wins), and the guild check of every URI a
 * `subscriptions/listen` asks for, made before the SDK's listen router acknowledges it.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createMcpHandler, isLegacyRequest, PROTOCOL_VERSION_META_KEY, WebStandardStreamableHTTPServerTransport, type AuthInfo, type McpHandlerRequestOptions } from '@modelcontextprotocol/server';
import { toNodeHandler } from '@modelcontextprotocol/node';
import type { Actor } from '../engine/actor.js';
import { asUnavailable, isEngineError } from '../engine/errors.js';
import type { AppDeps } from '../deps.js';
import { catalogue } from '../operations/index.js';
import { asMcpError } from './catalogue-calls.js';
import { RequestSession, type SessionContext } from './context.js';
import { SessionEventStore } from './event-store.js';
import { createSessionAuthenticator, bearerOf } from './http-auth.js';
import { createHostGuard } from './http-guard.js';
import { isJsonRpcMessage } from './jsonrpc.js';
import { ResponseCancellation } from './cancellation.js';
import { encodeToolCallResponse, FAST_PROTOCOL_VERSION, recogniseToolCall } from './http-fast-path.js';
import { NO_PROGRESS } from './progress.js';
import { createSession, type McpSession } from './server.js';
import { checkSubscribable, createChangeBus } from './subscriptions.js';
import { runTool } from './tools.js';
import { parseBool, parseList, resolveSelection, SelectionError, type ResolvedSelection } from './toolsets.js';

export const MCP_PATH = '/mcp';
/** Largest JSON-RPC body accepted (a tool call's arguments are small; 1 MiB leaves room for batches). */
export const MAX_BODY_BYTES = 1024 * 1024;
const IDLE_MS = 30 * 60 * 1000;
const MAX_SESSIONS = 1000;
/** How long a 2025-11-25 client waits before resuming a dropped event stream (the SSE `retry` field). */
export const SSE_RETRY_MS = 2000;

/** Who is calling, as checked in front of the SDK; handed through it as the request's AuthInfo. */
interface Principal { actor: Actor; key: string; selection: ResolvedSelection; selectionHeaders: boolean }

interface HttpSession { session: McpSession; transport: WebStandardStreamableHTTPServerTransport; tokenKey: string; actor: Actor; lastSeen: number }

const rpcBody = (code: number, message: string, id: unknown = null, data?: unknown) => JSON.stringify({ jsonrpc: '2.0', error: { code, message, ...(data !== undefined ? { data } : {}) }, id });
const rpcResponse = (status: number, code: number, message: string, id: unknown = null, data?: unknown) =>
  new Response(rpcBody(code, message, id, data), { status, headers: { 'content-type': 'application/json' } });

function rpcError(reply: FastifyReply, status: number, code: number, message: string, headers: Record<string, string> = {}) {
  return reply.code(status).headers({ 'content-type': 'application/json', ...headers }).send(rpcBody(code, message));
}

const header = (req: FastifyRequest, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
};

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
/** Whether a single message claims the 2026-07-28 envelope (`_meta` naming that revision): never legacy traffic then. */
const hasEnvelopeClaim = (body: unknown): boolean => isObj(body) && isObj(body.params) && isObj(body.params._meta) && body.params._meta[PROTOCOL_VERSION_META_KEY] === FAST_PROTOCOL_VERSION;

export async function registerMcpHttp(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const guard = createHostGuard(deps.config.HOST, deps.config.TICKETBRIDGE_ALLOWED_HOSTS);
  const authenticate = createSessionAuthenticator(deps.engine, deps.config.TICKETBRIDGE_TOKEN_CACHE_MS);
  const principals = new WeakMap<AuthInfo, Principal>();
  const onerror = (err: Error) => deps.logger.debug({ err: err.message }, 'MCP request refused or failed');

  // ---- 2026-07-28: a server per request, nothing kept -------------------------------------------
  const changes = createChangeBus(deps.engine, onerror);
  const modern = createMcpHandler((ctx) => {
    const p = ctx.authInfo ? principals.get(ctx.authInfo) : undefined;
    if (!p) throw new Error('An MCP request reached the server factory without a checked token.');
    // The SDK has checked Mcp-Method against the body before it builds the server.
    const method = ctx.requestInfo?.headers.get('mcp-method') ?? undefined;
    return createSession(deps, { actor: () => p.actor, selection: p.selection, label: 'http', era: 'modern', method }).server;
  }, { legacy: 'reject', bus: changes.bus, maxRequestBodySize: MAX_BODY_BYTES, onerror });

  /** The listen router acknowledges any URI: refuse the whole request if one is not this token's. */
  async function refuseListen(body: Obj, p: Principal): Promise<Response | undefined> {
    const params = isObj(body.params) ? body.params : {};
    const filter = isObj(params.notifications) ? params.notifications : {};
    const uris = Array.isArray(filter.resourceSubscriptions) ? filter.resourceSubscriptions : [];
    const context: SessionContext = { deps, actor: () => p.actor, selection: () => p.selection, label: 'http', era: 'modern' };
    for (const uri of uris) {
      if (typeof uri !== 'string') return rpcResponse(200, -32602, 'notifications.resourceSubscriptions must list URI strings.', body.id);
      try { await checkSubscribable(context, uri); } catch (err) {
        const e = asMcpError(err) as { code?: unknown; message?: unknown; data?: unknown };
        return rpcResponse(200, typeof e.code === 'number' ? e.code : -32603, typeof e.message === 'string' ? e.message : 'Subscription refused.', body.id, e.data);
      }
    }
    return undefined;
  }

  // ---- 2025-11-25: sessions ------------------------------------------------------------------
  const sessions = new Map<string, HttpSession>();
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

  async function legacy(request: Request, p: Principal, authInfo: AuthInfo, body: unknown): Promise<Response> {
    const sessionId = request.headers.get('mcp-session-id');
    if (!sessionId) {
      const initialize = isObj(body) && body.method === 'initialize';
      if (!initialize) {
        // 2026-07-28 has no GET/DELETE on the endpoint; a 2025-11-25 client must initialize first.
        if (request.method !== 'POST') return rpcResponse(405, -32000, 'Method not allowed: GET and DELETE need the Mcp-Session-Id of a 2025-11-25 session.');
        return rpcResponse(400, -32000, 'Missing Mcp-Session-Id header: initialize first, then send the session id you got back.');
      }
      if (sessions.size >= MAX_SESSIONS) {
        const oldest = [...sessions.entries()].sort((a, b) => a[1].lastSeen - b[1].lastSeen)[0];
        if (oldest) await closeSession(oldest[0]);
      }
      const entry = { tokenKey: p.key, actor: p.actor, lastSeen: Date.now() } as HttpSession;
      const transport = new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        eventStore: new SessionEventStore(),
        // Sent in each stream's priming event: a client whose stream drops reconnects (GET with
        // Last-Event-ID) after this long instead of a guess of its own.
        retryInterval: SSE_RETRY_MS,
        maxRequestBodySize: MAX_BODY_BYTES,
        onsessioninitialized: (id) => { sessions.set(id, entry); },
        onsessionclosed: (id) => { void closeSession(id); },
      });
      entry.transport = transport;
      entry.session = createSession(deps, { actor: () => entry.actor, selection: p.selection, label: 'http-session', era: 'legacy' });
      await entry.session.server.connect(transport);
      return transport.handleRequest(request, { parsedBody: body, authInfo });
    }
    const s = sessions.get(sessionId);
    if (!s) return rpcResponse(404, -32001, 'Session not found (it ended or expired). Initialize a new session.');
    if (s.tokenKey !== p.key) return rpcResponse(403, -32000, 'This session belongs to another token. Initialize a session with your own token.');
    s.actor = p.actor;
    s.lastSeen = Date.now();
    if (p.selectionHeaders) s.session.setSelection(p.selection);
    if (request.method === 'DELETE') { await closeSession(sessionId); return new Response(null, { status: 200 }); }
    // A batch that cancels its own calls: those calls are never started, and with nothing left the
    // answer is 202 (the transport would otherwise hold a stream open for answers that never come).
    if (Array.isArray(body)) {
      const batch: unknown[] = body;
      const cancelled = new Set(batch.filter((m) => isObj(m) && m.method === 'notifications/cancelled' && isObj(m.params)).map((m) => (m as { params: Obj }).params.requestId));
      const rest = batch.filter((m) => !(isObj(m) && ((m.id !== undefined && m.method !== undefined && cancelled.has(m.id)) || (m.method === 'notifications/cancelled' && isObj(m.params) && batch.some((o) => isObj(o) && o.id === (m.params as Obj).requestId && o.method !== undefined)))));
      if (rest.length === 0) return new Response(null, { status: 202, headers: { 'mcp-session-id': sessionId } });
      body = rest.length === 1 ? rest[0] : rest;
    }
    return s.transport.handleRequest(request, { parsedBody: body, authInfo });
  }

  async function route(request: Request, options?: McpHandlerRequestOptions): Promise<Response> {
    const authInfo = options?.authInfo;
    const p = authInfo ? principals.get(authInfo) : undefined;
    if (!authInfo || !p) return rpcResponse(401, -32001, 'Send a bearer token.');
    const body = options?.parsedBody;
    // A request carrying the 2026-07-28 envelope claim is never legacy (isLegacyRequest's own rule):
    // skip classifying it twice, as createMcpHandler classifies it again.
    if (!hasEnvelopeClaim(body) && await isLegacyRequest(request, body, { maxRequestBodySize: MAX_BODY_BYTES })) return legacy(request, p, authInfo, body);
    if (isObj(body) && body.method === 'subscriptions/listen') {
      const refused = await refuseListen(body, p);
      if (refused) return refused;
    }
    return modern.fetch(request, options);
  }
  const serve = toNodeHandler({ fetch: route }, { maxRequestBodySize: MAX_BODY_BYTES, onerror: (err) => deps.logger.error({ err }, 'MCP HTTP request failed') });

  app.addHook('preClose', async () => {
    clearInterval(sweeper);
    changes.stop();
    await modern.close();
    await Promise.all([...sessions.keys()].map(closeSession));
  });

  // The tools a request's selection headers choose, resolved once per distinct set of header values
  // (clients send the same few on every request). Bounded: a flood of distinct values starts it over.
  const selections = new Map<string, ResolvedSelection>();
  function selectionOf(toolsets: string | undefined, tools: string | undefined, readOnly: string | undefined): ResolvedSelection {
    const key = `${toolsets ?? ''}\u0000${tools ?? ''}\u0000${readOnly ?? ''}`;
    let selection = selections.get(key);
    if (!selection) {
      selection = resolveSelection(catalogue, {
        toolsets: parseList(toolsets) ?? parseList(deps.config.TOOLSETS),
        tools: parseList(tools) ?? parseList(deps.config.TOOLS),
        // Read-only wins: a header cannot lift a server started read-only.
        readOnly: deps.config.READ_ONLY || parseBool(readOnly) === true,
      });
      if (selections.size >= 256) selections.clear();
      selections.set(key, selection);
    }
    return selection;
  }

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
    let selection: ResolvedSelection;
    try {
      selection = selectionOf(header(req, 'x-mcp-toolsets'), header(req, 'x-mcp-tools'), header(req, 'x-mcp-readonly'));
    } catch (err) {
      if (err instanceof SelectionError) return rpcError(reply, 400, -32602, err.message);
      throw err;
    }

    let parsed: unknown;
    if (req.method === 'POST') {
      const contentType = header(req, 'content-type') ?? '';
      if (!/^application\/json\s*(;|$)/i.test(contentType)) return rpcError(reply, 415, -32000, 'Send JSON-RPC with "Content-Type: application/json".');
      try { parsed = JSON.parse(req.body as string); } catch { return rpcError(reply, 400, -32700, 'Parse error: the body is not valid JSON.'); }
      const wellFormed = Array.isArray(parsed) ? parsed.length > 0 && parsed.every(isJsonRpcMessage) : isJsonRpcMessage(parsed);
      if (!wellFormed) return rpcError(reply, 400, -32600, 'Invalid Request: every message needs "jsonrpc": "2.0".');
    } else if (req.method !== 'GET' && req.method !== 'DELETE') {
      return rpcError(reply, 405, -32000, 'Use POST (or, in a 2025-11-25 session, GET and DELETE) on /mcp.', { allow: 'GET, POST, DELETE' });
    }

    // A plain single 2026-07-28 tools/call: the same tool code and the same answer as through the SDK,
    // without its per-request machinery (src/mcp/http-fast-path.ts says exactly what qualifies).
    const fast = deps.config.TICKETBRIDGE_MCP_FAST_PATH ? recogniseToolCall(parsed, (name) => header(req, name)) : undefined;
    if (fast) {
      const context = new RequestSession(deps, auth.actor, selection, 'http', 'modern');
      // Closing the connection cancels the call, as it does on the SDK's path.
      const cancel = new ResponseCancellation(reply.raw);
      const result = await runTool(context, fast.name, fast.args, { cancel, progress: NO_PROGRESS });
      reply.hijack();
      // The client went away: nobody is left to answer (the SDK's path answers no one either).
      if (cancel.aborted) return reply;
      // Written as the SDK's path writes it (no charset added to the content type), in one write.
      const body = encodeToolCallResponse(fast.id, result);
      reply.raw.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      reply.raw.end(body);
      return reply;
    }

    const authInfo: AuthInfo = { token: auth.key, clientId: auth.actor.userId ?? 'operator', scopes: [] };
    const selectionHeaders = ['x-mcp-toolsets', 'x-mcp-tools', 'x-mcp-readonly'].some((h) => req.headers[h] !== undefined);
    principals.set(authInfo, { actor: auth.actor, key: auth.key, selection, selectionHeaders });
    (req.raw as IncomingMessage & { auth?: AuthInfo }).auth = authInfo;
    reply.hijack();
    await serve(req.raw, reply.raw, parsed);
    return reply;
  }

  await app.register(async (scope) => {
    // /mcp reads its body itself: JSON-RPC errors (-32700) instead of Fastify's, and its own size limit.
    scope.removeAllContentTypeParsers();
    const asText = (_req: FastifyRequest, body: string | Buffer, done: (err: null, body: string | Buffer) => void) => done(null, body);
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: MAX_BODY_BYTES }, asText);
    // The same parser named for JSON as well: Fastify caches the parser it finds for a content type,
    // except the catch-all, which it looks up again (parsing the header) on every request.
    scope.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: MAX_BODY_BYTES }, asText);
    scope.setErrorHandler((err: { statusCode?: number; code?: string; message: string }, _req, reply) => {
      if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return rpcError(reply, 413, -32000, `Request body too large: the limit is ${MAX_BODY_BYTES} bytes.`);
      if (err.statusCode && err.statusCode < 500) return rpcError(reply, err.statusCode, -32000, err.message);
      const known = asMcpError(err) as { message?: unknown };
      if (isEngineError(err) || known !== err) return rpcError(reply, 503, -32000, typeof known.message === 'string' ? known.message : 'The database is unavailable right now. Retry in a few seconds.');
      deps.logger.error({ err }, 'MCP HTTP request failed');
      return rpcError(reply, 500, -32603, 'Internal error; it has been logged. Retry once.');
    });
    scope.route({ method: ['GET', 'POST', 'DELETE'], url: MCP_PATH, bodyLimit: MAX_BODY_BYTES, handler: handle });
  });
}
