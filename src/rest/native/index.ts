/**
 * ticketbridge's own HTTP API: every catalogue operation at `POST /api/ticketbridge/v1/{operation}`,
 * the JSON body being the operation's input (the MCP tool's arguments) and the answer its output.
 * For programs that want everything the MCP tools do, over plain HTTP: the same abilities, guild
 * scope, rate limits and Idempotency-Key as the other APIs, errors as
 * `{"error": {"code", "message", "fields"?}}`.
 */
import { z } from 'zod';
import { catalogue } from '../../operations/index.js';
import type { AnyOperation } from '../../operations/define.js';
import { bearerToken, type Dialect } from '../kit/dialect.js';
import { defaultStatus, type Problem } from '../kit/problem.js';
import { route, type AnyRoute } from '../kit/route.js';

export const NATIVE_PREFIX = '/api/ticketbridge/v1';

export const NativeError = z.object({
  error: z.object({
    code: z.string().describe('invalid, bad_request, not_found, conflict, forbidden, unauthorized, rate_limited, unavailable, module_disabled, …'),
    message: z.string().describe('What was wrong and what to do'),
    fields: z.array(z.object({ path: z.string(), message: z.string() })).optional().describe('The fields at fault'),
  }),
});

function renderError(p: Problem) {
  return { status: defaultStatus[p.kind], body: { error: { code: p.kind, message: p.message, ...(p.fields?.length ? { fields: p.fields } : {}) } } };
}

function operationRoute(op: AnyOperation): AnyRoute {
  return route({
    method: 'POST', path: `${NATIVE_PREFIX}/${op.name}`, summary: op.title, description: op.description, tags: [`ticketbridge: ${op.toolset}`],
    body: op.input, response: op.output, operations: [op.name], ability: op.ability,
    // The body was checked against the input schema; the operation parses the request's own JSON, so defaults and transforms apply once.
    handler: ({ req, call }) => call(op.name, req.body ?? {}),
  });
}

export const native: Dialect = {
  name: 'ticketbridge',
  title: 'ticketbridge API',
  prefixes: [NATIVE_PREFIX],
  routes: catalogue.map(operationRoute),
  tokenOf: bearerToken,
  ipLimit: (s) => s.TICKETBRIDGE_RATE_LIMIT_IP,
  renderError,
  errorSchema: NativeError,
  security: ['bearer'],
};
