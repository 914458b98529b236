/**
 * /openapi.json and /docs. The API reference page (Scalar) is served with its JavaScript bundled
 * from node_modules, and without web fonts, so nothing is fetched from a CDN when it is viewed.
 */
import type { FastifyInstance } from 'fastify';
import scalar from '@scalar/fastify-api-reference';

export async function registerDocs(app: FastifyInstance, document: Record<string, unknown>): Promise<void> {
  const json = JSON.stringify(document);
  app.get('/openapi.json', async (_req, reply) => reply.type('application/json; charset=utf-8').send(json));
  await app.register(scalar, {
    routePrefix: '/docs',
    logLevel: 'silent',
    configuration: {
      url: '/openapi.json',
      withDefaultFonts: false,
      hideClientButton: true,
      telemetry: false,
      mcp: { disabled: true },
      agent: { disabled: true },
    } as Record<string, unknown>,
  });
}
