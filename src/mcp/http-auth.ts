/**
 * Bearer tokens for /mcp: the same tokens, abilities, guild scopes and cache as REST
 * (src/engine/token-cache.ts).
 */
import type { Actor } from '../engine/actor.js';
import type { Engine } from '../engine/index.js';
import { createAuthenticator } from '../engine/token-cache.js';
import { hashToken } from '../engine/tokens.js';

export interface Authenticated { actor: Actor; key: string }

export function bearerOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1];
}

/** The shared token check (same cache lifetime as REST), plus the key a session is bound to. */
export function createSessionAuthenticator(engine: Engine, cacheMs: number) {
  const authenticate = createAuthenticator(engine.tokens, cacheMs);
  return async (token: string | undefined): Promise<Authenticated> => {
    const key = token ? hashToken(token) : '';
    return { actor: await authenticate(token, key || undefined), key };
  };
}
