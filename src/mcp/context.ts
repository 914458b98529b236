/** What every part of one MCP server instance shares: the app, who is acting, which tools are on, the era. */
import type { Actor } from '../engine/actor.js';
import type { AppDeps } from '../deps.js';
import type { OperationContext } from '../operations/define.js';
import type { ResolvedSelection } from './toolsets.js';
import type { Cancellation } from './cancellation.js';

export interface SessionContext {
  deps: Pick<AppDeps, 'engine' | 'logger' | 'config'>;
  /** The acting user (stdio: the operator or TICKETBRIDGE_TOKEN; HTTP: the bearer token of this request or session). */
  actor(): Actor;
  selection(): ResolvedSelection;
  /** A label for logs and request ids: "stdio", the HTTP session id, or "http" for a 2026-07-28 request. */
  label: string;
  /** 'legacy': 2025-11-25 with initialize (sessions, logging); 'modern': 2026-07-28, per request. */
  era: 'legacy' | 'modern';
}

let counter = 0;

/** The operation context for one call from this session. */
export function operationContext(session: SessionContext, cancel: Cancellation, progress?: OperationContext['progress']): OperationContext {
  return {
    engine: session.deps.engine,
    actor: session.actor(),
    requestId: `mcp-${session.label}-${++counter}`,
    // Read through, so a call whose operation never looks at its signal never makes one (cancellation.ts).
    get signal() { return cancel.signal; },
    progress: progress ?? (() => {}),
  };
}
