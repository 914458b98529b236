// A tiny method + path-template router. Templates use `:name` segments; the matched template is
// also the key for rate-limit buckets and fault matching.
import type { IncomingHttpHeaders } from 'node:http';
import type { SandboxContext } from './context.js';
import { notFound } from './errors.js';

export interface UploadedFile {
  field: string;
  index: number;
  filename: string;
  contentType: string;
  data: Buffer;
}

export interface Req {
  method: string;
  /** Decoded path below the API version prefix, e.g. /channels/123/messages/@original. */
  path: string;
  route: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: unknown;
  files: UploadedFile[];
}

export interface Res {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Handler = (req: Req, ctx: SandboxContext) => Res | Promise<Res>;

export interface BucketSpec {
  /** Stable name; its hash is sent as X-RateLimit-Bucket. */
  name: string;
  limit: number;
  windowMs: number;
}

export interface RouteDef {
  method: string;
  pattern: string;
  handler: Handler;
  /** Needs `Authorization: Bot <token>` (webhook-token and interaction routes do not). */
  auth: boolean;
  /** Counts towards the 50/s global limit (interaction callbacks and token webhooks do not). */
  global: boolean;
  bucket?: BucketSpec;
}

export function route(
  method: string,
  pattern: string,
  handler: Handler,
  opts: { auth?: boolean; global?: boolean; bucket?: BucketSpec } = {},
): RouteDef {
  const def: RouteDef = { method, pattern, handler, auth: opts.auth ?? true, global: opts.global ?? opts.auth ?? true };
  if (opts.bucket) def.bucket = opts.bucket;
  return def;
}

interface Compiled {
  def: RouteDef;
  segments: string[];
}

export interface Match {
  def: RouteDef;
  params: Record<string, string>;
}

export class Router {
  private readonly byLength = new Map<number, Compiled[]>();

  constructor(routes: readonly RouteDef[]) {
    for (const def of routes) {
      const segments = def.pattern.split('/').filter(Boolean);
      const list = this.byLength.get(segments.length) ?? [];
      list.push({ def, segments });
      this.byLength.set(segments.length, list);
    }
    // Literal segments win over parameters (/users/@me before /users/:user_id).
    for (const list of this.byLength.values()) {
      list.sort((a, b) => literalScore(b.segments) - literalScore(a.segments));
    }
  }

  /** The route for `path`; `methodMismatch` when the path exists under other methods only. */
  match(method: string, path: string): Match | 'methodMismatch' | null {
    const parts = path.split('/').filter(Boolean);
    const candidates = this.byLength.get(parts.length) ?? [];
    let pathKnown = false;
    for (const c of candidates) {
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < parts.length; i++) {
        const seg = c.segments[i] ?? '';
        const part = parts[i] ?? '';
        if (seg.startsWith(':')) params[seg.slice(1)] = part;
        else if (seg !== part) {
          ok = false;
          break;
        }
      }
      if (!ok) continue;
      pathKnown = true;
      if (c.def.method === method) return { def: c.def, params };
    }
    return pathKnown ? 'methodMismatch' : null;
  }
}

function literalScore(segments: string[]): number {
  return segments.reduce((n, s, i) => n + (s.startsWith(':') ? 0 : 2 ** (segments.length - i)), 0);
}

/** A path parameter the router guarantees; throws 404 if a handler asks for one it lacks. */
export function param(req: Req, name: string): string {
  const v = req.params[name];
  if (v === undefined) throw notFound();
  return v;
}
