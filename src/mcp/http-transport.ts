/**
 * Streamable HTTP transport for one MCP session, choosing per POST how to answer: a plain JSON body
 * when nothing but the response will be sent (the common, fast case), or an SSE stream when the
 * client asked for progress (or accepts only SSE). SSE events carry ids and are kept in a bounded
 * per-session store, so a client that lost a stream resumes it with GET + Last-Event-ID.
 * The spec lets the server choose either answer per request; the SDK client handles both.
 */
import type { ServerResponse } from 'node:http';
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, MessageExtraInfo, RequestId } from '@modelcontextprotocol/sdk/types.js';

type Msg = Record<string, unknown>;
export const isRequest = (m: Msg) => typeof m.method === 'string' && m.id !== undefined && m.id !== null;
const isResponse = (m: Msg) => m.method === undefined && m.id !== undefined && ('result' in m || 'error' in m);

const STANDALONE = 'standalone';
const MAX_EVENTS_PER_STREAM = 1000;
const MAX_STREAMS = 200;
const KEEPALIVE_MS = 25_000;

interface StoredEvent { seq: number; data: string }

/** One SSE stream's history and, while connected, its HTTP response. */
interface Stream {
  id: string;
  events: StoredEvent[];
  seq: number;
  res: ServerResponse | undefined;
  keepalive: NodeJS.Timeout | undefined;
  /** Request ids still waiting for their response on this stream (none for the standalone stream). */
  waiting: Set<RequestId>;
  done: boolean;
}

/** `respond(null)`: every request of the POST was cancelled, so there is nothing to answer (202). */
interface JsonSink { respond(body: string | null): void; waiting: Set<RequestId>; responses: Msg[]; batch: boolean }

let streamCounter = 0;

