/**
 * Discord's limits kept by several processes together (one bot token, one database).
 *
 * Global 50 requests/s, divided by demand. Each process's GlobalGate counts a request against its
 * share from the moment it leaves until a window after its answer (see global-gate.ts: no clock
 * agreement needed); so if at every moment the shares of all processes add up to at most 50, no
 * second on Discord's clock holds more than 50 of the bot's requests. Each process holds a number
 * of the 50 (a row in discord_rate_shares) and says how many it could use (its demand: requests
 * in the air or in the last window plus those waiting). On each beat, under the bot's lock, it
 * works out the fair division of the 50 by demand (max-min: nobody gets more than it asks, the
 * rest is split evenly among the hungrier) and moves towards its part:
 *   - giving back: it lowers its gate first and writes down only what its gate no longer counts,
 *     so a slot is never held in the table by one process while still counted by another's gate;
 *   - taking: only from what the live rows leave free, written before its gate grows.
 * An idle process keeps what it uses plus a little headroom, so a busy one may take the rest at
 * once. Beats come every 200 ms while anything is to be moved (a request waits, a share is above
 * its part, another process asks for more) and every heartbeat (2 s) otherwise. A process that
 * stops deletes its row; one that dies stops counting after three missed heartbeats and a window;
 * one that cannot write its row for 2.5 heartbeats (database unreachable) closes its gate, so what
 * it sent has aged out of every window before the others may count its row as gone.
 *
 * Route buckets (channel creates of one guild, messages of one channel …): before a bot request on
 * such a route leaves, it reserves one of what the shared bucket row says is left, and waits for
 * the reset when nothing is; each answer's X-RateLimit-* headers update the row. discord.js keeps
 * its own per-process queues on top; this only stops processes from spending each other's room.
 *
 * Hand-written because discord.js's limiter is per process by design and has no shared store.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Engine } from '../engine/index.js';
import type { Logger } from '../logger.js';
import type { GlobalGate } from './global-gate.js';
import { botKeyOf } from './bot-key.js';

/** Headers of one answer (the part of a fetch Response this reads). */
interface Answer { status: number; headers: { get(name: string): string | null } }

export interface SharedLimitsOptions {
  engine: Pick<Engine, 'discordBudget'>;
  token: string;
  gate: GlobalGate;
  logger: Logger;
  /** Discord's global limit per bot (default 50). */
  globalLimit?: number;
  /** How often an idle process says it is alive (default 2 s); it counts as gone after 3 missed beats. */
  heartbeatMs?: number;
}

const API_PATH = /^\/api(?:\/v\d+)?(\/.*)$/;
const MAJOR = /^\/(channels|guilds)\/(\d{15,21})(\/.*)?$/;
const COMMANDS = /^\/applications\/\d{15,21}\/guilds\/\d{15,21}\/commands$/;

/** The shared bucket key of a request: method and path with the major id kept and other ids generalised; null for routes not shared. */
export function routeKey(method: string, url: string): string | null {
  const m = method.toUpperCase();
  if (m === 'GET') return null; // reads have roomy buckets: not worth a database round trip each
  let path: string;
  try { path = new URL(url).pathname; } catch { return null; }
  const api = API_PATH.exec(path)?.[1];
  if (!api) return null;
  // Command registration per guild: a small bucket (2 a minute) every process hits at start.
  if (COMMANDS.test(api)) return `${m} ${api}`;
  const major = MAJOR.exec(api);
  if (!major) return null;
  const rest = (major[3] ?? '').replace(/\/\d{15,21}/g, '/:id');
  return `${m} /${major[1]}/${major[2]}${rest}`;
}

/**
 * Max-min fair division of `budget` among `wants` (each at least `floor`, while the budget lasts):
 * whoever wants less than an even part gets what it wants, the rest is split evenly among the others.
 */
