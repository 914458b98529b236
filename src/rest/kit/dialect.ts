/** What a dialect gives the kit: its routes, where its token comes from, and how its errors look. */
import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Problem } from './problem.js';
import type { AnyRoute } from './route.js';
import type { RestSettings } from './settings.js';

export interface RenderedError { status: number; body: unknown }

export interface Dialect {
  name: 'ticketeer' | 'husqy' | 'volvox' | 'noteticketing' | 'ticketbridge';
  title: string;
  /** Path prefixes the dialect owns (its unknown paths get its own 404). */
  prefixes: string[];
  routes: AnyRoute[];
  /** The API token the request carries, if any. */
  tokenOf(req: FastifyRequest): string | undefined;
  /** Requests per window per client IP. */
  ipLimit(settings: RestSettings): number;
  /** The dialect's own per-token limit and window, counted apart from the shared per-token window it replaces. */
  tokenLimit?(settings: RestSettings): { limit: number; windowSeconds: number };
  /** `requestId` is the id the request's log lines carry. */
  renderError(problem: Problem, route: AnyRoute | undefined, requestId: string): RenderedError;
  /** The error envelope, for the OpenAPI document. */
  errorSchema: z.ZodType;
  /** X-RateLimit-Reset as the Unix time of the reset (NoteTicketing) instead of seconds until it. */
  rateResetEpoch?: boolean;
  /** OpenAPI security scheme names that apply (defined in openapi.ts). */
  security: Array<'bearer' | 'apiSecret'>;
}

export function bearerToken(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (typeof h !== 'string') return undefined;
  const m = /^Bearer\s+(.+)$/i.exec(h.trim());
  return m?.[1]?.trim() || undefined;
}
