/**
 * The HTTP fast path's cancellation (src/mcp/cancellation.ts): an operation that never reads its
 * signal never makes one, and one that reads it after the client went away finds it aborted, so
 * closing the connection still stops work that looks at the signal.
 */
import { describe, expect, it } from 'vitest';
import { cancellationOf, LazyCancellation } from '../../src/mcp/cancellation.js';
import { operationContext, type SessionContext } from '../../src/mcp/context.js';

const session = { deps: { engine: {}, logger: {}, config: {} }, actor: () => ({ kind: 'operator' }), selection: () => ({}), label: 'test', era: 'modern' } as unknown as SessionContext;

describe('lazy cancellation', () => {
  it('makes no signal until one is read, and hands out one already aborted after a cancel', () => {
    const cancel = new LazyCancellation();
    const ctx = operationContext(session, cancel);
    expect(cancel.aborted).toBe(false);
    expect((cancel as unknown as { controller: unknown }).controller).toBeNull();
    cancel.cancel();
    expect(cancel.aborted).toBe(true);
    expect(ctx.signal.aborted).toBe(true);
  });

  it('aborts a signal already handed out, once, with its listeners called', () => {
    const cancel = new LazyCancellation();
    const ctx = operationContext(session, cancel);
    const signal = ctx.signal;
    expect(signal.aborted).toBe(false);
    let heard = 0;
    signal.addEventListener('abort', () => heard++);
    cancel.cancel();
    cancel.cancel();
    expect(signal.aborted).toBe(true);
    expect(heard).toBe(1);
    expect(ctx.signal).toBe(signal);
  });

  it('reads an existing signal through', () => {
    const controller = new AbortController();
    const cancel = cancellationOf(controller.signal);
    expect(cancel.aborted).toBe(false);
    controller.abort();
    expect(cancel.aborted).toBe(true);
    expect(operationContext(session, cancel).signal).toBe(controller.signal);
  });
});
