// Discord's rate limits as headers and 429s: per-route buckets keyed by the major parameter
// (channel, guild, webhook), a global 50 requests/s per token, and the channel name/topic
// sublimit (2 per 10 minutes per channel). Bucket sizes are the ones Discord is commonly observed
// to send (Discord does not document them and may change them); unlisted routes get a roomy default.
import { createHash } from 'node:crypto';
import type { BucketSpec, Req, RouteDef } from './router.js';
import { Traffic } from './traffic.js';

export const GLOBAL_LIMIT_PER_SECOND = 50;
export const RENAME_LIMIT = 2;
export const RENAME_WINDOW_MS = 10 * 60_000;

export const DEFAULT_BUCKET: BucketSpec = { name: 'default', limit: 50, windowMs: 1_000 };

export const BUCKETS = {
  messageCreate: { name: 'message-create', limit: 5, windowMs: 5_000 },
  messageEdit: { name: 'message-edit', limit: 5, windowMs: 5_000 },
  messageDelete: { name: 'message-delete', limit: 5, windowMs: 1_000 },
  channelCreate: { name: 'guild-channel-create', limit: 5, windowMs: 5_000 },
  channelModify: { name: 'channel-modify', limit: 5, windowMs: 5_000 },
  channelDelete: { name: 'channel-delete', limit: 5, windowMs: 5_000 },
  overwrite: { name: 'channel-permissions', limit: 10, windowMs: 10_000 },
  threadCreate: { name: 'thread-create', limit: 5, windowMs: 5_000 },
  threadMembers: { name: 'thread-members', limit: 10, windowMs: 10_000 },
  webhookExecute: { name: 'webhook-execute', limit: 5, windowMs: 2_000 },
  commandsBulk: { name: 'commands-bulk', limit: 2, windowMs: 60_000 },
  dmCreate: { name: 'dm-create', limit: 2, windowMs: 1_000 },
} satisfies Record<string, BucketSpec>;

export interface Limited {
  retryAfter: number; // seconds
  scope: 'user' | 'global' | 'shared';
  global: boolean;
}

export interface LimitOutcome {
  headers: Record<string, string>;
  limited: Limited | null;
}

interface Window {
  remaining: number;
  resetAt: number;
}

const hashes = new Map<string, string>();
export function bucketHash(name: string): string {
  let h = hashes.get(name);
  if (!h) {
    h = createHash('md5').update(`sandbox:${name}`).digest('hex');
    hashes.set(name, h);
  }
  return h;
}

const secs = (ms: number): string => (Math.max(0, ms) / 1000).toFixed(3);

export function majorParameter(req: Req): string {
  return req.params.channel_id ?? req.params.guild_id ?? req.params.webhook_id ?? req.params.interaction_id ?? '';
}

export class RateLimiter {
  private readonly buckets = new Map<string, Window>();
  private readonly global = new Map<string, Window>();
  private readonly renames = new Map<string, number[]>();
  /** Counted whether or not limits are enforced. */
  readonly traffic = new Traffic();

  constructor(readonly enabled: boolean) {}

  reset(): void {
    this.traffic.reset();
    this.buckets.clear();
    this.global.clear();
    this.renames.clear();
  }

  /** Headers describing `def`'s bucket without consuming it (fault answers reuse them). */
  peekHeaders(def: RouteDef, req: Req, token: string | null, now = Date.now()): Record<string, string> {
    const spec = def.bucket ?? DEFAULT_BUCKET;
    const w = this.buckets.get(`${token ?? ''}:${spec.name}:${majorParameter(req)}`);
    const resetAt = w && w.resetAt > now ? w.resetAt : now + spec.windowMs;
    return bucketHeaders(spec, w && w.resetAt > now ? w.remaining : spec.limit, resetAt, now);
  }

  check(def: RouteDef, req: Req, token: string | null, now = Date.now()): LimitOutcome {
    if (def.global && token) this.traffic.request(now);
    const out = this.decide(def, req, token, now);
    if (out.limited) this.traffic.limited(out.limited.global);
    return out;
  }

  private decide(def: RouteDef, req: Req, token: string | null, now: number): LimitOutcome {
    if (!this.enabled) return { headers: {}, limited: null };
    if (def.global && token) {
      let g = this.global.get(token);
      if (!g || now >= g.resetAt) {
        g = { remaining: GLOBAL_LIMIT_PER_SECOND, resetAt: now + 1_000 };
        this.global.set(token, g);
      }
      if (g.remaining <= 0) {
        const retryAfter = (g.resetAt - now) / 1000;
        return {
          headers: { 'X-RateLimit-Global': 'true', 'X-RateLimit-Scope': 'global', 'Retry-After': retryAfter.toFixed(3) },
          limited: { retryAfter, scope: 'global', global: true },
        };
      }
      g.remaining -= 1;
    }
    const spec = def.bucket ?? DEFAULT_BUCKET;
    const key = `${token ?? ''}:${spec.name}:${majorParameter(req)}`;
    let w = this.buckets.get(key);
    if (!w || now >= w.resetAt) {
      w = { remaining: spec.limit, resetAt: now + spec.windowMs };
      this.buckets.set(key, w);
    }
    if (w.remaining <= 0) {
      const retryAfter = (w.resetAt - now) / 1000;
      return {
        headers: { ...bucketHeaders(spec, 0, w.resetAt, now), 'X-RateLimit-Scope': 'user', 'Retry-After': retryAfter.toFixed(3) },
        limited: { retryAfter, scope: 'user', global: false },
      };
    }
    if (this.isRename(def, req)) {
      const channelId = req.params.channel_id ?? '';
      const times = (this.renames.get(channelId) ?? []).filter((t) => now - t < RENAME_WINDOW_MS);
      this.renames.set(channelId, times);
      if (times.length >= RENAME_LIMIT) {
        const retryAfter = ((times[0] ?? now) + RENAME_WINDOW_MS - now) / 1000;
        // The route bucket still has room: @discordjs/rest reads this as a sublimit.
        return {
          headers: { ...bucketHeaders(spec, w.remaining, w.resetAt, now), 'X-RateLimit-Scope': 'user', 'Retry-After': retryAfter.toFixed(3) },
          limited: { retryAfter, scope: 'user', global: false },
        };
      }
      times.push(now);
    }
    w.remaining -= 1;
    return { headers: bucketHeaders(spec, w.remaining, w.resetAt, now), limited: null };
  }

  private isRename(def: RouteDef, req: Req): boolean {
    if (def.method !== 'PATCH' || def.pattern !== '/channels/:channel_id') return false;
    const b = req.body;
    return typeof b === 'object' && b !== null && ('name' in b || 'topic' in b);
  }
}

export function bucketHeaders(spec: BucketSpec, remaining: number, resetAt: number, now: number): Record<string, string> {
  return {
    'X-RateLimit-Limit': String(spec.limit),
    'X-RateLimit-Remaining': String(Math.max(0, remaining)),
    'X-RateLimit-Reset': (resetAt / 1000).toFixed(3),
    'X-RateLimit-Reset-After': secs(resetAt - now),
    'X-RateLimit-Bucket': bucketHash(spec.name),
  };
}

export function rateLimitBody(l: Limited): Record<string, unknown> {
  return { message: 'You are being rate limited.', retry_after: Number(l.retryAfter.toFixed(3)), global: l.global };
}
