/**
 * resources/subscribe: a session subscribed to a ticket, its transcript or its guild's stats hears
 * `notifications/resources/updated` when it changes, whichever face (or Discord) changed it. Engine
 * change events arrive in-process; on PostgreSQL, where other processes may write too, subscribed
 * tickets are also polled every few seconds.
 */
import { SubscribeRequestSchema, UnsubscribeRequestSchema, ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { canAccessGuild } from '../engine/actor.js';
import { forbidden } from '../engine/errors.js';
import type { Engine } from '../engine/index.js';
import type { SessionContext } from './context.js';
import { mcpErrors } from './catalogue-calls.js';
import { messageStreamer, parseUri, readTicket, statsUri, ticketUri, transcriptUris } from './resources.js';

interface Subscriber { uris: Set<string>; notify(uri: string): void }

const POLL_MS = 3000;

class SubscriptionHub {
  private readonly subscribers = new Set<Subscriber>();
  private poller: NodeJS.Timeout | undefined;
  private readonly fingerprints = new Map<string, string>();

  constructor(private readonly engine: Engine) {
    engine.changes.on('ticket', ({ guildId, ticketId }) => this.changed(guildId, ticketId));
  }

  changed(guildId: string, ticketId: string): void {
    const uris = [ticketUri(guildId, ticketId), ...transcriptUris(guildId, ticketId), statsUri(guildId)];
    for (const s of this.subscribers) for (const u of uris) if (s.uris.has(u)) s.notify(u);
  }

  add(s: Subscriber): () => void {
    this.subscribers.add(s);
    if (this.engine.kind === 'postgres' && !this.poller) {
      this.poller = setInterval(() => { void this.poll(); }, POLL_MS);
      this.poller.unref();
    }
    return () => {
      this.subscribers.delete(s);
      if (this.subscribers.size === 0 && this.poller) { clearInterval(this.poller); this.poller = undefined; this.fingerprints.clear(); }
    };
  }

  /** Takes the first look at a ticket as it is subscribed, so the first poll can already see a change. */
  async prime(guildId: string, ticketId: string): Promise<void> {
    if (this.engine.kind !== 'postgres') return;
    const key = `${guildId}/${ticketId}`;
    if (!this.fingerprints.has(key)) this.fingerprints.set(key, await this.fingerprint(guildId, ticketId));
  }

  private async fingerprint(guildId: string, ticketId: string): Promise<string> {
    const view = await this.engine.tickets.get({ guild_id: guildId, ticket: { ticket_id: ticketId } });
    let count = -1;
    try { count = await this.engine.transcripts.countMessages(ticketId); } catch { /* the ticket row alone */ }
    return `${JSON.stringify(view)}#${count}`;
  }

  /** Changes made by other processes sharing the PostgreSQL database. */
  private async poll(): Promise<void> {
    const tickets = new Map<string, { guildId: string; ticketId: string }>();
    for (const s of this.subscribers) for (const u of s.uris) {
      const p = parseUri(u);
      if (p?.ticketId) tickets.set(`${p.guildId}/${p.ticketId}`, { guildId: p.guildId, ticketId: p.ticketId });
    }
    for (const [key, t] of tickets) {
      try {
        const print = await this.fingerprint(t.guildId, t.ticketId);
        const before = this.fingerprints.get(key);
        this.fingerprints.set(key, print);
        if (before !== undefined && before !== print) this.changed(t.guildId, t.ticketId);
      } catch { /* gone or unreachable: nothing to announce */ }
    }
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
  server.registerCapabilities({ resources: { subscribe: true, listChanged: true } });
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
    if (!parsed) throw new McpError(ErrorCode.InvalidParams, `Cannot subscribe to ${uri}: subscribe to a ticket, transcript or stats URI (see resources/templates/list).`);
    if (!canAccessGuild(session.actor(), parsed.guildId)) throw forbidden(`This token has no access to guild ${parsed.guildId}. Use a token scoped to that guild.`);
    // Checks the ticket exists and may be read with this token.
    if (parsed.ticketId) {
      await readTicket(session, parsed.guildId, parsed.ticketId);
      if (parsed.kind === 'transcript') messageStreamer(session.deps.engine);
      await hub.prime(parsed.guildId, parsed.ticketId).catch(() => {});
    }
    subscriber.uris.add(uri);
    return {};
  }));
  server.setRequestHandler(UnsubscribeRequestSchema, (request) => {
    subscriber.uris.delete(request.params.uri);
    return {};
  });
  return () => { remove(); if (timer) clearTimeout(timer); };
}
