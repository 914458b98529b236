/**
 * The stdio transport: newline-delimited JSON-RPC on stdin/stdout. Unlike the SDK's
 * StdioServerTransport it does not run every incoming line through the zod union of all JSON-RPC
 * message shapes (~10% of a tool call's server time): the Protocol classifies each message and
 * parses requests, notifications and results with their own schemas anyway, as it does for /mcp.
 * A line that is not JSON, or not a JSON-RPC 2.0 message, gets a JSON-RPC error instead of silence.
 */
import type { Readable, Writable } from 'node:stream';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { isJsonRpcMessage } from './jsonrpc.js';

/** The longest line accepted (as the SDK's transport): a tool call's arguments are small. */
export const MAX_LINE_BYTES = 10 * 1024 * 1024;

export class LineTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T) => void;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private closed = false;

  constructor(private readonly input: Readable = process.stdin, private readonly output: Writable = process.stdout) {}

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

  private readonly onInputError = (err: Error) => { this.onerror?.(err); };

  /** stdout broke (EPIPE: the client is gone): nobody can hear us any more, so the session ends. */
  private readonly onOutputError = (err: Error) => {
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
    this.onmessage?.(message as JSONRPCMessage);
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
    this.onclose?.();
  }
}
