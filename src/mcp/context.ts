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

/** One HTTP request's session: who is calling and which tools it chose, fixed for the request. */
export class RequestSession implements SessionContext {
  constructor(
    readonly deps: SessionContext['deps'],
    private readonly caller: Actor,
    private readonly chosen: ResolvedSelection,
    readonly label: string,
    readonly era: SessionContext['era'],
  ) {}

  actor(): Actor { return this.caller; }
  selection(): ResolvedSelection { return this.chosen; }
}

let counter = 0;

/**
 * One call's operation context. A class, not an object literal: a literal with a getter is built
 * slowly by V8 on every call (~2 µs, measured on the HTTP fast path), a class instance is not.
 */
class McpOperationContext implements OperationContext {
  readonly engine: OperationContext['engine'];
  readonly actor: Actor;
  readonly requestId: string;
  readonly progress: OperationContext['progress'];

  constructor(session: SessionContext, private readonly cancel: Cancellation, progress: OperationContext['progress'] | undefined) {
    this.engine = session.deps.engine;
    this.actor = session.actor();
    this.requestId = `mcp-${session.label}-${++counter}`;
    this.progress = progress ?? noProgress;
  }

  /** Read through, so a call whose operation never looks at its signal never makes one (cancellation.ts). */
  get signal(): AbortSignal { return this.cancel.signal; }
}

const noProgress: OperationContext['progress'] = () => {};

/** The operation context for one call from this session. */
export function operationContext(session: SessionContext, cancel: Cancellation, progress?: OperationContext['progress']): OperationContext {
  return new McpOperationContext(session, cancel, progress);
}
