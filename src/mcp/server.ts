/**
 * The MCP server for one 2025-11-25 session or one 2026-07-28 request: tools from the catalogue,
 * resources, prompts, completions, and (2025-11-25) subscriptions and logging. stdio and HTTP build
 * their servers here, so both transports and both eras expose exactly the same surface.
 *
 * Built on the SDK's low-level Server rather than McpServer: the catalogue is our registry (tool
 * definitions and JSON schemas are computed once per process, resource templates and prompts are
 * static lists), so a server built per request costs a dozen handler entries, not a hundred
 * registrations. Handlers for resources/read, prompts/get and completion/complete are registered with
 * their own params schema so that malformed params get -32602 with the field named. 2026-07-28
 * servers also serve the Tasks extension (src/mcp/tasks/): the long tools answer a declaring client
 * with a task, and tasks/get, tasks/cancel, tasks/update read the background-run rows.
 */
import { Server, type CacheHint, type ServerCapabilities } from '@modelcontextprotocol/server';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import type { Actor } from '../engine/actor.js';
import type { SessionContext } from './context.js';
import { completePromptArgument, getPrompt, PROMPTS } from './prompts.js';
import { completeResourceArgument, listResources, readResource, RESOURCE_TEMPLATES } from './resources.js';
import { mcpErrors } from './catalogue-calls.js';
import { changedUris, registerSubscriptions } from './subscriptions.js';
import { endExchangeOnCancel, registerTools } from './tools.js';
import type { ResolvedSelection } from './toolsets.js';
import { callAsTask, registerTasks } from './tasks/handlers.js';
import { TASKS_EXTENSION } from './tasks/extension.js';

export const SERVER_INFO = { name: 'ticketbridge', title: 'ticketbridge: Discord support tickets', version: '0.1.0' };

const INSTRUCTIONS = `Discord support tickets. Every ticket belongs to a guild: pass guild_id and either ticket_id or channel_id (the ticket's Discord channel or thread).
Start with list_guilds, then list_tickets (filters: status, assignee, priority, text). Read a conversation through the transcript resource ticketbridge://guilds/{guild_id}/tickets/{ticket_id}/transcript (or get_transcript).
Errors come back as tool results whose text says what to change. Prompts: summarize_ticket, triage_open_tickets, draft_reply.`;

/**
 * 2026-07-28 cache hints. Every list depends on the token (guild scope, abilities) and the selection
 * headers, so none may be shared between callers: scope "private". Tools, templates and prompts change
 * only with a new server version; the resources list follows open tickets.
 */
const PRIVATE = (ttlMs: number): CacheHint => ({ ttlMs, cacheScope: 'private' });
export const CACHE_HINTS = {
  'server/discover': PRIVATE(300_000),
  'tools/list': PRIVATE(300_000),
  'prompts/list': PRIVATE(300_000),
  'resources/templates/list': PRIVATE(300_000),
  'resources/list': PRIVATE(10_000),
  'resources/read': PRIVATE(0),
} as const;

const capabilities = (era: SessionContext['era']): ServerCapabilities => ({
  tools: { listChanged: true },
  resources: { subscribe: true, listChanged: true },
  prompts: { listChanged: true },
  completions: {},
  // Logging is deprecated in 2026-07-28 (and nothing unsolicited is sent there): logs stay on stderr.
  // Tasks are a 2026-07-28 extension: the long tools answer with a task when the client declares it.
  ...(era === 'legacy' ? { logging: {} } : { extensions: { [TASKS_EXTENSION]: {} } }),
});

const ReadParams = z.looseObject({ uri: z.string() });
const GetPromptParams = z.looseObject({ name: z.string(), arguments: z.record(z.string(), z.string()).optional() });
const CompleteParams = z.looseObject({
  ref: z.union([z.looseObject({ type: z.literal('ref/prompt'), name: z.string() }), z.looseObject({ type: z.literal('ref/resource'), uri: z.string() })]),
  argument: z.looseObject({ name: z.string(), value: z.string() }),
  context: z.looseObject({ arguments: z.record(z.string(), z.string()).optional() }).optional(),
});

export interface McpSession {
  server: Server;
  context: SessionContext;
  /** Changes the exposed tools; a 2025-11-25 client hears tools/list_changed when the list differs. */
  setSelection(selection: ResolvedSelection): void;
  close(): Promise<void>;
}

