/**
 * tools/list and tools/call over the catalogue. Registered on the low-level Server (not McpServer's
 * registerTool): the catalogue already validates, and the tool definitions (JSON schemas included) are
 * built once per process, so a server built for one 2026-07-28 request costs two handler entries,
 * not a hundred registrations.
 */
import { ProtocolError, ProtocolErrorCode, type CallToolResult, type Server, type ServerContext, type Tool } from '@modelcontextprotocol/server';
import { catalogue } from '../operations/index.js';
import { invoke } from '../operations/define.js';
import type { SessionContext } from './context.js';
import { operationContext } from './context.js';
import { cancellationOf, type Cancellation } from './cancellation.js';
import { engineErrorResult, toolError } from './errors.js';
import { renderText } from './render-text.js';
import { buildToolDefinitions, type ToolDefinition } from './tool-definitions.js';
import { isSelected, whyNotSelected, type ResolvedSelection } from './toolsets.js';
import { progressReporter, type ProgressReporter } from './progress.js';

let definitions: Map<string, ToolDefinition> | undefined;
/** Built on first use: other modules may still be adding operations to the catalogue at import time. */
export function toolDefinitions(): Map<string, ToolDefinition> {
  definitions ??= buildToolDefinitions(catalogue);
  return definitions;
}

const listCache = new Map<string, Tool[]>();
export function listTools(selection: ResolvedSelection): Tool[] {
  let tools = listCache.get(selection.key);
  if (!tools) {
    tools = [...toolDefinitions().values()].filter((d) => isSelected(d.op, selection)).map((d) => d.tool);
    listCache.set(selection.key, tools);
  }
  return tools;
}

function closest(name: string, names: string[]): string | undefined {
  const parts = new Set(name.split('_'));
  let best: string | undefined;
  let bestScore = 0;
  for (const n of names) {
    const score = n.split('_').filter((p) => parts.has(p)).length;
    if (score > bestScore) { best = n; bestScore = score; }
  }
  return best;
}

/** What a tool call needs from the exchange carrying it (the SDK's request context, or the HTTP fast path's). */
export interface ToolExchange {
  cancel: Cancellation;
  progress: ProgressReporter;
  /** 2025-11-25 only: tell the client, as a log message, that the call failed internally. */
  logInternalError?: (message: string) => void;
}

/**
 * tools/call on the catalogue. The SDK's Server has parsed the request (a malformed one is its
 * -32602 "Invalid tools/call request"), so only the catalogue's checks remain: `invoke` checks ability,
 * input (with field-naming sentences), guild scope and output.
 */
export async function callTool(session: SessionContext, name: string, args: Record<string, unknown>, ctx: ServerContext): Promise<CallToolResult> {
  endExchangeOnCancel(ctx);
  return runTool(session, name, args, {
    cancel: cancellationOf(ctx.mcpReq.signal),
    progress: progressReporter(ctx),
    logInternalError: (message) => { void ctx.mcpReq.log('error', message, 'ticketbridge').catch(() => {}); },
  });
}

/** The tool call itself, whatever carries it (src/mcp/http-fast-path.ts calls this too). */
export async function runTool(session: SessionContext, name: string, args: Record<string, unknown>, exchange: ToolExchange): Promise<CallToolResult> {
  const def = toolDefinitions().get(name);
  const selection = session.selection();
  if (!def) {
    const guess = closest(name, listTools(selection).map((t) => t.name));
    return toolError(`There is no tool named "${name}".${guess ? ` Did you mean ${guess}?` : ''} Call tools/list to see the tools of this session.`, { code: 'not_found' });
  }
  if (!isSelected(def.op, selection)) return toolError(whyNotSelected(def.op, selection), { code: 'forbidden' });
  const { cancel, progress } = exchange;
  try {
    progress.start(def.op.title);
    const opCtx = operationContext(session, cancel, progress.report);
    const output = await invoke(def.op, opCtx, args);
    if (cancel.aborted) return toolError(`${name} was cancelled.`, { code: 'cancelled' });
    progress.finish();
    return toolResult(def, output);
  } catch (err) {
    const known = engineErrorResult(err);
    if (known) return known;
    if (cancel.aborted) return toolError(`${name} was cancelled before it finished; nothing after the cancellation point was changed.`, { code: 'cancelled' });
    session.deps.logger.error({ err, tool: name, session: session.label }, 'MCP tool failed unexpectedly');
    // 2025-11-25 clients hear that it failed as a log message (not the detail: that stays in the
    // server's log). 2026-07-28 has no unsolicited log messages: the tool result says it.
    if (session.era === 'legacy') exchange.logInternalError?.(`${name} failed with an internal error; details are in the server log.`);
    return toolError(`${name} failed because of an internal error on the server (it has been logged). Retry once; if it fails again, report it with the time of the call.`, { code: 'internal' });
  }
}

