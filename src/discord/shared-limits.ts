/**
 * Discord's limits kept by several processes together (one bot token, one database).
 *
 * Global 50 requests/s: each process heartbeats a row (engine.discordBudget) and sets its
 * GlobalGate to floor(50 / live processes). The gate needs no clock agreement (see
 * global-gate.ts), so shares that add up to at most 50 keep the total within 50 on Discord's clock.
 * A process that joins sends at a share of 1 until the others have had a heartbeat to shrink
 * theirs; one that stops deletes its row, one that dies stops counting after the heartbeat TTL,
 * and the others grow their share at their next heartbeat.
 *
 * Route buckets (channel creates of one guild, messages of one channel …): before a bot request on
 * such a route leaves, it reserves one of what the shared bucket row says is left, and waits for
 * the reset when nothing is; each answer's X-RateLimit-* headers update the row. discord.js keeps
 * its own per-process queues on top; this only stops processes from spending each other's room.
 *
 * Hand-written because discord.js's limiter is per process by design and has no shared store.
 */
import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Engine } from '../engine/index.js';
import type { Logger } from '../logger.js';
import type { GlobalGate } from './global-gate.js';

/** Headers of one answer (the part of a fetch Response this reads). */
interface Answer { status: number; headers: { get(name: string): string | null } }

export interface SharedLimitsOptions {
  engine: Pick<Engine, 'discordBudget'>;
  token: string;
  gate: GlobalGate;
  logger: Logger;
  /** Discord's global limit per bot (default 50). */
  globalLimit?: number;
  /** How often a process says it is alive (default 2 s); it counts as gone after 3 missed beats. */
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

export class SharedLimits {
  readonly botKey: string;
  readonly processId = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly heartbeatMs: number;
  private readonly globalLimit: number;
  private timer: NodeJS.Timeout | null = null;
  private spent: string[] = [];
  private spentAt = 0;
  private closed = false;
  /** When this process's first heartbeat was written. */
  private joinedAt: number | null = null;
  /** Live processes sharing the budget at the last heartbeat (observability). */
  processes = 1;

  constructor(private readonly opts: SharedLimitsOptions) {
    this.botKey = createHash('sha256').update(opts.token).digest('hex').slice(0, 16);
    this.heartbeatMs = opts.heartbeatMs ?? 2_000;
    this.globalLimit = opts.globalLimit ?? 50;
  }

  /** First heartbeat (so this process's share is set before its first request), then one every heartbeatMs. */
  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => { void this.beat(); }, this.heartbeatMs);
    this.timer.unref();
  }

  private async beat(): Promise<void> {
    try {
      const processes = await this.opts.engine.discordBudget.heartbeat(this.botKey, this.processId, 3 * this.heartbeatMs);
      if (this.closed) return;
      this.processes = processes;
      this.joinedAt ??= Date.now();
      // Until every other process has beaten once since we joined, they may still use their old share.
      const settled = processes === 1 || Date.now() - this.joinedAt >= this.heartbeatMs + 250;
      this.opts.gate.setLimit(settled ? Math.max(1, Math.floor(this.globalLimit / processes)) : 1);
    } catch (err) {
      this.opts.logger.warn({ err: (err as Error).message }, 'Discord budget heartbeat failed; keeping the current share');
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
