// One node:http server: REST under /api[/v10], the control API under /_sandbox/, attachment
// downloads under /attachments/, and the WebSocket gateway on upgrade. Every request ends in a
// Discord-shaped answer; nothing a client sends can crash the process.
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SandboxContext } from './context.js';
import {
  DiscordError,
  methodNotAllowed,
  notFound,
  unauthorized,
} from './errors.js';
import { parseBody, readRaw } from './http-body.js';
import { rateLimitBody } from './rate-limits.js';
import type { Fault } from './faults.js';
import { Router } from './router.js';
import type { Req, Res, RouteDef } from './router.js';
import { handleControl } from './control-http.js';

export interface ServerDeps {
  ctx: SandboxContext;
  routes: readonly RouteDef[];
}

const SUPPORTED_VERSIONS = new Set(['9', '10']);

function send(res: ServerResponse, r: Res): void {
  if (res.headersSent || res.destroyed) return;
  const headers: Record<string, string> = { ...(r.headers ?? {}) };
  if (r.status === 204 || r.body === undefined) {
    res.writeHead(r.status, headers);
    res.end();
    return;
  }
  if (Buffer.isBuffer(r.body)) {
    res.writeHead(r.status, headers);
    res.end(r.body);
    return;
  }
  const text = JSON.stringify(r.body);
  headers['Content-Type'] = 'application/json';
  headers['Content-Length'] = String(Buffer.byteLength(text));
  res.writeHead(r.status, headers);
  res.end(text);
}

export function errorRes(err: unknown, ctx: SandboxContext): Res {
  if (err instanceof DiscordError) return { status: err.status, body: err.body(), headers: err.headers };
  ctx.logger.error({ err }, 'sandbox: unexpected error');
  return { status: 500, body: { message: '500: Internal Server Error', code: 0 } };
}

function faultRes(f: Fault, def: RouteDef, req: Req, token: string | null, ctx: SandboxContext): Res {
  const status = f.status ?? 500;
  if (status === 429) {
    const retry = f.retryAfter.toFixed(3);
    const global = f.scope === 'global';
    const headers: Record<string, string> = global
      ? { 'X-RateLimit-Global': 'true', 'X-RateLimit-Scope': 'global', 'Retry-After': retry }
      : {
          ...ctx.limiter.peekHeaders(def, req, token),
          'X-RateLimit-Remaining': '0',
          'X-RateLimit-Reset-After': retry,
          'X-RateLimit-Reset': ((Date.now() + f.retryAfter * 1000) / 1000).toFixed(3),
          'X-RateLimit-Scope': f.scope,
          'Retry-After': retry,
        };
    return { status, headers, body: rateLimitBody({ retryAfter: f.retryAfter, scope: f.scope, global }) };
  }
  if (status >= 500) {
    if (status === 502) return { status, body: Buffer.from('<html><body>502 Bad Gateway</body></html>'), headers: { 'Content-Type': 'text/html' } };
    return { status, body: { message: `${status}: Internal Server Error`, code: 0 } };
  }
  if (status === 204) return { status: 204 };
  return { status, body: { message: `${status}: Injected fault`, code: 0 } };
}

export function createHttpServer(deps: ServerDeps): { server: http.Server; timers: Set<NodeJS.Timeout> } {
  const { ctx } = deps;
  const router = new Router(deps.routes);
  const timers = new Set<NodeJS.Timeout>();
  const wait = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  async function api(req: IncomingMessage, res: ServerResponse, url: URL): Promise<Res> {
    const m = /^\/api(?:\/v(\d+))?(\/.*)?$/.exec(url.pathname);
    if (!m) return errorRes(notFound(), ctx);
    if (m[1] !== undefined && !SUPPORTED_VERSIONS.has(m[1])) {
      return { status: 400, body: { message: 'Invalid API version provided.', code: 50041 } };
    }
    let path: string;
    try {
      path = (m[2] ?? '/')
        .split('/')
        .map((s) => decodeURIComponent(s))
        .join('/');
    } catch {
      return errorRes(notFound(), ctx);
    }
    const method = (req.method ?? 'GET').toUpperCase();
    const match = router.match(method, path);
    if (match === null) return errorRes(notFound(), ctx);
    if (match === 'methodMismatch') return errorRes(methodNotAllowed(), ctx);
    const { def } = match;
    const auth = req.headers.authorization ?? '';
    const token = auth.startsWith('Bot ') ? auth.slice(4).trim() : null;
    if (def.auth && token !== ctx.botToken) return errorRes(unauthorized(), ctx);

    const raw = await readRaw(req);
    const parsed = await parseBody(req, raw);
    const r: Req = {
      method,
      path,
      route: def.pattern,
      params: match.params,
      query: url.searchParams,
      headers: req.headers,
      body: parsed.body,
      files: parsed.files,
    };

    const fault = ctx.faults.take(method, def.pattern, path);
    if (fault) {
      if (fault.delayMs > 0) {
        await wait(fault.delayMs);
        if (res.destroyed || req.socket.destroyed) return { status: 499 };
      }
      if (fault.status !== null) return faultRes(fault, def, r, token, ctx);
    }

    const limit = ctx.limiter.check(def, r, token);
    if (limit.limited) {
      return { status: 429, headers: limit.headers, body: rateLimitBody(limit.limited) };
    }
    let out: Res;
    try {
      out = await def.handler(r, ctx);
    } catch (err) {
      out = errorRes(err, ctx); // errors carry the bucket headers too, as on Discord
    }
    return { ...out, headers: { ...limit.headers, ...(out.headers ?? {}) } };
  }

  function attachment(url: URL): Res {
    const [, , channelId = '', attId = ''] = url.pathname.split('/');
    for (const msg of ctx.store.messages.get(channelId) ?? []) {
      const a = msg.attachments.find((x) => x.id === attId);
      if (a) return { status: 200, body: a.data, headers: { 'Content-Type': a.contentType, 'Content-Length': String(a.size) } };
    }
    return { status: 404, body: { message: '404: Not Found', code: 0 } };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let out: Res;
    try {
      const url = new URL(req.url ?? '/', 'http://sandbox.local');
      if (url.pathname === '/api' || url.pathname.startsWith('/api/')) out = await api(req, res, url);
      else if (url.pathname.startsWith('/_sandbox')) out = await handleControl(req, url, ctx);
      else if (url.pathname.startsWith('/attachments/')) out = attachment(url);
      else if (url.pathname === '/') {
        out = {
          status: 200,
          body: { name: 'ticketbridge Discord sandbox', api: `${ctx.baseUrl()}/api/v10`, gateway: `${ctx.baseUrl().replace(/^http/, 'ws')}/gateway`, control: `${ctx.baseUrl()}/_sandbox/state` },
        };
      } else out = errorRes(notFound(), ctx);
    } catch (err) {
      out = errorRes(err, ctx);
    }
    if (out.status === 499) {
      res.destroy();
      return;
    }
    ctx.logger.debug({ method: req.method, url: req.url, status: out.status }, 'sandbox request');
    send(res, out);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      ctx.logger.error({ err }, 'sandbox: request failed');
      if (!res.headersSent) send(res, { status: 500, body: { message: '500: Internal Server Error', code: 0 } });
    });
  });
  server.on('upgrade', (req, socket, head) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/gateway' || path === '/' || path === '/gateway/') {
      ctx.gateway.handleUpgrade(req, socket, head);
    } else {
      socket.destroy();
    }
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  return { server, timers };
}