export function divideBudget(wants: readonly number[], budget: number, floor = 1): number[] {
  const out = new Array<number>(wants.length).fill(0);
  const order = wants.map((w, i) => ({ w: Math.max(floor, w), i })).sort((x, y) => x.w - y.w);
  let left = budget;
  for (let k = 0; k < order.length; k++) {
    const { w, i } = order[k]!;
    const even = Math.floor(left / (order.length - k));
    const give = Math.max(0, Math.min(w, even));
    out[i] = give;
    left -= give;
  }
  return out;
}

/** Slots an idle process keeps beyond what it uses, so a lone request need not wait for a beat. */
const HEADROOM = 2;
/** Beat interval while shares are moving. */
const FAST_MS = 200;

export class SharedLimits {
  readonly botKey: string;
  readonly processId = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly heartbeatMs: number;
  private readonly globalLimit: number;
  private timer: NodeJS.Timeout | null = null;
  private spent: string[] = [];
  private spentAt = 0;
  private closed = false;
  private beating = false;
  private nextBeatAt = 0;
  private lastBeatAt = 0;
  /** When this process's row was last written (its slots counted by the others until ttl after). */
  private lastOkAt = 0;
  /** Live processes sharing the budget at the last beat (observability). */
  processes = 1;
  /** Of the bot's global budget, what this process's row holds. */
  held = 0;

  constructor(private readonly opts: SharedLimitsOptions) {
    this.botKey = botKeyOf(opts.token);
    this.heartbeatMs = opts.heartbeatMs ?? 2_000;
    this.globalLimit = opts.globalLimit ?? 50;
  }

  /** A row not written for this long counts as gone: three heartbeats, plus a window for what it sent last. */
  private get ttlMs(): number { return 3 * this.heartbeatMs + this.opts.gate.windowMs; }

  /** First beat (nothing is sent before this process holds part of the budget), then the beat loop. */
  async start(): Promise<void> {
    const gate = this.opts.gate;
    gate.setLimit(0);
    gate.onWait = () => this.soon();
    await this.beat();
    this.timer = setInterval(() => this.tick(), Math.min(50, FAST_MS / 2));
    this.timer.unref();
  }

  /** A request waits: beat soon (at most one beat per 100 ms). */
  private soon(): void {
    this.nextBeatAt = Math.min(this.nextBeatAt, this.lastBeatAt + FAST_MS / 2);
  }

  private tick(): void {
    if (this.closed) return;
    // Fencing: once the others may soon count this row as gone, stop sending (what was sent ages
    // out of the gate's window before they can hand it out).
    if (this.lastOkAt > 0 && Date.now() - this.lastOkAt > 2.5 * this.heartbeatMs && this.opts.gate.limit > 0) {
      this.opts.logger.warn('Discord budget not renewed in time; sending nothing until it is');
      this.opts.gate.setLimit(0);
    }
    if (!this.beating && Date.now() >= this.nextBeatAt) void this.beat();
  }

  private async beat(): Promise<void> {
    if (this.beating) return;
    this.beating = true;
    const gate = this.opts.gate;
    let moving = false;
    let limitAfter = gate.limit;
    const startedAt = Date.now();
    try {
      const out = await this.opts.engine.discordBudget.share(this.botKey, this.processId, this.ttlMs, (others, mine) => {
        const now = Date.now();
        const demand = Math.min(this.globalLimit, gate.occupied(now) + gate.queued());
        const wants = [demand + HEADROOM, ...others.map((o) => o.demand + HEADROOM)].map((w) => Math.min(this.globalLimit, w));
        const part = divideBudget(wants, this.globalLimit)[0]!;
        const free = this.globalLimit - others.reduce((n, o) => n + o.slots, 0) - mine;
        let slots: number;
        if (part < mine || part < gate.limit) {
          // Give back: the gate first; the row keeps what the gate still counts.
          gate.setLimit(part);
          slots = Math.min(mine, Math.max(part, gate.occupied(now)));
          limitAfter = part;
        } else {
          slots = mine + Math.max(0, Math.min(part - mine, free));
          limitAfter = slots;
        }
        moving = slots !== part || gate.queued() > 0 || others.some((o) => Math.min(this.globalLimit, o.demand + HEADROOM) > o.slots);
        return { slots, demand };
      });
      if (this.closed) return;
      this.held = out.slots;
      this.processes = out.processes;
      this.lastOkAt = startedAt; // the row's seen_at is no older than this
      // Taking: the row is written, now the gate may grow.
      gate.setLimit(Math.min(limitAfter, out.slots));
    } catch (err) {
      moving = true;
      this.opts.logger.warn({ err: (err as Error).message }, 'Discord budget beat failed; keeping the current share for now');
    } finally {
      this.beating = false;
      this.lastBeatAt = Date.now();
      this.nextBeatAt = this.lastBeatAt + (moving ? FAST_MS : this.heartbeatMs);
    }
  }

