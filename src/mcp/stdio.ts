/**
 * `ticketbridge stdio`: the MCP server over stdin/stdout, both eras through the SDK's `serveStdio`
 * (a 2026-07-28 `server/discover` or a 2025-11-25 `initialize`). Acts as the local operator, or within
 * a token's abilities and guilds when TICKETBRIDGE_TOKEN is set. stdout carries only MCP messages;
 * logs go to stderr (pino) and, for 2025-11-25 clients that ask, to the client as log notifications.
 */
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import type { AppDeps } from '../deps.js';
import { operatorActor, type Actor } from '../engine/actor.js';
import { invalid } from '../engine/errors.js';
import { catalogue } from '../operations/index.js';
import { asMcpError } from './catalogue-calls.js';
import type { SessionContext } from './context.js';
import { createSession } from './server.js';
import { LineTransport, type Screen } from './stdio-transport.js';
import { checkSubscribable } from './subscriptions.js';
import { resolveSelection, SelectionError } from './toolsets.js';

export interface StdioOptions { toolsets?: string[] | undefined; tools?: string[] | undefined; readOnly?: boolean | undefined }

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

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
  const context: SessionContext = { deps, actor: () => actor, selection: () => selection, label: 'stdio', era: 'modern' };

  /** subscriptions/listen: every URI must be one this token may read, before the SDK acknowledges it. */
  const screen: Screen = async (message) => {
    const params = isObj(message.params) ? message.params : {};
    const filter = isObj(params.notifications) ? params.notifications : {};
    const uris = Array.isArray(filter.resourceSubscriptions) ? filter.resourceSubscriptions : [];
    for (const uri of uris) {
      if (typeof uri !== 'string') return { code: -32602, message: 'notifications.resourceSubscriptions must list URI strings.' };
      try { await checkSubscribable(context, uri); } catch (err) {
        const e = asMcpError(err) as { code?: unknown; message?: unknown; data?: unknown };
        return { code: typeof e.code === 'number' ? e.code : -32603, message: typeof e.message === 'string' ? e.message : 'Subscription refused.', ...(e.data !== undefined ? { data: e.data } : {}) };
      }
    }
    return undefined;
  };

  // Transport trouble (stdin failing, stdout gone because the client quit) ends up here, not on stdout.
  const report = (err: Error) => deps.logger.warn({ err: err.message }, 'MCP stdio transport error');
  const transport = new LineTransport(process.stdin, process.stdout, screen, report);
  const closed = new Promise<void>((resolve) => {
    void transport.whenClosed.then(resolve);
    process.stdin.once('end', () => resolve());
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  const handle = serveStdio(({ era }) => createSession(deps, { actor: () => actor, selection, label: 'stdio', era, pushChanges: era === 'modern' }).server,
    { transport, onerror: (err) => deps.logger.debug({ err: err.message }, 'MCP stdio request refused or failed') });
  deps.logger.info({ toolsets: selection.toolsets, tools: selection.tools, readOnly: selection.readOnly, scoped: Boolean(token) }, 'MCP stdio server ready');
  await closed;
  await handle.close().catch(() => {});
}
