/**
 * /openapi.json: an OpenAPI 3.1 document of every REST route, generated from the same zod schemas
 * that validate the requests (zod 4's JSON Schema output, draft 2020-12 = OpenAPI 3.1's dialect).
 */
import { z } from 'zod';
import type { Dialect } from './dialect.js';
import type { AnyRoute } from './route.js';

type Json = Record<string, unknown>;

function schemaOf(schema: z.ZodType, io: 'input' | 'output'): Json {
  const s = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Json;
  delete s['$schema'];
  return s;
}

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query'): Json[] {
  if (!schema) return [];
  const json = schemaOf(schema, 'input');
  const props = (json['properties'] ?? {}) as Record<string, Json>;
  const required = new Set((json['required'] as string[] | undefined) ?? []);
  return Object.entries(props).map(([name, s]) => {
    const { description, ...rest } = s;
    return { name, in: where, required: where === 'path' || required.has(name), ...(description ? { description } : {}), schema: rest };
  });
}

const errorStatuses: Record<string, string> = {
  400: 'Malformed request', 401: 'Missing, unknown or revoked token', 403: 'Token lacks the ability or the guild',
  404: 'Not found', 422: 'Invalid input', 429: 'Rate limited (see Retry-After)', 503: 'Database unavailable',
};

function operation(dialect: Dialect, r: AnyRoute): Json {
  const errorContent = { 'application/json': { schema: schemaOf(dialect.errorSchema, 'output') } };
  const responses: Json = {
    [String(r.status ?? 200)]: { description: 'Success', content: { 'application/json': { schema: schemaOf(r.response, 'output') } } },
  };
  for (const [code, description] of Object.entries(errorStatuses)) responses[code] = { description, content: errorContent };
  const op: Json = {
    operationId: `${dialect.name}_${r.method.toLowerCase()}_${r.path.replace(/[{}]/g, '').replace(/[^\w]+/g, '_').replace(/^_|_$/g, '')}`,
    summary: r.summary,
    ...(r.description ? { description: r.description } : {}),
    tags: r.tags.map((t) => `${dialect.title}: ${t}`),
    parameters: [...parameters(r.params, 'path'), ...parameters(r.query, 'query'),
      ...(r.method === 'POST' ? [{ name: 'Idempotency-Key', in: 'header', required: false, description: 'Makes a retried POST return the first answer instead of acting twice.', schema: { type: 'string', maxLength: 255 } }] : [])],
    security: dialect.security.map((s) => ({ [s]: [] })),
    responses,
    'x-catalogue-operations': r.operations,
  };
  if (r.body) op['requestBody'] = { required: false, content: { 'application/json': { schema: schemaOf(r.body, 'input') } } };
  return op;
}

export function buildOpenApi(dialects: Dialect[], version: string): Json {
  const paths: Record<string, Json> = {};
  for (const d of dialects) {
    for (const r of d.routes) {
      const entry = (paths[r.path] ??= {});
      entry[r.method.toLowerCase()] = operation(d, r);
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'ticketbridge REST APIs',
      version,
      description: 'Ticketeer-, Husqy- and Volvox-compatible ticket APIs over one ticket engine. Every route answers in its own API\'s shapes; rate limits are reported in X-RateLimit-Limit/Remaining/Reset.',
    },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An API token from "ticketbridge token create".' },
        apiSecret: { type: 'apiKey', in: 'header', name: 'x-api-secret', description: 'The same API token, Volvox style.' },
      },
    },
    paths,
  };
}
