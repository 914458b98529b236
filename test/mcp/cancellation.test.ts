/**
 * The HTTP fast path's cancellation (src/mcp/cancellation.ts): an operation that never reads its
 * signal never makes one, and one that reads it after the client went away finds it aborted, so
 * closing the connection still stops work that looks at the signal.
 */
import { createServer, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { cancellationOf, LazyCancellation, ResponseCancellation } from '../../src/mcp/cancellation.js';
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

/**
 * A real node:http exchange: the server hands each request's response to `onRequest`; the client
 * either waits for the answer or destroys its socket once the server has the request.
 */
async function exchange(onRequest: (res: ServerResponse, clientGone: Promise<void>) => Promise<void>, clientLeaves: boolean): Promise<void> {
  let leave = () => {};
  const left = new Promise<void>((resolve) => { leave = resolve; });
  let served: Promise<void> = Promise.resolve();
  const server = createServer((req, res) => {
    const gone = new Promise<void>((resolve) => req.socket.once('close', () => resolve()));
    served = onRequest(res, gone);
    if (clientLeaves) leave();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => {
    const req = request({ port, host: '127.0.0.1', method: 'POST', path: '/' }, (res) => { res.resume(); res.on('end', resolve); });
    req.on('error', () => resolve());
    req.end('{}');
    if (clientLeaves) void left.then(() => req.destroy());
  });
  await served;
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

describe('cancellation by the HTTP client closing the connection', () => {
  it('aborts a signal read during the call when the client goes away, and answers that it went away', async () => {
    let heard = 0;
    await exchange(async (res, gone) => {
      const cancel = new ResponseCancellation(res);
      const signal = operationContext(session, cancel).signal;
      signal.addEventListener('abort', () => heard++);
      expect(cancel.aborted).toBe(false);
      await gone;
      await new Promise((r) => setImmediate(r));
      expect(signal.aborted).toBe(true);
      expect(cancel.aborted).toBe(true);
    }, true);
    expect(heard).toBe(1);
  });

  it('knows the client went away without any signal made, and hands out one already aborted', async () => {
    await exchange(async (res, gone) => {
      const cancel = new ResponseCancellation(res);
      await gone;
      await new Promise((r) => setImmediate(r));
      expect((cancel as unknown as { controller: unknown }).controller).toBeNull();
      expect(cancel.aborted).toBe(true);
      expect(operationContext(session, cancel).signal.aborted).toBe(true);
    }, true);
  });

  it('never aborts a call whose answer was written', async () => {
    let signal: AbortSignal | undefined;
    let cancel: ResponseCancellation | undefined;
    await exchange(async (res) => {
      cancel = new ResponseCancellation(res);
      signal = operationContext(session, cancel).signal;
      await new Promise<void>((resolve) => res.end('{}', () => resolve()));
    }, false);
    // The response and its connection have closed by now: that is not a cancellation.
    await new Promise((r) => setTimeout(r, 20));
    expect(signal?.aborted).toBe(false);
    expect(cancel?.aborted).toBe(false);
  });
});

