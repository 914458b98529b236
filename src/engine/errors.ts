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

/** Maps driver errors that mean "database unreachable" onto `unavailable`; anything else is rethrown. */
export function asUnavailable(err: unknown): EngineError | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'ETIMEDOUT' || code === '57P01' || code === '57P03' || code === '53300') {
    return unavailable('The database is unavailable right now. Retry in a few seconds.');
  }
  return undefined;
}
