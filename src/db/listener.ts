/**
 * A LISTEN connection that survives PostgreSQL restarts: one dedicated `pg.Client`, re-established
 * with backoff whenever it drops, each time re-issuing its LISTENs.
 *
 * Hand-written because nothing well kept fits: `pg` has no reconnecting listener, and the one
 * library for it (pg-listen) has not been released since 2020. The part that matters is small:
 * an `error` listener on the client (without one, a dropped socket crashes the process), a backoff
 * capped low enough that the listener is back within about two seconds of PostgreSQL accepting
 * connections again, and a callback on every re-connect, because notifications sent while the
 * connection was down are gone: whoever listens must catch up by other means.
 */
import pg from 'pg';

export interface ListenerOptions {
  connectionString: string;
  channels: readonly string[];
  /** Shown in pg_stat_activity as this connection's application_name. */
  applicationName: string;
  onNotification: (channel: string, payload: string | undefined) => void;
  /**
   * Called each time the LISTENs are in place. `first` is false after a reconnect: notifications
   * sent in between were missed.
   */
  onListening?: (first: boolean) => void;
  /** Called once per lost connection (or failed attempt), with the reason. */
  onLost?: (message: string, attempt: number) => void;
  /** First retry delay and the cap (defaults 100 ms, 2 s). */
  minDelayMs?: number;
  maxDelayMs?: number;
}

export interface Listener {
  /** Resolves once the first LISTEN is in place (changes committed after this are heard). */
  readonly ready: Promise<void>;
  /** True while the LISTEN connection is up. */
  readonly listening: boolean;
  /** How many times the LISTENs were (re-)established. */
  readonly connects: number;
  close(): Promise<void>;
}

export function startListener(opts: ListenerOptions): Listener {
  const minDelay = opts.minDelayMs ?? 100;
  const maxDelay = opts.maxDelayMs ?? 2_000;
  let closed = false;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  let attempt = 0;
  let connects = 0;
  let listening = false;
  let markReady!: () => void;
  const ready = new Promise<void>((r) => { markReady = r; });

  const connect = (): void => {
    retry = undefined;
    if (closed) return;
    const c = new pg.Client({ connectionString: opts.connectionString, application_name: opts.applicationName, connectionTimeoutMillis: 5_000 });
    client = c;
    let lost = false;
    const onLost = (err: Error): void => {
      // A client reports one loss through several paths (error event, failed query, end); act once.
      if (lost || closed || client !== c) return;
      lost = true;
      listening = false;
      client = undefined;
      c.end().catch(() => {});
      attempt++;
      opts.onLost?.(err.message, attempt);
      const delay = Math.min(maxDelay, minDelay * 2 ** Math.min(attempt - 1, 10));
      retry = setTimeout(connect, delay);
      retry.unref();
    };
    c.on('error', onLost);
    c.on('end', () => onLost(new Error('connection ended')));
    c.on('notification', (msg) => { if (!closed) opts.onNotification(msg.channel, msg.payload); });
    c.connect()
      .then(() => c.query(opts.channels.map((ch) => `LISTEN ${pg.escapeIdentifier(ch)}`).join('; ')))
      .then(() => {
        if (closed || client !== c) return;
        listening = true;
        attempt = 0;
        connects++;
        opts.onListening?.(connects === 1);
        markReady();
      }, onLost);
  };
  connect();

  return {
    ready,
    get listening() { return listening; },
    get connects() { return connects; },
    close: async () => {
      closed = true;
      listening = false;
      if (retry) clearTimeout(retry);
      const c = client;
      client = undefined;
      await c?.end().catch(() => {});
    },
  };
}
