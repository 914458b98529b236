/**
 * Bearer tokens for /mcp: the same tokens, abilities and guild scopes as REST. A verified token is
 * remembered for a few seconds, so a busy session does not pay a database round trip per call; a
 * revoked token stops working within that time.
 */
import { createHash } from 'node:crypto';
import type { Actor } from '../engine/actor.js';
import type { Engine } from '../engine/index.js';

const TTL_MS = 5000;
const MAX_ENTRIES = 10_000;

export interface Authenticated { actor: Actor; key: string }

export function bearerOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1];
}

export function createAuthenticator(engine: Engine, now: () => number = Date.now) {
  const cache = new Map<string, { actor: Actor; until: number }>();
  return async (token: string | undefined): Promise<Authenticated> => {
    if (!token) return { actor: await engine.tokens.authenticate(token), key: '' }; // throws unauthorized
    const key = createHash('sha256').update(token).digest('base64url');
    const hit = cache.get(key);
    if (hit && hit.until > now()) return { actor: hit.actor, key };
    const actor = await engine.tokens.authenticate(token);
    if (cache.size >= MAX_ENTRIES) cache.clear();
    cache.set(key, { actor, until: now() + TTL_MS });
    return { actor, key };
  };
}
