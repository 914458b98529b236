/**
 * One MCP session's server: tools from the catalogue, resources, prompts, subscriptions, logging.
 * Both transports build their sessions here, so stdio and HTTP expose exactly the same surface.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Actor } from '../engine/actor.js';
import type { AppDeps } from '../deps.js';
import type { SessionContext } from './context.js';
import { registerPrompts } from './prompts.js';
import { plainParamErrors } from './request-params.js';
import { registerResources } from './resources.js';
import { registerSubscriptions } from './subscriptions.js';
import { registerTools } from './tools.js';
import type { ResolvedSelection } from './toolsets.js';

export const SERVER_INFO = { name: 'ticketbridge', title: 'ticketbridge: Discord support tickets', version: '0.1.0' };

const INSTRUCTIONS = `Discord support tickets. Every ticket belongs to a guild: pass guild_id and either ticket_id or channel_id (the ticket's Discord channel or thread).
Start with list_guilds, then list_tickets (filters: status, assignee, priority, text). Read a conversation through the transcript resource ticketbridge://guilds/{guild_id}/tickets/{ticket_id}/transcript (or get_transcript).
Errors come back as tool results whose text says what to change. Prompts: summarize_ticket, triage_open_tickets, draft_reply.`;

export interface McpSession {
  mcp: McpServer;
  context: SessionContext;
  /** Changes the exposed tools; clients hear tools/list_changed when the list differs. */
  setSelection(selection: ResolvedSelection): void;
  close(): Promise<void>;
}

export function createSession(deps: Pick<AppDeps, 'engine' | 'logger' | 'config'>, opts: { actor: () => Actor; selection: ResolvedSelection; label: string }): McpSession {
  let selection = opts.selection;
  const context: SessionContext = { deps, actor: opts.actor, selection: () => selection, label: opts.label };
  // Only logging is declared up front (the Server registers logging/setLevel as it is built). The
  // rest is declared here, in one place, after plainParamErrors, so the handlers McpServer installs
  // for it are wrapped too.
  const mcp = new McpServer(SERVER_INFO, { capabilities: { logging: {} }, instructions: INSTRUCTIONS });
  plainParamErrors(mcp.server);
  mcp.server.registerCapabilities({ tools: { listChanged: true }, resources: { subscribe: true, listChanged: true }, prompts: { listChanged: true }, completions: {} });
  registerTools(mcp, context);
  registerResources(mcp, context);
  registerPrompts(mcp, context);
  const dropSubscriptions = registerSubscriptions(mcp, context);
  return {
    mcp, context,
    setSelection(next) {
      if (next.key === selection.key) return;
      selection = next;
      if (mcp.isConnected()) mcp.sendToolListChanged();
    },
    async close() {
      dropSubscriptions();
      await mcp.close();
    },
  };
}
