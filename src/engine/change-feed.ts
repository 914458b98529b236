/**
 * Other processes' changes as engine change events. On PostgreSQL, triggers NOTIFY `tb_changes`
 * (migration 0005); this listens on one dedicated connection and re-emits what other processes wrote
 * on `ctx.changes`, so caches and MCP subscriptions of every process see every change at once.
 * Our own notifications are skipped: those changes were already emitted in-process after commit.
 *
 * The connection comes back by itself after a PostgreSQL restart (src/db/listener.ts). Whatever was
 * committed while it was down was never heard, so each reconnect emits `resync`: caches drop
 * everything and subscribers are told their resources may have changed.
 */
import { startListener } from '../db/listener.js';
import type { EngineContext } from './context.js';

export interface ChangeFeed {
  /** Resolves once the first LISTEN is in place (changes committed after this are heard). */
  ready: Promise<void>;
  /** True while the feed's connection is up. */
  readonly listening: boolean;
  close(): Promise<void>;
}

interface Notice { k?: unknown; g?: unknown; t?: unknown; a?: unknown }

export function startChangeFeed(
  ctx: EngineContext, connectionString: string, instance: string,
  onError: (message: string) => void = () => {},
): ChangeFeed {
  const listener = startListener({
    connectionString,
    channels: ['tb_changes'],
    applicationName: `${instance}-feed`,
    onNotification: (_channel, payload) => {
      if (!payload) return;
      let n: Notice;
      try { n = JSON.parse(payload) as Notice; } catch { return; }
      if (n.a === instance || typeof n.g !== 'string') return;
      if (n.k === 'guild') ctx.changes.emit('guild', { guildId: n.g });
      else if (typeof n.t === 'string') ctx.changes.emit('ticket', { guildId: n.g, ticketId: n.t, transcript: n.k === 'transcript', remote: true });
    },
    onListening: (first) => {
      if (!first) ctx.changes.emit('resync', { reason: 'the change feed reconnected' });
    },
    onLost: (message, attempt) => { if (attempt === 1) onError(`change feed connection lost (${message}); reconnecting`); },
  });
  return {
    ready: listener.ready,
    get listening() { return listener.listening; },
    close: () => listener.close(),
  };
}
