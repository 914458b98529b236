/**
 * The event store of one 2025-11-25 HTTP session, for the SDK's streamable HTTP transport: SSE
 * events are kept (bounded) so a client that lost a stream resumes it with GET + Last-Event-ID. The
 * SDK defines the EventStore interface but ships no implementation for servers; this one is in memory
 * because a 2025-11-25 session lives in one process anyway (2026-07-28 needs none: no replay).
 */
import type { EventId, EventStore, JSONRPCMessage, StreamId } from '@modelcontextprotocol/server';

const MAX_EVENTS_PER_STREAM = 1000;
const MAX_STREAMS = 200;

interface Stream { events: Array<{ seq: number; message: JSONRPCMessage }>; seq: number }

export class SessionEventStore implements EventStore {
  private readonly streams = new Map<StreamId, Stream>();

  async storeEvent(streamId: StreamId, message: JSONRPCMessage): Promise<EventId> {
    let stream = this.streams.get(streamId);
    if (!stream) {
      // Forget the oldest stream past the limit: a client can no longer resume that one.
      if (this.streams.size >= MAX_STREAMS) { const oldest = this.streams.keys().next().value; if (oldest !== undefined) this.streams.delete(oldest); }
      stream = { events: [], seq: 0 };
      this.streams.set(streamId, stream);
    }
    const seq = ++stream.seq;
    stream.events.push({ seq, message });
    if (stream.events.length > MAX_EVENTS_PER_STREAM) stream.events.shift();
    return `${streamId}.${seq}`;
  }

  private parse(eventId: EventId): { streamId: StreamId; seq: number } | undefined {
    const dot = eventId.lastIndexOf('.');
    const seq = Number(eventId.slice(dot + 1));
    if (dot <= 0 || !Number.isInteger(seq)) return undefined;
    return { streamId: eventId.slice(0, dot), seq };
  }

  async getStreamIdForEventId(eventId: EventId): Promise<StreamId | undefined> {
    const parsed = this.parse(eventId);
    return parsed && this.streams.has(parsed.streamId) ? parsed.streamId : undefined;
  }

  async replayEventsAfter(lastEventId: EventId, { send }: { send: (eventId: EventId, message: JSONRPCMessage) => Promise<void> }): Promise<StreamId> {
    const parsed = this.parse(lastEventId);
    const stream = parsed && this.streams.get(parsed.streamId);
    if (!parsed || !stream) throw new Error('Unknown Last-Event-ID: the stream is gone; continue without resuming.');
    for (const e of stream.events) if (e.seq > parsed.seq) await send(`${parsed.streamId}.${e.seq}`, e.message);
    return parsed.streamId;
  }
}
