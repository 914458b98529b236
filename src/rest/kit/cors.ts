/**
 * CORS for the REST APIs (@fastify/cors), so browser pages on the origins in
 * TICKETBRIDGE_CORS_ORIGINS can call them: preflights are answered before authentication (a browser
 * sends no token with them), and the answers' rate-limit and idempotency headers are readable.
 * Only REST paths get CORS: /mcp keeps its own Origin check (DNS-rebinding protection) and answers
 * no preflight. `*` allows any origin and then never allows credentials.
 */
import cors from '@fastify/cors';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RestSettings } from './settings.js';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];
const ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'Accept', 'Idempotency-Key', 'X-Api-Secret'];
const EXPOSED_HEADERS = ['X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset', 'Retry-After', 'Idempotent-Replayed', 'Content-Disposition'];

export async function registerCors(app: FastifyInstance, settings: RestSettings, restPrefixes: readonly string[]): Promise<void> {
  const origins = settings.TICKETBRIDGE_CORS_ORIGINS;
  if (origins.length === 0) return;
  const any = origins.includes('*');
  const paths = [...restPrefixes, '/openapi.json'];
  const isRest = (req: FastifyRequest): boolean => {
    const path = req.url.split('?')[0] ?? '';
    return paths.some((p) => path === p || path.startsWith(`${p}/`));
  };
  const options = {
    origin: any ? '*' : origins,
    credentials: !any,
    methods: METHODS,
    allowedHeaders: ALLOWED_HEADERS,
    exposedHeaders: EXPOSED_HEADERS,
    maxAge: 600,
  };
  await app.register(cors, {
    // Per request: CORS for REST paths, none elsewhere (origin false leaves the request untouched).
    delegator: (req, cb) => cb(null, isRest(req) ? options : { origin: false }),
  });
}