export interface SessionOptions {
  actor: () => Actor; selection: ResolvedSelection; label: string; era: SessionContext['era'];
  /**
   * A long-lived 2026-07-28 server (stdio) sends resources/updated for every change; the SDK's stdio
   * listen router forwards those a `subscriptions/listen` asked for. Per-request HTTP servers leave this
   * to the process's listen bus (src/mcp/subscriptions.ts).
   */
  pushChanges?: boolean;
  /**
   * The one method a server built for a single 2026-07-28 HTTP request answers (its Mcp-Method header);
   * undefined for servers that answer many requests (stdio, 2025-11-25 sessions).
   */
  method?: string | undefined;
}

export function createSession(deps: Pick<AppDeps, 'engine' | 'logger' | 'config'>, opts: SessionOptions): McpSession {
  let selection = opts.selection;
  const context: SessionContext = { deps, actor: opts.actor, selection: () => selection, label: opts.label, era: opts.era };
  const server = new Server(SERVER_INFO, { capabilities: capabilities(opts.era), instructions: INSTRUCTIONS, cacheHints: CACHE_HINTS });
  registerTools(server, context, opts.method === undefined || opts.method === 'tools/call');
  if (opts.era === 'modern') registerTaskCalls(server, context);
  server.setRequestHandler('resources/templates/list', () => ({ resourceTemplates: RESOURCE_TEMPLATES }));
  server.setRequestHandler('resources/list', () => mcpErrors(async () => ({ resources: await listResources(context) })));
  server.setRequestHandler('resources/read', { params: ReadParams }, (params, ctx) => { endExchangeOnCancel(ctx); return readResource(context, params.uri, ctx.mcpReq.signal); });
  server.setRequestHandler('prompts/list', () => ({ prompts: PROMPTS }));
  server.setRequestHandler('prompts/get', { params: GetPromptParams }, (params) => getPrompt(context, params.name, params.arguments));
  server.setRequestHandler('completion/complete', { params: CompleteParams }, async (params) => {
    const ctxArgs = params.context?.arguments ? { arguments: params.context.arguments } : undefined;
    const values = params.ref.type === 'ref/prompt'
      ? await completePromptArgument(context, params.ref.name, params.argument.name, params.argument.value, ctxArgs)
      : await completeResourceArgument(context, params.ref.uri, params.argument.name, params.argument.value, ctxArgs);
    return { completion: { values: values.slice(0, 100), total: values.length, hasMore: false } };
  });
  const dropSubscriptions = opts.era === 'legacy' ? registerSubscriptions(server, context)
    : opts.pushChanges ? pushChanges(server, context) : () => {};
  // The serving entries chain onto onclose, so this runs however the server ends.
  server.onclose = dropSubscriptions;
  return {
    server, context,
    setSelection(next) {
      if (next.key === selection.key) return;
      selection = next;
      if (server.transport && opts.era === 'legacy') void server.sendToolListChanged().catch(() => {});
    },
    async close() {
      dropSubscriptions();
      await server.close();
    },
  };
}

/**
 * 2026-07-28: tasks/get, tasks/cancel, tasks/update, and tools/call of the long tools answered with a
 * task when the request declares the Tasks extension (src/mcp/tasks/); every other call as before.
 */
function registerTaskCalls(server: Server, context: SessionContext): void {
  registerTasks(server, context);
  const plain = server.fallbackRequestHandler;
  if (!plain) return;
  server.fallbackRequestHandler = async (request, ctx) => {
    const p = request.params as { name?: unknown; arguments?: unknown } | undefined;
    if (request.method === 'tools/call' && typeof p?.name === 'string' && (p.arguments === undefined || (typeof p.arguments === 'object' && p.arguments !== null && !Array.isArray(p.arguments)))) {
      const task = await callAsTask(context, p.name, (p.arguments ?? {}) as Record<string, unknown>, ctx);
      if (task) return task;
    }
    return plain(request, ctx);
  };
}

function pushChanges(server: Server, context: SessionContext): () => void {
  const engine = context.deps.engine;
  const onTicket = ({ guildId, ticketId, transcript }: { guildId: string; ticketId: string; transcript?: boolean }) => {
    for (const uri of changedUris(guildId, ticketId)) void server.sendResourceUpdated({ uri }).catch(() => {});
    if (!transcript) void server.sendResourceListChanged().catch(() => {});
  };
  engine.changes.on('ticket', onTicket);
  return () => { engine.changes.off('ticket', onTicket); };
}