export class HybridHttpTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void;
  private readonly streams = new Map<string, Stream>();
  private readonly byRequest = new Map<RequestId, { kind: 'sse'; stream: Stream } | { kind: 'json'; sink: JsonSink }>();
  private closed = false;

  constructor(readonly sessionId: string) {}

  async start(): Promise<void> {}

  /**
   * Hands incoming messages to the server; only requests were registered for an answer. A cancelled
   * request gets no response from the SDK's Protocol, so its HTTP exchange is ended here: otherwise
   * the client's POST (JSON) or stream (SSE) would stay open, and its entry here, until the session ends.
   */
  deliver(messages: Msg[], extra: MessageExtraInfo): void {
    for (const m of messages) {
      if (m.method === 'notifications/cancelled') this.release((m.params as { requestId?: RequestId } | undefined)?.requestId);
      this.onmessage?.(m as JSONRPCMessage, extra);
    }
  }

  /** Stops waiting for a request's response; its POST or stream ends once nothing else is awaited. */
  private release(id: RequestId | undefined): void {
    const route = id === undefined ? undefined : this.byRequest.get(id);
    if (!route) return;
    this.byRequest.delete(id!);
    if (route.kind === 'sse') {
      route.stream.waiting.delete(id!);
      if (route.stream.waiting.size === 0) this.finish(route.stream);
      return;
    }
    const sink = route.sink;
    sink.waiting.delete(id!);
    if (sink.waiting.size === 0) sink.respond(sink.responses.length ? JSON.stringify(sink.batch ? sink.responses : sink.responses[0]) : null);
  }

  /** Answer these requests with one JSON body (an array for a batch). */
  expectJson(requests: Msg[], batch: boolean, respond: (body: string) => void): void {
    const sink: JsonSink = { respond, waiting: new Set(requests.map((r) => r.id as RequestId)), responses: [], batch };
    for (const r of requests) this.byRequest.set(r.id as RequestId, { kind: 'json', sink });
  }

  /** Answer these requests on a new SSE stream written to `res`. */
  openRequestStream(requests: Msg[], res: ServerResponse, priming: boolean): void {
    const stream = this.newStream(`r${++streamCounter}`);
    for (const r of requests) { stream.waiting.add(r.id as RequestId); this.byRequest.set(r.id as RequestId, { kind: 'sse', stream }); }
    this.attach(stream, res, priming);
  }

  /** GET without Last-Event-ID: the server-to-client stream. Returns false if one is already open. */
  openStandalone(res: ServerResponse, priming: boolean): boolean {
    const existing = this.streams.get(STANDALONE);
    if (existing?.res) return false;
    this.attach(existing ?? this.newStream(STANDALONE), res, priming);
    return true;
  }

  /** GET with Last-Event-ID: replays what the client missed on that stream and continues it. */
  resume(lastEventId: string, res: ServerResponse): 'ok' | 'unknown' {
    const dot = lastEventId.lastIndexOf('.');
    const stream = dot > 0 ? this.streams.get(lastEventId.slice(0, dot)) : undefined;
    const after = Number(lastEventId.slice(dot + 1));
    if (!stream || !Number.isInteger(after)) return 'unknown';
    // The client says it lost this stream; the old connection may just not have closed on our side
    // yet (a race with the client's reconnect). The session's own token asks, so it takes over.
    if (stream.res) {
      const old = stream.res;
      stream.res = undefined;
      if (stream.keepalive) clearInterval(stream.keepalive);
      stream.keepalive = undefined;
      old.end();
    }
    this.writeHead(res);
    for (const e of stream.events) if (e.seq > after) res.write(`id: ${stream.id}.${e.seq}\nevent: message\ndata: ${e.data}\n\n`);
    if (stream.done) { res.end(); return 'ok'; }
    this.attach(stream, res, false, true);
    return 'ok';
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (this.closed) return;
    const m = message as unknown as Msg;
    const id = isResponse(m) ? (m.id as RequestId) : options?.relatedRequestId;
    const route = id !== undefined ? this.byRequest.get(id) : undefined;
    if (!route) {
      if (isResponse(m)) return; // the request's HTTP exchange is gone (client went away); nothing to deliver to
      this.emit(this.streams.get(STANDALONE) ?? this.newStream(STANDALONE), m);
      return;
    }
    if (route.kind === 'sse') {
      this.emit(route.stream, m);
      if (isResponse(m)) {
        this.byRequest.delete(id as RequestId);
        route.stream.waiting.delete(id as RequestId);
        if (route.stream.waiting.size === 0) this.finish(route.stream);
      }
      return;
    }
    const sink = route.sink;
    if (!isResponse(m)) {
      // A JSON answer has no room for notifications: they go to the server-to-client stream.
      this.emit(this.streams.get(STANDALONE) ?? this.newStream(STANDALONE), m);
      return;
    }
    this.byRequest.delete(id as RequestId);
    sink.waiting.delete(id as RequestId);
    sink.responses.push(m);
    if (sink.waiting.size === 0) sink.respond(JSON.stringify(sink.batch ? sink.responses : sink.responses[0]));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.streams.values()) { if (s.keepalive) clearInterval(s.keepalive); s.res?.end(); s.res = undefined; }
    this.streams.clear();
    this.byRequest.clear();
    this.onclose?.();
  }

  get isClosed(): boolean { return this.closed; }

  private newStream(id: string): Stream {
    if (this.streams.size >= MAX_STREAMS) {
      // Forget the oldest finished stream: a client can no longer resume it.
      for (const [key, s] of this.streams) if (s.done && !s.res) { this.streams.delete(key); break; }
    }
    const stream: Stream = { id, events: [], seq: 0, res: undefined, keepalive: undefined, waiting: new Set(), done: false };
    this.streams.set(id, stream);
    return stream;
  }

  private writeHead(res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no', 'mcp-session-id': this.sessionId });
  }

  private attach(stream: Stream, res: ServerResponse, priming: boolean, headWritten = false): void {
    if (!headWritten) this.writeHead(res);
    stream.res = res;
    // An event id before any message lets the client resume even if it loses the stream at once.
    if (priming) { const seq = ++stream.seq; res.write(`id: ${stream.id}.${seq}\ndata: \n\n`); }
    stream.keepalive = setInterval(() => { stream.res?.write(': keepalive\n\n'); }, KEEPALIVE_MS);
    stream.keepalive.unref();
    res.on('close', () => {
      if (stream.res === res) { stream.res = undefined; if (stream.keepalive) clearInterval(stream.keepalive); stream.keepalive = undefined; }
    });
  }

  private emit(stream: Stream, m: Msg): void {
    const data = JSON.stringify(m);
    const seq = ++stream.seq;
    stream.events.push({ seq, data });
    if (stream.events.length > MAX_EVENTS_PER_STREAM) stream.events.shift();
    stream.res?.write(`id: ${stream.id}.${seq}\nevent: message\ndata: ${data}\n\n`);
  }

  private finish(stream: Stream): void {
    stream.done = true;
    if (stream.keepalive) clearInterval(stream.keepalive);
    stream.keepalive = undefined;
    stream.res?.end();
    stream.res = undefined;
  }
}
