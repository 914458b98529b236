/**
 * The Husqy-compatible tickets module API (document 002): guild_id in the query (GET) or the
 * JSON body, answers in `{success, data, error: {code, name, message}}` with Husqy's error names.
 */
import type { z } from 'zod';
import type { Dialect, RenderedError } from '../kit/dialect.js';
import { bearerToken } from '../kit/dialect.js';
import type { Problem } from '../kit/problem.js';
import type { AnyRoute } from '../kit/route.js';
import { husqyRoutes } from './routes.js';
import { HqError } from './schemas.js';


function fail(code: number, name: string, message: string): RenderedError {
  return { status: code, body: { success: false, data: {}, error: { code, name, message } } satisfies z.input<typeof HqError> };
}

function renderError(p: Problem, route: AnyRoute | undefined): RenderedError {
  const path = route?.path ?? '';
  switch (p.kind) {
    case 'bad_request': return fail(400, 'BadRequestError', p.message);
    case 'too_large': return fail(413, 'BadRequestError', p.message);
    case 'unsupported_media': return fail(415, 'BadRequestError', p.message);
    case 'invalid': return fail(422, 'Unprocessable Entity', `Unprocessable Entity! ${p.message}`);
    case 'conflict':
      if (path.endsWith('/enable')) return fail(400, 'ModuleEnabledError', p.message);
      if (path.endsWith('/disable')) return fail(400, 'ModuleDisabledError', p.message);
      return fail(422, 'Unprocessable Entity', `Unprocessable Entity! ${p.message}`);
    case 'module_disabled': return fail(400, 'ModuleDisabledError', p.message);
    case 'not_found': return /^Unknown guild/.test(p.message) ? fail(404, 'SettingsError', p.message) : fail(404, 'NotFoundError', p.message);
    case 'unauthorized': return fail(401, 'UnauthorizedError', p.message);
    case 'forbidden': return fail(403, 'ForbiddenError', p.message);
    case 'rate_limited': return fail(429, 'TooManyRequestsError', p.message);
    case 'unavailable': return fail(503, 'DatabaseError', p.message);
    case 'no_route': return fail(404, 'NotFoundError', p.message);
    case 'not_implemented': return fail(501, 'NotImplementedError', p.message);
    default: return fail(500, 'InternalServerError', p.message);
  }
}

export const husqy: Dialect = {
  name: 'husqy',
  title: 'Husqy-compatible API',
  prefixes: ['/modules/tickets'],
  routes: husqyRoutes,
  tokenOf: bearerToken,
  ipLimit: (s) => s.TICKETBRIDGE_RATE_LIMIT_IP,
  renderError,
  errorSchema: HqError,
  security: ['bearer'],
};
