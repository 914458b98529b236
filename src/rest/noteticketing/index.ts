/**
 * The NoteTicketing-compatible API (document 004) under /v1: guilds, monitoring config and channels,
 * action items, sweeps, analytics, member permissions, the privacy audit and export. Bearer API keys;
 * X-RateLimit-* headers on every answer; errors as `{error: {code, message, details, timestamp, request_id}}`.
 */
import { z } from 'zod';
import type { Dialect, RenderedError } from '../kit/dialect.js';
import { bearerToken } from '../kit/dialect.js';
import type { Problem, ProblemKind } from '../kit/problem.js';
import { noteTicketingRoutes } from './routes.js';

export const NtError = z.object({
  error: z.object({
    code: z.string(), message: z.string(),
    details: z.object({ field: z.string(), issue: z.string(), issues: z.array(z.object({ field: z.string(), issue: z.string() })).optional() }).optional(),
    timestamp: z.string(), request_id: z.string(),
  }),
});

const CODES: Record<ProblemKind, [number, string]> = {
  bad_request: [400, 'VALIDATION_ERROR'], invalid: [400, 'VALIDATION_ERROR'], unauthorized: [401, 'UNAUTHORIZED'], forbidden: [403, 'FORBIDDEN'],
  module_disabled: [403, 'FORBIDDEN'], not_found: [404, 'NOT_FOUND'], no_route: [404, 'NOT_FOUND'], conflict: [409, 'CONFLICT'],
  too_large: [413, 'PAYLOAD_TOO_LARGE'], unsupported_media: [415, 'UNSUPPORTED_MEDIA_TYPE'], rate_limited: [429, 'RATE_LIMIT_EXCEEDED'],
  internal: [500, 'INTERNAL_ERROR'], not_implemented: [501, 'NOT_IMPLEMENTED'], unavailable: [503, 'SERVICE_UNAVAILABLE'],
};

function renderError(p: Problem, _route: unknown, requestId: string): RenderedError {
  const [status, code] = CODES[p.kind];
  const fields = p.fields ?? [];
  const details = fields.length
    ? { field: fields[0]!.path, issue: fields[0]!.message, ...(fields.length > 1 ? { issues: fields.map((f) => ({ field: f.path, issue: f.message })) } : {}) }
    : undefined;
  return {
    status,
    body: { error: { code, message: p.message, ...(details ? { details } : {}), timestamp: new Date().toISOString(), request_id: `req_${requestId}` } } satisfies z.input<typeof NtError>,
  };
}

export const noteticketing: Dialect = {
  name: 'noteticketing',
  title: 'NoteTicketing-compatible API',
  prefixes: ['/v1'],
  routes: noteTicketingRoutes,
  tokenOf: bearerToken,
  ipLimit: (s) => s.TICKETBRIDGE_RATE_LIMIT_IP,
  tokenLimit: (s) => ({ limit: s.TICKETBRIDGE_NOTETICKETING_RATE_LIMIT_HOUR, windowSeconds: 3600 }),
  renderError,
  errorSchema: NtError,
  rateResetEpoch: true,
  security: ['bearer'],
};