/**
 * A cancelled request gets no response (the SDK drops it), so over 2025-11-25 HTTP its event stream
 * would stay open until the session ends: close it, as the client no longer waits for anything there.
 */
export function endExchangeOnCancel(ctx: ServerContext): void {
  const close = ctx.http?.closeSSE;
  if (close) ctx.mcpReq.signal.addEventListener('abort', () => close(), { once: true });
}

/** A catalogue operation's output as a tool result: structuredContent plus a short text. */
export function toolResult(def: ToolDefinition, output: unknown): CallToolResult {
  const structured = def.wrapped ? { result: output } : (output as Record<string, unknown>);
  return { structuredContent: structured, content: textContentOf(def.op.name, output) };
}

/**
 * The text of a read answered from the read cache (src/operations/read-cache.ts), rendered once per
 * cached answer: those outputs are deep-frozen and shared by every caller until a change drops them,
 * so their text cannot change either. The content handed out is frozen too, and its identity lets
 * the HTTP fast path reuse the answer's encoding (http-fast-path.ts).
 */
const cachedTexts = new WeakMap<object, { tool: string; content: CallToolResult['content'] }>();

function textContentOf(tool: string, output: unknown): CallToolResult['content'] {
  const shared = typeof output === 'object' && output !== null && Object.isFrozen(output);
  if (!shared) return [{ type: 'text', text: renderText(tool, output) }];
  const held = cachedTexts.get(output);
  if (held?.tool === tool) return held.content;
  const content: CallToolResult['content'] = [Object.freeze({ type: 'text' as const, text: renderText(tool, output) })];
  Object.freeze(content);
  cachedTexts.set(output, { tool, content });
  return content;
}

type CallParams = { name: string; arguments: Record<string, unknown> };

/**
 * A malformed tools/call gets a sentence saying what to send, and arguments of the wrong type are the
 * tool's input error (isError), as the spec asks, so the agent can correct its call.
 */
function checkCall(params: unknown): { call: CallParams } | { refused: CallToolResult } {
  const p = (typeof params === 'object' && params !== null ? params : {}) as { name?: unknown; arguments?: unknown };
  if (typeof p.name !== 'string') {
    throw new ProtocolError(ProtocolErrorCode.InvalidParams, 'tools/call needs params.name, the name of a tool (see tools/list), and params.arguments, an object of its fields.');
  }
  const args = p.arguments;
  if (args !== undefined && (typeof args !== 'object' || args === null || Array.isArray(args))) {
    return { refused: toolError(`Invalid input for ${p.name}: "arguments" must be an object of the tool's fields (see its inputSchema in tools/list).`, { code: 'invalid', fields: [{ path: 'arguments', message: 'Expected an object' }] }) };
  }
  return { call: { name: p.name, arguments: (args ?? {}) as Record<string, unknown> } };
}

/**
 * `servesCall`: whether this server may be asked tools/call. A 2026-07-28 server built for one HTTP
 * request knows its method (the Mcp-Method header, checked against the body by the SDK) and installs
 * the tools/call handler only for a tools/call: any other method it lacks then meets no handler at
 * all, and the SDK answers it "Method not found" with HTTP 404, as the specification asks (a fallback
 * handler would answer the same error in-band, with HTTP 200).
 */
export function registerTools(server: Server, session: SessionContext, servesCall = true): void {
  server.setRequestHandler('tools/list', () => ({ tools: listTools(session.selection()) }));
  if (!servesCall) return;
  // tools/call is served by the fallback handler (public Protocol API), not setRequestHandler: the
  // Server's own tools/call wrapper parses the request with zod and answers a malformed one with the
  // issue dump, and re-validates every result. Ours are built from output the catalogue has already
  // validated (tests check them against the SDK clients' schemas); the request is checked here, with
  // sentences. Any other method without a handler is "Method not found", as without a fallback.
  server.fallbackRequestHandler = async (request, ctx) => {
    if (request.method !== 'tools/call') throw new ProtocolError(ProtocolErrorCode.MethodNotFound, `Method not found: ${request.method}`);
    const checked = checkCall(request.params);
    if ('refused' in checked) return checked.refused;
    return callTool(session, checked.call.name, checked.call.arguments, ctx);
  };
}
