/**
 * The stdio transport handed to the SDK's `serveStdio` (which does the era negotiation, the
 * per-connection server and the stdio listen router): newline-delimited JSON-RPC on stdin/stdout.
 * Hand-written instead of the SDK's StdioServerTransport for what that one cannot do:
 * - a line that is not JSON, or not a JSON-RPC 2.0 message, or longer than the limit gets a JSON-RPC
 *   error (the SDK's transport reports it to onerror only, so the client waits for nothing);
 * - a too-long line is skipped to its end and the next one is read;
 * - `subscriptions/listen` passes a check (`screen`) before it reaches the SDK's listen router, which
 *   acknowledges any URI: a URI of a guild the token does not cover is refused, never acknowledged.
 *   Messages behind a screened one wait for it, so the order of the stream is kept.
 */
import type { Readable, Writable } from 'node:stream';
import type { JSONRPCMessage, Transport } from '@modelcontextprotocol/server';
import { isJsonRpcMessage, type JsonRpcObject } from './jsonrpc.js';

/** Resolves to an error to answer instead of delivering the message, or undefined to deliver it. */
export type Screen = (message: JsonRpcObject) => Promise<{ code: number; message: string; data?: unknown } | undefined>;

/** The longest line accepted (as the SDK's transport): a tool call's arguments are small. */
export const MAX_LINE_BYTES = 10 * 1024 * 1024;

export class LineTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T) => void;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private closed = false;

  constructor(private readonly input: Readable = process.stdin, private readonly output: Writable = process.stdout, private readonly screen?: Screen,
    /** Told of transport trouble whatever the connected server does with onerror. */
    private readonly report?: (err: Error) => void) {}

  private ended!: () => void;
  /** Resolves once the transport closed (stdout broke or the server closed it). */
  readonly whenClosed = new Promise<void>((resolve) => { this.ended = resolve; });

  /** Delivery of messages queued behind a screened one; undefined when nothing waits. */
  private queue: Promise<void> | undefined;

  private deliver(message: JsonRpcObject): void {
    const screened = this.screen && message.method === 'subscriptions/listen' && message.id !== undefined;
    if (!screened && !this.queue) { this.onmessage?.(message as JSONRPCMessage); return; }
    const run = async () => {
      if (screened) {
        const refused = await this.screen!(message).catch((err: unknown) => ({ code: -32603, message: err instanceof Error ? err.message : String(err) }));
        if (refused) { void this.send({ jsonrpc: '2.0', id: message.id, error: refused } as unknown as JSONRPCMessage); return; }
      }
      this.onmessage?.(message as JSONRPCMessage);
    };
    const next: Promise<void> = (this.queue ?? Promise.resolve()).then(run).finally(() => { if (this.queue === next) this.queue = undefined; });
    this.queue = next;
  }

  /** Past the size limit: the rest of that line is skipped, up to its newline. */
  private discarding = false;

  private readonly onData = (chunk: Buffer) => {
    let start = 0;
    for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, start)) {
      const piece = chunk.subarray(start, nl);
      start = nl + 1;
      if (this.discarding) { this.discarding = false; continue; }
      const line = this.pending.length ? Buffer.concat([...this.pending, piece]) : piece;
      this.pending = [];
      this.pendingBytes = 0;
      this.handleLine(line.toString('utf8'));
    }
    if (start >= chunk.length || this.discarding) return;
    this.pendingBytes += chunk.length - start;
    if (this.pendingBytes > MAX_LINE_BYTES) {
      this.pending = [];
      this.pendingBytes = 0;
      this.discarding = true;
      this.reply(-32600, `Message too large: lines are limited to ${MAX_LINE_BYTES} bytes.`);
      return;
    }
    this.pending.push(chunk.subarray(start));
  };

  private readonly onInputError = (err: Error) => { this.report?.(err); this.onerror?.(err); };

  /** stdout broke (EPIPE: the client is gone): nobody can hear us any more, so the session ends. */
  private readonly onOutputError = (err: Error) => {
    this.report?.(err);
    this.onerror?.(err);
    void this.close();
  };

  /** Sends waiting for stdout to drain; released on close so no caller waits forever. */
  private readonly drains = new Set<() => void>();

  private handleLine(raw: string): void {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') return;
    let message: unknown;
    try { message = JSON.parse(line); } catch {
      this.reply(-32700, 'Parse error: each line must be one JSON-RPC message.');
      return;
    }
    if (!isJsonRpcMessage(message)) {
      this.reply(-32600, 'Invalid Request: send one JSON object with "jsonrpc": "2.0" per line.');
      return;
    }
    this.deliver(message);
  }

  private reply(code: number, message: string): void {
    void this.send({ jsonrpc: '2.0', id: null, error: { code, message } } as unknown as JSONRPCMessage);
  }

  async start(): Promise<void> {
    this.input.on('data', this.onData);
    this.input.on('error', this.onInputError);
    this.output.on('error', this.onOutputError);
  }

  send(message: JSONRPCMessage): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      if (this.output.write(`${JSON.stringify(message)}\n`)) { resolve(); return; }
      const done = () => { this.output.off('drain', done); this.drains.delete(done); resolve(); };
      this.drains.add(done);
      this.output.on('drain', done);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.input.off('data', this.onData);
    this.input.off('error', this.onInputError);
    if (this.input.listenerCount('data') === 0) this.input.pause();
    // Keep listening for output errors: a write still in flight may fail after this.
    for (const done of [...this.drains]) done();
    this.pending = [];
    this.ended();
    this.onclose?.();
  }
}
