/** Engine errors → tool results with isError and a sentence an agent can act on; never a protocol error. */
import type { CallToolResult } from '@modelcontextprotocol/server';
import { isEngineError } from '../engine/errors.js';
import { asUnavailable } from '../engine/errors.js';

export function toolError(text: string, meta?: Record<string, unknown>): CallToolResult {
  return { isError: true, content: [{ type: 'text', text }], ...(meta ? { _meta: { 'ticketbridge/error': meta } } : {}) };
}

/** Returns the result for a thrown error, or undefined when it is not one we can explain (a bug). */
export function engineErrorResult(err: unknown): CallToolResult | undefined {
  const e = isEngineError(err) ? err : asUnavailable(err);
  if (!e) return undefined;
  const fields = e.details.fields;
  const retry = e.details.retryAfterSeconds;
  return toolError(e.message, {
    code: e.code,
    ...(fields?.length ? { fields } : {}),
    ...(retry !== undefined ? { retry_after_seconds: retry } : {}),
  });
}

type Issue = { path?: ReadonlyArray<PropertyKey | { key: PropertyKey }>; message: string };

/** "params.uri: expected string" for each issue, joined into one sentence. */
export function issuesSentence(issues: readonly Issue[], prefix = 'params'): string {
  return issues.map((i) => `${[prefix, ...(i.path ?? []).map((p) => (typeof p === 'object' ? String(p.key) : String(p)))].join('.')}: ${i.message}`).join('; ');
}