  /** Waits until `route`'s shared bucket has room, and takes one. A database failure lets the request go (discord.js still obeys 429s). */
  async reserve(route: string, signal?: AbortSignal | null): Promise<void> {
    for (;;) {
      let wait = 0;
      try {
        const r = await this.opts.engine.discordBudget.reserve(this.botKey, route);
        if (r.go || !r.resetAt) return;
        wait = Math.max(5, r.resetAt.getTime() - Date.now() + 50);
      } catch (err) {
        this.opts.logger.debug({ err: (err as Error).message, route }, 'shared bucket unavailable; sending anyway');
        return;
      }
      await sleep(Math.min(wait, 5_000), signal);
    }
  }

  /** Records what an answer said of `route`'s bucket; the request path does not wait for it (the returned promise never rejects). */
  observe(route: string, res: Answer): Promise<void> {
    const h = (n: string) => res.headers.get(n);
    const global = h('x-ratelimit-global') !== null || h('x-ratelimit-scope') === 'global';
    let limit = Number(h('x-ratelimit-limit'));
    let remaining = Number(h('x-ratelimit-remaining'));
    let resetAfter = Number(h('x-ratelimit-reset-after'));
    if (res.status === 429) {
      if (global) return Promise.resolve();
      remaining = 0;
      const retry = Number(h('retry-after') ?? h('x-ratelimit-reset-after'));
      resetAfter = Number.isFinite(retry) ? retry : 1;
      if (!Number.isFinite(limit)) limit = 1;
    }
    if (!Number.isFinite(limit) || !Number.isFinite(remaining) || !Number.isFinite(resetAfter) || h('x-ratelimit-limit') === null && res.status !== 429) return Promise.resolve();
    return this.opts.engine.discordBudget.observe(this.botKey, route, limit, remaining, Math.ceil(resetAfter * 1000))
      .catch((err: unknown) => this.opts.logger.debug({ err: (err as Error).message, route }, 'recording a shared bucket failed'));
  }

  /** Channels with a bucket spent (by any process), refreshed at most every 250 ms. */
  async spentChannels(): Promise<string[]> {
    if (Date.now() - this.spentAt < 250) return this.spent;
    this.spentAt = Date.now();
    try {
      this.spent = await this.opts.engine.discordBudget.spentChannels(this.botKey);
    } catch {
      this.spent = [];
    }
    return this.spent;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const gate = this.opts.gate;
    gate.onWait = null;
    // What was sent in the last window still counts: hand the share over once it has aged out
    // (at most a window and a bit; requests still unanswered by then were cut off by the stop).
    gate.setLimit(0);
    const until = Date.now() + gate.windowMs + 200;
    // A beat in flight would write the row again after it is deleted.
    while ((this.beating || gate.occupied() > 0) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    await this.opts.engine.discordBudget.leave(this.botKey, this.processId).catch(() => {});
  }
}

function sleep(ms: number, signal?: AbortSignal | null): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) { reject(signal.reason); return; }
    const t = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
    const onAbort = () => { clearTimeout(t); reject(signal?.reason); };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
