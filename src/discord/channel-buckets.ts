/**
 * Which channels have a spent rate-limit bucket right now, read from Discord's response headers.
 * The outbox worker leaves those channels' message jobs in the database until the bucket resets
 * instead of claiming them into a slot that would only wait inside discord.js (5 messages per 5 s
 * per channel would otherwise park most slots while other channels' work waits behind them).
 */
import type { REST } from 'discord.js';

const CHANNEL_PATH = /^\/channels\/(\d{17,20})(?:\/|$)/;

export class ChannelBuckets {
  /** `${channel}:${bucket}` → when that spent bucket resets (ms since epoch). */
  private spent = new Map<string, { channel: string; resetAt: number }>();

  constructor(private readonly offsetMs = 50) {}

  /** Feeds one response (status + headers) for `path`. */
  observe(path: string, status: number, header: (name: string) => string | null, now = Date.now()): void {
    const channel = CHANNEL_PATH.exec(path)?.[1];
    if (!channel) return;
    const bucket = header('x-ratelimit-bucket') ?? path;
    const key = `${channel}:${bucket}`;
    const scope = header('x-ratelimit-scope');
    const global = header('x-ratelimit-global') !== null || scope === 'global';
    if (status === 429 && !global) {
      const retry = Number(header('retry-after') ?? header('x-ratelimit-reset-after') ?? '1');
      this.spent.set(key, { channel, resetAt: now + (Number.isFinite(retry) ? retry * 1000 : 1000) + this.offsetMs });
      return;
    }
    const remaining = header('x-ratelimit-remaining');
    const resetAfter = Number(header('x-ratelimit-reset-after'));
    if (remaining === '0' && Number.isFinite(resetAfter)) this.spent.set(key, { channel, resetAt: now + resetAfter * 1000 + this.offsetMs });
    else if (remaining !== null) this.spent.delete(key);
  }

  /** Channels with a spent bucket at `now`. */
  blocked(now = Date.now()): string[] {
    const out = new Set<string>();
    for (const [key, s] of this.spent) {
      if (s.resetAt <= now) this.spent.delete(key);
      else out.add(s.channel);
    }
    return [...out];
  }

  /** The next moment a spent bucket resets (null: none spent). */
  nextReset(now = Date.now()): number | null {
    let next: number | null = null;
    for (const s of this.spent.values()) if (s.resetAt > now && (next === null || s.resetAt < next)) next = s.resetAt;
    return next;
  }

  /** Follows every response of `rest`; returns the detach function. */
  attach(rest: REST): () => void {
    const onResponse = (req: { path: string }, res: { status: number; headers: { get(name: string): string | null } }) => {
      this.observe(String(req.path), res.status, (n) => res.headers.get(n));
    };
    rest.on('response', onResponse);
    return () => { rest.off('response', onResponse); };
  }
}
