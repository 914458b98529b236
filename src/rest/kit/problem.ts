/**
 * Every failure of a REST request, whatever threw it, normalized into one Problem that each
 * dialect renders in its own envelope and status codes.
 */
import { EngineError, asUnavailable, type ErrorCode, type FieldIssue } from '../../engine/errors.js';
import { JsonBodyError } from './json.js';

export type ProblemKind =
  | ErrorCode
  /** The request itself is malformed (bad JSON, wrong types, unknown fields, bad ids). */
  | 'bad_request'
  | 'too_large'
  | 'unsupported_media'
  | 'no_route'
  /** The route exists but the operation behind it is not in this build's catalogue. */
  | 'not_implemented'
  | 'internal';

export interface Problem {
  kind: ProblemKind;
  message: string;
  fields?: FieldIssue[] | undefined;
  retryAfterSeconds?: number | undefined;
}

/** Thrown by the REST kit for problems that are not the engine's. */
export class RestProblem extends Error {
  constructor(readonly kind: ProblemKind, message: string, readonly fields?: FieldIssue[], readonly retryAfterSeconds?: number) {
    super(message);
    this.name = 'RestProblem';
  }
}

export function badRequest(message: string, fields?: FieldIssue[]): RestProblem {
  return new RestProblem('bad_request', message, fields);
}

interface FastifyLikeError { code?: unknown; statusCode?: unknown; message?: unknown }

export function toProblem(err: unknown): Problem {
  if (err instanceof RestProblem) return { kind: err.kind, message: err.message, fields: err.fields, retryAfterSeconds: err.retryAfterSeconds };
  if (err instanceof EngineError) {
    return {
      kind: err.code, message: err.message, fields: err.details.fields,
      retryAfterSeconds: typeof err.details.retryAfterSeconds === 'number' ? err.details.retryAfterSeconds : undefined,
    };
  }
  if (err instanceof JsonBodyError) return { kind: 'bad_request', message: err.message };
  const e = (err ?? {}) as FastifyLikeError;
  const code = typeof e.code === 'string' ? e.code : '';
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') return { kind: 'too_large', message: 'The request body is too large. Send a smaller body.' };
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return { kind: 'unsupported_media', message: 'Unsupported Content-Type. Send the body as JSON with "Content-Type: application/json".' };
  if (code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH') return { kind: 'bad_request', message: 'The Content-Length header does not match the body.' };
  if (code.startsWith('FST_ERR_CTP') || (err as Error | null)?.name === 'SyntaxError') {
    return { kind: 'bad_request', message: `The request body could not be read: ${String(e.message ?? 'malformed')}.` };
  }
  const unavailable = asUnavailable(err);
  if (unavailable) return { kind: 'unavailable', message: unavailable.message };
  const status = typeof e.statusCode === 'number' ? e.statusCode : 500;
  if (status >= 400 && status < 500) return { kind: 'bad_request', message: String(e.message ?? 'Bad request.') };
  return { kind: 'internal', message: 'Something went wrong on our side; the request was not completed. Retry later.' };
}

/** The usual HTTP status of a problem; dialects override where their documents differ. */
export const defaultStatus: Record<ProblemKind, number> = {
  bad_request: 400, invalid: 422, not_found: 404, conflict: 409, forbidden: 403, unauthorized: 401,
  rate_limited: 429, unavailable: 503, module_disabled: 403, too_large: 413, unsupported_media: 415,
  no_route: 404, not_implemented: 501, internal: 500,
};
