/** The REST face: every dialect's route table on the shared Fastify server, plus /openapi.json and /docs. */
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../deps.js';
import { createIdempotencyStore } from '../engine/idempotency.js';
import type { Dialect } from './kit/dialect.js';
import { createAuthenticator } from '../engine/token-cache.js';
import { registerCors } from './kit/cors.js';
import { registerDocs } from './kit/docs.js';
import { mountDialect } from './kit/mount.js';
import { buildOpenApi } from './kit/openapi.js';
import { RateLimiter } from './kit/rate-limit.js';
import { husqy } from './husqy/index.js';
import { ticketeer } from './ticketeer/index.js';
import { volvox } from './volvox/index.js';
import { noteticketing } from './noteticketing/index.js';
import { native } from './native/index.js';

export const dialects: readonly Dialect[] = [ticketeer, husqy, volvox, noteticketing, native];

export async function registerRest(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const settings = deps.config;
  const kit = {
    app: deps,
    settings,
    authenticate: createAuthenticator(deps.engine.tokens, settings.TICKETBRIDGE_TOKEN_CACHE_MS),
    limiter: new RateLimiter(deps.engine.rateCounters, settings.TICKETBRIDGE_RATE_LIMIT_WINDOW * 1000),
    idempotency: createIdempotencyStore(deps.engine.ctx, { ttlSeconds: settings.TICKETBRIDGE_IDEMPOTENCY_TTL }),
  };
  await registerCors(app, settings, dialects.flatMap((d) => d.prefixes));
  for (const dialect of dialects) mountDialect(app, kit, dialect);
  await registerDocs(app, buildOpenApi([...dialects], '0.1.0'));
}
