/**
 * Malformed request params get -32602 and a sentence naming the field, for every handler registered
 * on a session's server after this is installed. The SDK's Protocol parses a request with its schema
 * before the handler and answers a failure with -32603 (internal error) and zod's issue dump; here
 * Protocol is given a method-only schema and the real one is applied by the wrapper.
 */
import { z } from 'zod';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { getLiteralValue, getObjectShape, safeParse, type AnyObjectSchema } from '@modelcontextprotocol/sdk/server/zod-compat.js';
import { Protocol } from '@modelcontextprotocol/sdk/shared/protocol.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';

type Issue = { path: PropertyKey[]; message: string };

/** "params.uri: expected string" for each issue, joined into one sentence. */
export function issuesSentence(issues: readonly Issue[]): string {
  return issues.map((i) => `${i.path.map(String).join('.') || '(request)'}: ${i.message}`).join('; ');
}

type Handler = Parameters<Server['setRequestHandler']>[1];

/** Registers `handler` for `method` with Protocol checking nothing but the method: the handler parses. */
export function registerUnparsed(server: Server, method: string, handler: (request: unknown, extra: Parameters<Handler>[1]) => ReturnType<Handler>): void {
  Protocol.prototype.setRequestHandler.call(server, z.looseObject({ method: z.literal(method) }), handler);
}

export function plainParamErrors(server: Server): void {
  const wrapped: Server['setRequestHandler'] = (schema, handler) => {
    const shape = getObjectShape(schema as AnyObjectSchema);
    const method = shape?.['method'] ? getLiteralValue(shape['method']) : undefined;
    if (typeof method !== 'string') throw new Error('A request schema needs a method literal');
    registerUnparsed(server, method, (request, extra) => {
      const parsed = safeParse(schema, request);
      if (!parsed.success) {
        const issues = (parsed.error as { issues?: Issue[] }).issues ?? [];
        throw new McpError(ErrorCode.InvalidParams, `Invalid ${method} request: ${issuesSentence(issues)}.`);
      }
      return handler(parsed.data as Parameters<typeof handler>[0], extra);
    });
  };
  server.setRequestHandler = wrapped;
}
