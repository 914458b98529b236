/**
 * Typed engine errors. Every error carries a sentence that tells the caller what to do;
 * each face maps `code` onto its own shape (HTTP status, MCP isError result, ephemeral reply).
 */
export type ErrorCode =
  | 'not_found' | 'invalid' | 'conflict' | 'forbidden' | 'unauthorized'
  | 'rate_limited' | 'unavailable' | 'module_disabled';

export interface FieldIssue { path: string; message: string }

export class EngineError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: { fields?: FieldIssue[]; retryAfterSeconds?: number; [key: string]: unknown } = {},
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

export const notFound = (message: string) => new EngineError('not_found', message);
export const invalid = (message: string, fields?: FieldIssue[]) => new EngineError('invalid', message, fields ? { fields } : {});
export const conflict = (message: string) => new EngineError('conflict', message);
export const forbidden = (message: string) => new EngineError('forbidden', message);
export const unauthorized = (message: string) => new EngineError('unauthorized', message);
export const unavailable = (message: string) => new EngineError('unavailable', message);
/** A long operation stopped because its caller aborted its signal. */
export const cancelled = () => new EngineError('unavailable', 'The request was cancelled before it finished.', { cancelled: true });
export const moduleDisabled = (guildId: string) => new EngineError('module_disabled',
  `The tickets module is disabled for guild ${guildId}. Enable it (enable_tickets_module) before working with its tickets.`);

export function isEngineError(err: unknown): err is EngineError {
  return err instanceof EngineError;
}

/** Network errors of a connection to the database (Node's socket error codes). */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED']);
/**
 * SQLSTATEs that mean the server cannot serve us right now, not that the request was wrong:
 * class 08 (connection exceptions), admin/crash shutdown and "starting up" (57P01-57P03), too many
 * connections (53300) and "database is being shut down / does not accept connections now" cases.
 */
const UNAVAILABLE_STATES = new Set(['08000', '08001', '08003', '08004', '08006', '08007', '08P01', '57P01', '57P02', '57P03', '53300']);
/**
 * pg reports some connection losses without a code: the socket closed under a query, a client
 * that already lost its connection was used again, or no connection could be had in time.
 */
const UNAVAILABLE_MESSAGES = [
  /^Connection terminated/,
  /not queryable/,
  /^timeout exceeded when trying to connect/,
  /^Connection timeout/i,
  /^Query read timeout/,
];

export const databaseUnavailableMessage = 'The database is unavailable right now (it may be restarting). Retry in a few seconds.';

/** True when `err` says the database could not be reached or dropped the connection. */
export function isUnavailableError(err: unknown): boolean {
  if (err instanceof EngineError) return err.code === 'unavailable';
  if (!err || typeof err !== 'object') return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || UNAVAILABLE_STATES.has(code))) return true;
  const message = (err as { message?: unknown }).message;
  if (typeof message === 'string' && UNAVAILABLE_MESSAGES.some((re) => re.test(message))) return true;
  // AggregateError (a connect attempt to several addresses, e.g. localhost's ::1 and 127.0.0.1).
  const errors = (err as { errors?: unknown }).errors;
  return Array.isArray(errors) && errors.length > 0 && errors.every(isUnavailableError);
}

/** Maps driver errors that mean "database unreachable" onto `unavailable`; undefined for anything else. */
export function asUnavailable(err: unknown): EngineError | undefined {
  if (err instanceof EngineError) return err.code === 'unavailable' ? err : undefined;
  return isUnavailableError(err) ? unavailable(databaseUnavailableMessage) : undefined;
}
