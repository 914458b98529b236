/**
 * resources/subscribe: a session subscribed to a ticket, its transcript or its guild's stats hears
 * `notifications/resources/updated` when it changes, whichever face (or Discord) changed it. Engine
 * change events cover this process's writes and, through the change feed (src/engine/change-feed.ts),
 * those of other processes sharing the PostgreSQL database.
 */
import { SubscribeRequestSchema, UnsubscribeRequestSchema, ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { canAccessGuild } from '../engine/actor.js';
import { forbidden } from '../engine/errors.js';
import type { Engine } from '../engine/index.js';
import type { SessionContext } from './context.js';
import { mcpErrors, requireAbility } from './catalogue-calls.js';
import { parseUri, queueUri, readTicket, statsUri, ticketUri, transcriptUris } from './resources.js';

interface Subscriber { uris: Set<string>; notify(uri: string): void }

class SubscriptionHub {
  private readonly subscribers = new Set<Subscriber>();

  constructor(engine: Engine) {
    engine.changes.on('ticket', ({ guildId, ticketId }) => this.changed(guildId, ticketId));
    // Changes were possibly missed: every watched resource may have moved.
    engine.changes.on('resync', () => { for (const s of this.subscribers) for (const u of s.uris) s.notify(u); });
  }

  changed(guildId: string, ticketId: string): void {
    const uris = [ticketUri(guildId, ticketId), ...transcriptUris(guildId, ticketId), statsUri(guildId), queueUri(guildId)];
    for (const s of this.subscribers) for (const u of uris) if (s.uris.has(u)) s.notify(u);
  }

  add(s: Subscriber): () => void {
    this.subscribers.add(s);
    return () => { this.subscribers.delete(s); };
  }
}

export type { SubscriptionHub };
const hubs = new WeakMap<Engine, SubscriptionHub>();
function hubOf(engine: Engine): SubscriptionHub {
  let hub = hubs.get(engine);
  if (!hub) { hub = new SubscriptionHub(engine); hubs.set(engine, hub); }
  return hub;
}

/** Registers subscribe/unsubscribe; returns a function that drops this session's subscriptions. */
export function registerSubscriptions(mcp: McpServer, session: SessionContext): () => void {
  const server = mcp.server;
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
        for (const u of uris) void server.sendResourceUpdated({ uri: u }).catch(() => {});
      }, 20);
    },
  };
  const hub = hubOf(session.deps.engine);
  const remove = hub.add(subscriber);

  server.setRequestHandler(SubscribeRequestSchema, (request) => mcpErrors(async () => {
    const uri = request.params.uri;
    const parsed = parseUri(uri);
    if (!parsed) throw new McpError(ErrorCode.InvalidParams, `Cannot subscribe to ${uri}: subscribe to a ticket, transcript, stats or queue URI (see resources/templates/list).`);
    if (!canAccessGuild(session.actor(), parsed.guildId)) throw forbidden(`This token has no access to guild ${parsed.guildId}. Use a token scoped to that guild.`);
    // Checks the ticket exists and may be read with this token; a transcript also needs transcripts:read.
    if (parsed.kind === 'transcript') requireAbility(session, 'transcripts:read', 'transcripts');
    if (parsed.kind === 'queue') requireAbility(session, 'tickets:read', 'tickets');
    if (parsed.ticketId) await readTicket(session, parsed.guildId, parsed.ticketId);
    subscriber.uris.add(uri);
    return {};
  }));
  server.setRequestHandler(UnsubscribeRequestSchema, (request) => {
    subscriber.uris.delete(request.params.uri);
    return {};
  });
  return () => { remove(); if (timer) clearTimeout(timer); };
}
