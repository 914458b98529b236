/**
 * Discord's global limit (50 requests/s per bot) kept proactively, around each request on the wire.
 *
 * Why not @discordjs/rest's own limiter: it counts fixed 1-second windows of send times on our
 * clock, while Discord (and the sandbox) count arrivals on theirs. Transit delays differ from
 * request to request (a busy event loop on either side bunches arrivals), so a burst at the end of
 * our window plus one at the start of the next can land inside one of theirs: measured against the
 * rate-limited sandbox, 143 global 429s in 1,602 requests, each pausing every queue.
 *
 * This gate needs no clock agreement. A request arrives after we send it and before its answer
 * comes back, so one whose answer came back more than a window ago cannot share a window with a
 * request sent now. A request may leave when fewer than `limit` requests are unanswered or were
 * answered within the last window: then no window on the server's clock can hold `limit + 1`.
 * The cost is one round trip per window (about 49/s against a local sandbox).
 *
 * Requests without a bot token (interaction callbacks, webhook tokens) are exempt, as on Discord.
 */
import { DefaultRestOptions, type RESTOptions } from 'discord.js';
import { routeKey, type SharedLimits } from './shared-limits.js';

export interface GlobalGateOptions {
  /** Requests per window (default 50: Discord's global limit). */
  limit?: number;
  /** Window length (default 1000 ms) plus this margin for timer granularity (default 10 ms). */
  marginMs?: number;
}

interface Waiter { resolve: (release: () => void) => void; reject: (err: unknown) => void; signal: AbortSignal | null | undefined; onAbort: () => void }

export class GlobalGate {
  /** This process's requests per window: all of the bot's limit, or its share when several processes send (shared-limits.ts). */
  limit: number;
  readonly windowMs: number;
  /** Requests sent and not answered yet. */
  private open = 0;
  /** Answer times within the last window, oldest first. */
  private answered: number[] = [];
  private queue: Waiter[] = [];
  private timer: NodeJS.Timeout | null = null;
  /** Requests that had to wait for room (observability). */
  waited = 0;
  /** Called when a request has to wait for room (shared-limits.ts asks for more of the budget). */
  onWait: (() => void) | null = null;

  constructor(opts: GlobalGateOptions = {}) {
    this.limit = Math.max(1, opts.limit ?? 50);
    this.windowMs = 1_000 + Math.max(0, opts.marginMs ?? 10);
  }

  /** Resolves when one more request may leave now, with the function to call once it is answered (or failed). */
  acquire(signal?: AbortSignal | null): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.queue.length === 0 && this.hasRoom(Date.now())) return Promise.resolve(this.take());
    this.waited++;
    this.onWait?.();
    return new Promise<() => void>((resolve, reject) => {
      const w: Waiter = {
        resolve, reject, signal,
        onAbort: () => {
          this.queue = this.queue.filter((x) => x !== w);
          reject(signal?.reason);
        },
      };
      signal?.addEventListener('abort', w.onAbort, { once: true });
      this.queue.push(w);
      this.pump();
    });
  }

  /** Changes this process's share (0: send nothing for now); a smaller one takes effect for the next request. */
  setLimit(limit: number): void {
    this.limit = Math.max(0, Math.floor(limit));
    this.pump();
  }

  /**
   * Requests that still count against this process's share: unanswered, or answered within the
   * last window. A share may be handed to another process only once it is out of this count.
   */
  occupied(now = Date.now()): number {
    this.hasRoom(now);
    return this.open + this.answered.length;
  }

  /** Requests waiting for room now. */
  queued(): number {
    return this.queue.length;
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private hasRoom(now: number): boolean {
    let drop = 0;
    while (drop < this.answered.length && (this.answered[drop] as number) <= now - this.windowMs) drop++;
    if (drop > 0) this.answered.splice(0, drop);
    return this.open + this.answered.length < this.limit;
  }

  private take(): () => void {
    this.open++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.open--;
      this.answered.push(Date.now());
      this.pump();
    };
  }

  private pump(): void {
    while (this.queue.length > 0 && this.hasRoom(Date.now())) {
      const w = this.queue.shift() as Waiter;
      w.signal?.removeEventListener('abort', w.onAbort);
      w.resolve(this.take());
    }
    // Room comes back when an answer ages out of the window (or when an open request is answered).
    if (this.queue.length > 0 && !this.timer && this.answered.length > 0) {
      const at = (this.answered[0] as number) + this.windowMs;
      this.timer = setTimeout(() => { this.timer = null; this.pump(); }, Math.max(1, at - Date.now()));
    }
  }
}

/**
 * REST options that send every bot-authenticated request through `gate` (and retire discord.js's
 * fixed-window guess); with `shared`, a request on a shared route bucket also reserves its room there first.
 */
export function gatedRestOptions(gate: GlobalGate, shared?: SharedLimits | null): Pick<RESTOptions, 'makeRequest' | 'globalRequestsPerSecond'> {
  return {
    // Ours is the limiter; discord.js still obeys a global 429 should one come.
    globalRequestsPerSecond: 1_000_000,
    async makeRequest(url, init) {
      const headers = init.headers as Record<string, string> | undefined;
      if (!(headers && typeof headers === 'object' && 'Authorization' in headers)) return DefaultRestOptions.makeRequest(url, init);
      const route = shared ? routeKey(init.method ?? 'GET', url) : null;
      if (shared && route) await shared.reserve(route, init.signal);
      const answered = await gate.acquire(init.signal);
      let res: Awaited<ReturnType<typeof DefaultRestOptions.makeRequest>>;
      try {
        res = await DefaultRestOptions.makeRequest(url, init);
      } finally {
        answered();
      }
      if (shared && route) void shared.observe(route, res);
      return res;
    },
  };
}
