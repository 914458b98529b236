/**
 * tools/list and tools/call over the catalogue. Registered on the low-level server (not McpServer's
 * registerTool) because the catalogue already validates: `invoke` checks ability, input (with
 * field-naming sentences), guild scope and output, and the JSON schemas are built once, not per list.
 */
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError, type CallToolRequest, type CallToolResult, type Tool } from '@modelcontextprotocol/sdk/types.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { catalogue } from '../operations/index.js';
import { invoke } from '../operations/define.js';
import type { SessionContext } from './context.js';
import { operationContext } from './context.js';
import { engineErrorResult, toolError } from './errors.js';
import { renderText } from './render-text.js';
import { buildToolDefinitions, type ToolDefinition } from './tool-definitions.js';
import { isSelected, whyNotSelected, type ResolvedSelection } from './toolsets.js';
import { progressReporter } from './progress.js';
import { issuesSentence, registerUnparsed } from './request-params.js';

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

/**
 * A malformed tools/call gets a sentence: Protocol's own parse would answer -32603 with zod's issue
 * dump. Arguments of the wrong type are the tool's input error (isError), as the spec asks, so the
 * agent can correct its call.
 */
function checkCall(request: unknown): { call: CallToolRequest } | { refused: CallToolResult } {
  const parsed = CallToolRequestSchema.safeParse(request);
  if (parsed.success) return { call: parsed.data };
  const params = (request as { params?: unknown }).params as { name?: unknown; arguments?: unknown } | undefined;
  if (typeof params !== 'object' || params === null || typeof params.name !== 'string') {
    throw new McpError(ErrorCode.InvalidParams, 'tools/call needs params.name, the name of a tool (see tools/list), and params.arguments, an object of its fields.');
  }
  const args = params.arguments;
  if (args !== undefined && (typeof args !== 'object' || args === null || Array.isArray(args))) {
    return { refused: toolError(`Invalid input for ${params.name}: "arguments" must be an object of the tool's fields (see its inputSchema in tools/list).`, { code: 'invalid', fields: [{ path: 'arguments', message: 'Expected an object' }] }) };
  }
  throw new McpError(ErrorCode.InvalidParams, `Invalid tools/call request: ${issuesSentence(parsed.error.issues)}.`);
}

export function registerTools(mcp: McpServer, session: SessionContext): void {
  const server = mcp.server;
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: listTools(session.selection()) }));

  // Registered past Server's override, which parses the request a second time and copies every result
  // through CallToolResultSchema. Our results are built here from output the catalogue has already
  // validated (MCP tests check them against the SDK client's schemas), so that pass bought nothing and
  // cost ~10% of a stdio call. checkCall parses the request once.
  registerUnparsed(server, 'tools/call', async (raw, extra): Promise<CallToolResult> => {
    const checked = checkCall(raw);
    if ('refused' in checked) return checked.refused;
    const request = checked.call;
    const name = request.params.name;
    const def = toolDefinitions().get(name);
    const selection = session.selection();
    if (!def) {
      const guess = closest(name, listTools(selection).map((t) => t.name));
      return toolError(`There is no tool named "${name}".${guess ? ` Did you mean ${guess}?` : ''} Call tools/list to see the tools of this session.`, { code: 'not_found' });
    }
    if (!isSelected(def.op, selection)) return toolError(whyNotSelected(def.op, selection), { code: 'forbidden' });
    const progress = progressReporter(extra);
    try {
      progress.start(def.op.title);
      const ctx = operationContext(session, extra.signal, progress.report);
      const output = await invoke(def.op, ctx, request.params.arguments ?? {});
      if (extra.signal.aborted) return toolError(`${name} was cancelled.`, { code: 'cancelled' });
      progress.finish();
      const structured = def.wrapped ? { result: output } : (output as Record<string, unknown>);
      return { structuredContent: structured, content: [{ type: 'text', text: renderText(name, output) }] };
    } catch (err) {
      const known = engineErrorResult(err);
      if (known) return known;
      if (extra.signal.aborted) return toolError(`${name} was cancelled before it finished; nothing after the cancellation point was changed.`, { code: 'cancelled' });
      session.deps.logger.error({ err, tool: name, session: session.label }, 'MCP tool failed unexpectedly');
      // The client hears that it failed, not the internal detail (that stays in the server's log).
      void server.sendLoggingMessage({ level: 'error', logger: 'ticketbridge', data: `${name} failed with an internal error; details are in the server log.` }, extra.sessionId).catch(() => {});
      return toolError(`${name} failed because of an internal error on the server (it has been logged). Retry once; if it fails again, report it with the time of the call.`, { code: 'internal' });
    }
  });
}
