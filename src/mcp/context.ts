/** What every part of one MCP session shares: the app, who is acting, and which tools are on. */
import type { Actor } from '../engine/actor.js';
import type { AppDeps } from '../deps.js';
import type { OperationContext } from '../operations/define.js';
import type { ResolvedSelection } from './toolsets.js';

export interface SessionContext {
  deps: Pick<AppDeps, 'engine' | 'logger' | 'config'>;
  /** The acting user of this session (stdio: the operator or TICKETBRIDGE_TOKEN; HTTP: the bearer token). */
  actor(): Actor;
  selection(): ResolvedSelection;
  /** A label for logs and request ids: "stdio" or the HTTP session id. */
  label: string;
}

let counter = 0;

/** The operation context for one call from this session. */
export function operationContext(session: SessionContext, signal: AbortSignal, progress?: OperationContext['progress']): OperationContext {
  return {
    engine: session.deps.engine,
    actor: session.actor(),
    requestId: `mcp-${session.label}-${++counter}`,
    signal,
    progress: progress ?? (() => {}),
  };
}
