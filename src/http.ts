/** The one HTTP server: /healthz, the REST dialects and MCP's /mcp. */
import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import type { AppDeps } from './deps.js';
import { registerRest } from './rest/index.js';
import { registerMcpHttp } from './mcp/http.js';

const processTag = randomBytes(8).toString('hex');
let requestSeq = 0;

export async function buildHttpServer(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    bodyLimit: 1024 * 1024,
    // While shutting down, new requests get 503 (retry elsewhere) instead of hanging.
    return503OnClosing: true,
    // Request ids reach clients (NoteTicketing's error request_id) and logs: Fastify's default counter
    // (req-1, req-2 …) restarts with every process, so ids would repeat across restarts and replicas.
    // The time (ms, base 36) keeps them ordered; 64 random bits drawn once per process and a counter
    // keep them apart (random bits per request cost ~3.5 µs each: a visible share of a cached read).
    genReqId: () => `${Date.now().toString(36)}${processTag}${(++requestSeq).toString(36)}`,
  });

  app.get('/healthz', async (_req, reply) => {
    const ok = await deps.database.ping();
    const discord = deps.discord();
    const status = ok ? 'ok' : 'degraded';
    return reply.code(ok ? 200 : 503).send({
      status,
      database: { kind: deps.database.kind, ok },
      discord: { mode: discord.mode, ready: discord.ready, ...(discord.url ? { url: discord.url } : {}), ...(discord.shards ? { shards: discord.shards } : {}) },
    });
  });

  await registerRest(app, deps);
  await registerMcpHttp(app, deps);
  return app;
}
