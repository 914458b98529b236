/**
 * `ticketbridge stdio`: the MCP server over stdin/stdout. Acts as the local operator, or within a
 * token's abilities and guilds when TICKETBRIDGE_TOKEN is set. stdout carries only MCP messages;
 * logs go to stderr (pino) and, when the client asks, to the client as MCP log notifications.
 */
import type { AppDeps } from '../deps.js';
import { operatorActor, type Actor } from '../engine/actor.js';
import { createSession } from './server.js';
import { catalogue } from '../operations/index.js';
import { resolveSelection, SelectionError } from './toolsets.js';
import { invalid } from '../engine/errors.js';
import { LineTransport } from './stdio-transport.js';

export interface StdioOptions { toolsets?: string[] | undefined; tools?: string[] | undefined; readOnly?: boolean | undefined }

export async function runStdio(deps: AppDeps, opts: StdioOptions): Promise<void> {
  let selection;
  try {
    selection = resolveSelection(catalogue, { toolsets: opts.toolsets, tools: opts.tools, readOnly: opts.readOnly });
  } catch (err) {
    // The CLI prints engine errors as one line; a bad --toolsets is that kind of mistake.
    if (err instanceof SelectionError) throw invalid(err.message, [{ path: 'toolsets', message: err.message }]);
    throw err;
  }
  const token = deps.config.TICKETBRIDGE_TOKEN;
  const actor: Actor = token ? await deps.engine.tokens.authenticate(token) : operatorActor();
  const session = createSession(deps, { actor: () => actor, selection, label: 'stdio' });
  const transport = new LineTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    process.stdin.once('end', () => resolve());
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await session.mcp.connect(transport);
  // Transport trouble (stdin failing, stdout gone because the client quit) ends up here, not on stdout.
  session.mcp.server.onerror = (err) => deps.logger.warn({ err: err.message }, 'MCP stdio transport error');
  deps.logger.info({ toolsets: selection.toolsets, tools: selection.tools, readOnly: selection.readOnly, scoped: Boolean(token) }, 'MCP stdio server ready');
  await closed;
  await session.close().catch(() => {});
}
