/**
 * Change notifications for MCP clients, whichever face (or Discord, or another process) made the
 * change. Engine change events cover this process's writes and, through the change feed
 * (src/engine/change-feed.ts), those of other processes sharing the PostgreSQL database.
 *
 * - 2025-11-25: resources/subscribe on the session's server; `notifications/resources/updated`.
 * - 2026-07-28: `subscriptions/listen`, served by the SDK's listen router from a ServerEventBus. The
 *   bus here is fed by the engine's change events, so a listener on any process hears a change made
 *   on any other. The router acknowledges whatever URIs it is given, so callers check each URI with
 *   `checkSubscribable` before handing the request to it.
 */
import { InMemoryServerEventBus, ProtocolError, ProtocolErrorCode, type Server, type ServerEventBus } from '@modelcontextprotocol/server';
import { canAccessGuild } from '../engine/actor.js';
import { forbidden } from '../engine/errors.js';
import type { Engine } from '../engine/index.js';
import type { SessionContext } from './context.js';
import { mcpErrors, requireAbility } from './catalogue-calls.js';
import { parseUri, queueUri, readTicket, statsUri, ticketUri, transcriptUris } from './resources.js';

/** The URIs a change to one ticket may have changed. */
export function changedUris(guildId: string, ticketId: string): string[] {
  return [ticketUri(guildId, ticketId), ...transcriptUris(guildId, ticketId), statsUri(guildId), queueUri(guildId)];
}

/** Throws the error a client should get for a URI this token may not subscribe to; resolves when it may. */
export async function checkSubscribable(session: SessionContext, uri: string): Promise<void> {
  await mcpErrors(async () => {
    const parsed = parseUri(uri);
    if (!parsed) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Cannot subscribe to ${uri}: subscribe to a ticket, transcript, stats or queue URI (see resources/templates/list).`);
    if (!canAccessGuild(session.actor(), parsed.guildId)) throw forbidden(`This token has no access to guild ${parsed.guildId}. Use a token scoped to that guild.`);
    // Checks the ticket exists and may be read with this token; a transcript also needs transcripts:read.
    if (parsed.kind === 'transcript') requireAbility(session, 'transcripts:read', 'transcripts');
    if (parsed.kind === 'queue') requireAbility(session, 'tickets:read', 'tickets');
    if (parsed.ticketId) await readTicket(session, parsed.guildId, parsed.ticketId);
  });
}

interface Subscriber { uris: Set<string>; notify(uri: string): void }

class SubscriptionHub {
  private readonly subscribers = new Set<Subscriber>();

  constructor(engine: Engine) {
    engine.changes.on('ticket', ({ guildId, ticketId }) => this.changed(guildId, ticketId));
    // Changes were possibly missed: every watched resource may have moved.
    engine.changes.on('resync', () => { for (const s of this.subscribers) for (const u of s.uris) s.notify(u); });
  }

  changed(guildId: string, ticketId: string): void {
    if (this.subscribers.size === 0) return;
    const uris = changedUris(guildId, ticketId);
    for (const s of this.subscribers) for (const u of uris) if (s.uris.has(u)) s.notify(u);
  }

  add(s: Subscriber): () => void {
    this.subscribers.add(s);
    return () => { this.subscribers.delete(s); };
  }
}

const hubs = new WeakMap<Engine, SubscriptionHub>();
function hubOf(engine: Engine): SubscriptionHub {
  let hub = hubs.get(engine);
  if (!hub) { hub = new SubscriptionHub(engine); hubs.set(engine, hub); }
  return hub;
}

/**
 * 2025-11-25 subscribe/unsubscribe on one session's server; returns a function that drops its
 * subscriptions. `notify` defaults to the server's own resources/updated notification.
 */
export function registerSubscriptions(server: Server, session: SessionContext, notify: (uri: string) => void = (uri) => { void server.sendResourceUpdated({ uri }).catch(() => {}); }): () => void {
  const pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  const subscriber: Subscriber = {
    uris: new Set(),
    // Several changes in one moment (an operation and its transcript line) become one notification.
    notify(uri) {
      pending.add(uri);
      timer ??= setTimeout(() => {
        timer = undefined;
        const uris = [...pending];
        pending.clear();
        for (const u of uris) notify(u);
      }, 20);
    },
  };
  const remove = hubOf(session.deps.engine).add(subscriber);
  server.setRequestHandler('resources/subscribe', async (request) => {
    await checkSubscribable(session, request.params.uri);
    subscriber.uris.add(request.params.uri);
    return {};
  });
  server.setRequestHandler('resources/unsubscribe', (request) => {
    subscriber.uris.delete(request.params.uri);
    return {};
  });
  return () => { remove(); if (timer) clearTimeout(timer); };
}

/**
 * The 2026-07-28 listen bus of one process: engine changes (this process's and, through the change
 * feed, every other process's) become `resource_updated` events for the ticket, its transcripts, its
 * guild's stats and queue, and `resources_list_changed` (the open tickets listed may have moved).
 * Returns the bus and a function that stops feeding it.
 */
export function createChangeBus(engine: Engine, onerror?: (err: Error) => void): { bus: ServerEventBus; stop(): void } {
  const bus = new InMemoryServerEventBus(onerror);
  const onTicket = ({ guildId, ticketId, transcript }: { guildId: string; ticketId: string; transcript?: boolean }) => {
    if (bus.listenerCount === 0) return;
    for (const uri of changedUris(guildId, ticketId)) bus.publish({ kind: 'resource_updated', uri });
    if (!transcript) bus.publish({ kind: 'resources_list_changed' });
  };
  // The change feed reconnected: whatever other processes changed meanwhile was never heard, so
  // listeners are told the list may have changed and re-read what they show.
  const onResync = () => { if (bus.listenerCount > 0) bus.publish({ kind: 'resources_list_changed' }); };
  engine.changes.on('ticket', onTicket);
  engine.changes.on('resync', onResync);
  return { bus, stop: () => { engine.changes.off('ticket', onTicket); engine.changes.off('resync', onResync); } };
}
