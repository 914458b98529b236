/**
 * Token → actor for the HTTP faces (REST and /mcp), with a short-lived cache of accepted tokens so a
 * busy client does not cost a database read per request. A revoked token stops working within the
 * cache lifetime (TICKETBRIDGE_TOKEN_CACHE_MS, default 2 s; 0 = always ask the database). Refused
 * tokens are never cached.
 */
import type { Actor } from './actor.js';
import { hashToken } from './tokens.js';

interface TokenChecker { authenticate(token: string | undefined | null): Promise<Actor> }

const MAX_ENTRIES = 10_000;

export function createAuthenticator(tokens: TokenChecker, ttlMs: number, now: () => number = Date.now) {
  const cache = new Map<string, { actor: Actor; expires: number }>();
  /** `hashed`: the token's hash when the caller already has it (the MCP face binds sessions to it). */
  return async (token: string | undefined, hashed?: string): Promise<Actor> => {
    if (!token || ttlMs <= 0) return tokens.authenticate(token);
    const key = hashed ?? hashToken(token);
    const hit = cache.get(key);
    const t = now();
    if (hit && hit.expires > t) return hit.actor;
    const actor = await tokens.authenticate(token);
    if (cache.size >= MAX_ENTRIES) {
      for (const [k, v] of cache) if (v.expires <= t) cache.delete(k);
      if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
    }
    cache.set(key, { actor, expires: t + ttlMs });
    return actor;
  };
}
