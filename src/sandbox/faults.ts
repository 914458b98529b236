// Injected failures for tests and drills: 429s (bucket, global, shared), 5xx, hangs on REST
// routes, and dropped / reconnect-requested / invalidated gateway sessions.
import { z } from 'zod';
import { newId } from './ids.js';

export const FaultInput = z
  .object({
    /** Route template or path; `:x` and `*` match one segment, a trailing `**` the rest. */
    route: z.string().min(1).max(500).optional(),
    method: z
      .string()
      .transform((m) => m.toUpperCase())
      .pipe(z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']))
      .optional(),
    status: z.number().int().min(200).max(599).optional(),
    /** How many matching requests the fault answers; default 1. */
    count: z.number().int().min(1).max(1_000_000).default(1),
    retry_after: z.number().min(0).max(3600).optional(),
    global: z.boolean().optional(),
    scope: z.enum(['user', 'global', 'shared']).optional(),
    /** Hold the request this long first (with no status: then serve it normally). */
    delay_ms: z.number().int().min(0).max(600_000).optional(),
    target: z.enum(['rest', 'gateway']).default('rest'),
    /** Gateway faults happen at once: drop sockets, send op 7, or invalidate sessions (op 9). */
    action: z.enum(['drop', 'reconnect', 'invalid_session']).optional(),
  })
  .refine((f) => f.target === 'gateway' || f.status !== undefined || f.delay_ms !== undefined, {
    message: 'A REST fault needs a status or a delay_ms',
    path: ['status'],
  });

export type FaultInputT = z.input<typeof FaultInput>;

export interface Fault {
  id: string;
  route: string | null;
  method: string | null;
  status: number | null;
  remaining: number;
  retryAfter: number;
  scope: 'user' | 'global' | 'shared';
  delayMs: number;
}

function normalise(path: string): string[] {
  return path
    .replace(/^https?:\/\/[^/]+/, '')
    .replace(/^\/api(\/v\d+)?/, '')
    .split('?')[0]!
    .split('/')
    .filter(Boolean);
}

export function routeMatches(pattern: string, template: string, path: string): boolean {
  const want = normalise(pattern);
  const test = (have: string[]): boolean => {
    for (let i = 0; i < want.length; i++) {
      const w = want[i]!;
      if (w === '**') return true;
      const h = have[i];
      if (h === undefined) return false;
      if (w === '*' || w.startsWith(':') || w.startsWith('{')) continue;
      if (w.toLowerCase() !== h.toLowerCase()) return false;
    }
    return want.length === have.length;
  };
  return test(normalise(template)) || test(normalise(path));
}

export class Faults {
  private list: Fault[] = [];

  add(input: z.output<typeof FaultInput>): Fault {
    const scope = input.scope ?? (input.global ? 'global' : 'user');
    const f: Fault = {
      id: newId(),
      route: input.route ?? null,
      method: input.method ?? null,
      status: input.status ?? null,
      remaining: input.count,
      retryAfter: input.retry_after ?? 1,
      scope,
      delayMs: input.delay_ms ?? 0,
    };
    this.list.push(f);
    return f;
  }

  clear(): number {
    const n = this.list.length;
    this.list = [];
    return n;
  }

  active(): Fault[] {
    return this.list.map((f) => ({ ...f }));
  }

  /** The first fault matching this request, consumed by one. */
  take(method: string, template: string, path: string): Fault | null {
    const f = this.list.find(
      (x) => (x.method === null || x.method === method) && (x.route === null || routeMatches(x.route, template, path)),
    );
    if (!f) return null;
    f.remaining -= 1;
    if (f.remaining <= 0) this.list = this.list.filter((x) => x !== f);
    return f;
  }
}
