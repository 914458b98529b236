/**
 * Other processes' changes as engine change events. On PostgreSQL, triggers NOTIFY `tb_changes`
 * (migration 0005); this listens on one dedicated connection and re-emits what other processes wrote
 * on `ctx.changes`, so caches and MCP subscriptions of every process see every change at once.
 * Our own notifications are skipped: those changes were already emitted in-process after commit.
 */
import pg from 'pg';
import type { EngineContext } from './context.js';

export interface ChangeFeed {
  /** Resolves once the first LISTEN is in place (changes committed after this are heard). */
  ready: Promise<void>;
  close(): Promise<void>;
}

interface Notice { k?: unknown; g?: unknown; t?: unknown; a?: unknown }

export function startChangeFeed(
  ctx: EngineContext, connectionString: string, instance: string,
  onError: (message: string) => void = () => {},
): ChangeFeed {
  let closed = false;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  let listening!: () => void;
  const ready = new Promise<void>((r) => { listening = r; });

  const connect = () => {
    if (closed) return;
    const c = new pg.Client({ connectionString, application_name: `${instance}-feed` });
    client = c;
    c.on('notification', (msg) => {
      if (msg.channel !== 'tb_changes' || !msg.payload) return;
      let n: Notice;
      try { n = JSON.parse(msg.payload) as Notice; } catch { return; }
      if (n.a === instance || typeof n.g !== 'string') return;
      if (n.k === 'guild') ctx.changes.emit('guild', { guildId: n.g });
      else if (typeof n.t === 'string') ctx.changes.emit('ticket', { guildId: n.g, ticketId: n.t, transcript: n.k === 'transcript', remote: true });
    });
    const reconnect = (err: Error) => {
      if (closed || client !== c) return;
      onError(`change feed connection lost (${err.message}); reconnecting`);
      client = undefined;
      c.end().catch(() => {});
      retry = setTimeout(connect, 1000);
    };
    c.on('error', reconnect);
    c.connect().then(() => c.query('LISTEN tb_changes')).then(() => listening(), reconnect);
  };
  connect();

  return {
    ready,
    close: async () => {
      closed = true;
      if (retry) clearTimeout(retry);
      await client?.end().catch(() => {});
    },
  };
}
