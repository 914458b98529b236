/**
 * Progress notifications for a request that asked for them (`_meta.progressToken`). Values only ever
 * increase, as the spec requires; a request without a token costs nothing.
 */
import type { ServerContext } from '@modelcontextprotocol/server';

export interface ProgressReporter {
  start(what: string): void;
  report(progress: number, total?: number, message?: string): void;
  finish(): void;
}

/** For a request without a progress token. */
export const NO_PROGRESS: ProgressReporter = { start: () => {}, report: () => {}, finish: () => {} };

export function progressReporter(ctx: ServerContext): ProgressReporter {
  const token = ctx.mcpReq._meta?.progressToken;
  if (token === undefined) return NO_PROGRESS;
  let last = -1;
  let lastTotal: number | undefined;
  const send = (progress: number, total: number | undefined, message: string | undefined) => {
    if (progress <= last || ctx.mcpReq.signal.aborted) return;
    last = progress;
    lastTotal = total ?? lastTotal;
    void ctx.mcpReq.notify({
      method: 'notifications/progress',
      params: { progressToken: token, progress, ...(lastTotal !== undefined ? { total: lastTotal } : {}), ...(message ? { message } : {}) },
    }).catch(() => {});
  };
  return {
    start: (what) => send(0, undefined, `${what}: started`),
    report: (progress, total, message) => send(progress, total, message),
    finish: () => { if (lastTotal === undefined || last < lastTotal) send(lastTotal ?? last + 1, lastTotal, 'done'); },
  };
}
