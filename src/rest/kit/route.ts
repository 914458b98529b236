/**
 * A REST route: method, path (OpenAPI style, `{param}`), zod schemas for params/query/body/response
 * (the same ones validate requests and generate /openapi.json), the ability it needs, and a handler
 * that maps the request onto catalogue operations and shapes their output.
 */
import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Actor, Requirement } from '../../engine/actor.js';

export type Method = 'GET' | 'POST' | 'DELETE' | 'PUT' | 'PATCH';

export interface HandlerContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  actor: Actor;
  req: FastifyRequest;
  /** Absolute URL of this request without its query string (Laravel's paginator `path`). */
  url: string;
  /** Runs a catalogue operation as this request's actor (ability, guild scope and input checked centrally). */
  call(operation: string, input: unknown, opts?: { asBot?: boolean | undefined }): Promise<unknown>;
}

export interface RouteSpec<P extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType, B extends z.ZodType = z.ZodType> {
  method: Method;
  path: string;
  summary: string;
  description?: string;
  tags: string[];
  params?: P;
  query?: Q;
  body?: B;
  response: z.ZodType;
  status?: number;
  /** The catalogue operations the route uses; the first one's ability guards the route. */
  operations: string[];
  /** Used when the operation is not in the catalogue yet, so the route still refuses the wrong tokens. */
  ability: Requirement;
  /** Where the guild of the request is (default: params, then query, then body `guild_id`). */
  guildOf?: (input: { params: z.output<P>; query: z.output<Q>; body: z.output<B> }) => string | undefined;
  handler(ctx: HandlerContext<z.output<P>, z.output<Q>, z.output<B>>): Promise<unknown>;
}

export type AnyRoute = RouteSpec<z.ZodType, z.ZodType, z.ZodType>;

/** Keeps the handler's types tied to the route's schemas. */
export function route<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType>(spec: RouteSpec<P, Q, B>): AnyRoute {
  return spec as unknown as AnyRoute;
}

/** A handler's answer that is not JSON (a CSV export): sent as is with its content type and headers. */
export class RawResponse {
  constructor(readonly contentType: string, readonly body: string, readonly headers: Record<string, string> = {}) {}
}
