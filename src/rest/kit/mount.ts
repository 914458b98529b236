/**
 * Mounts a dialect on the Fastify server: its JSON parser, error and 404 handlers (in its own
 * shape), and the per-request pipeline every route shares:
 * IP rate limit → token → token rate limit → validate params/query/body → guild scope and ability
 * → Idempotency-Key → handler (catalogue operations) → response.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { AppDeps } from '../../deps.js';
import { canAccessGuild, hasAbility, type Actor, type Requirement } from '../../engine/actor.js';
import { EngineError, forbidden, type FieldIssue } from '../../engine/errors.js';
import type { IdempotencyStore } from '../../engine/idempotency.js';
import { invoke } from '../../operations/define.js';
import { findOperation } from '../../operations/index.js';
import type { Dialect } from './dialect.js';
import { parseJsonBody } from './json.js';
import { RestProblem, badRequest, toProblem } from './problem.js';
import type { RateLimiter, RateState } from './rate-limit.js';
import { RawResponse, type AnyRoute } from './route.js';
import type { RestSettings } from './settings.js';

export interface KitDeps {
  app: AppDeps;
  authenticate: (token: string | undefined) => Promise<Actor>;
  settings: RestSettings;
  limiter: RateLimiter;
  idempotency: IdempotencyStore;
}

const neverAborted = new AbortController().signal;
const noProgress = (): void => {};

/** OpenAPI `{param}` → Fastify `:param`. */
export const fastifyPath = (path: string): string => path.replace(/\{(\w+)\}/g, ':$1');

function issuesOf(error: z.ZodError, where: string): FieldIssue[] {
  return error.issues.map((i) => {
    const path = i.path.map(String).join('.');
    let message = i.message;
    if (i.code === 'unrecognized_keys') message = `unknown field(s): ${i.keys.join(', ')}`;
    return { path: path || where, message };
  });
}

function parsePart(schema: z.ZodType | undefined, value: unknown, where: string): unknown {
  if (!schema) return value;
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const fields = issuesOf(r.error, where);
  throw badRequest(`Invalid ${where}: ${fields.map((f) => `${f.path}: ${f.message}`).join('; ')}.`, fields);
}

function setRateHeaders(reply: FastifyReply, state: RateState, resetAsEpoch: boolean): void {
  reply.header('X-RateLimit-Limit', state.limit);
  reply.header('X-RateLimit-Remaining', state.remaining);
  reply.header('X-RateLimit-Reset', resetAsEpoch ? Math.ceil(Date.now() / 1000) + state.resetSeconds : state.resetSeconds);
}

const windowName = (s: number): string => (s === 60 ? 'minute' : s === 3600 ? 'hour' : `${s} s`);

function checkLimit(reply: FastifyReply, state: RateState | undefined, what: string, resetAsEpoch: boolean): void {
  if (!state) return;
  const current = reply.getHeader('X-RateLimit-Remaining');
  if (current === undefined || state.exceeded || Number(current) > state.remaining) setRateHeaders(reply, state, resetAsEpoch);
  if (state.exceeded) {
    reply.header('Retry-After', state.resetSeconds);
    throw new RestProblem('rate_limited', `Too many requests ${what}: at most ${state.limit} per ${windowName(state.windowSeconds)}. Retry in ${state.resetSeconds} s.`, undefined, state.resetSeconds);
  }
}

export function mountDialect(app: FastifyInstance, kit: KitDeps, dialect: Dialect): void {
  const { engine } = kit.app;
  const ipLimit = dialect.ipLimit(kit.settings);
  const own = dialect.tokenLimit?.(kit.settings);
  const tokenLimit = own
    ? { prefix: `${dialect.name}:token:`, limit: own.limit, windowMs: own.windowSeconds * 1000 }
    : { prefix: 'token:', limit: kit.settings.TICKETBRIDGE_RATE_LIMIT_TOKEN, windowMs: undefined };

  const sendProblem = (err: unknown, req: FastifyRequest, reply: FastifyReply, route: AnyRoute | undefined) => {
    const problem = toProblem(err);
    if (problem.kind === 'internal') kit.app.logger.error({ err, url: req.url, method: req.method }, 'REST request failed');
    if (problem.kind === 'rate_limited' && problem.retryAfterSeconds && !reply.getHeader('Retry-After')) reply.header('Retry-After', problem.retryAfterSeconds);
    const rendered = dialect.renderError(problem, route, String(req.id));
    return reply.code(rendered.status).type('application/json; charset=utf-8').send(rendered.body);
  };

  for (const prefix of dialect.prefixes) {
    void app.register(async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: kit.settings.TICKETBRIDGE_REST_BODY_LIMIT },
        (_req, body, done) => {
          try { done(null, parseJsonBody(body as string)); } catch (err) { done(err as Error, undefined); }
        });
      scope.setErrorHandler((err, req, reply) => sendProblem(err, req, reply, routeOf(req)));
      scope.setNotFoundHandler((req, reply) => sendProblem(
        new RestProblem('no_route', `No ${req.method} ${req.url.split('?')[0]} in the ${dialect.title}. See /openapi.json for the routes.`), req, reply, undefined));

      for (const spec of dialect.routes) {
        if (!spec.path.startsWith(prefix)) continue;
        const rel = fastifyPath(spec.path.slice(prefix.length)) || '/';
        scope.route({
          method: spec.method,
          url: rel,
          config: { restRoute: spec },
          handler: (req, reply) => handle(spec, req, reply),
        });
      }
    }, { prefix });
  }

  const routeOf = (req: FastifyRequest): AnyRoute | undefined =>
    (req.routeOptions.config as { restRoute?: AnyRoute } | undefined)?.restRoute;

  async function handle(spec: AnyRoute, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const epoch = dialect.rateResetEpoch === true;
    // The token is read first so the IP and token counts share one round trip; a refused token
    // still counts against the IP, and a spent IP allowance answers before the refusal.
    let actor: Actor | undefined;
    let refused: unknown;
    try { actor = await kit.authenticate(dialect.tokenOf(req)); } catch (err) { refused = err; }
    const [ipState, tokenState] = await kit.limiter.hit([
      { key: `${dialect.name}:ip:${req.ip}`, limit: ipLimit },
      actor ? { key: `${tokenLimit.prefix}${actor.tokenId ?? 'anonymous'}`, limit: tokenLimit.limit, windowMs: tokenLimit.windowMs } : { key: '', limit: 0 },
    ]);
    checkLimit(reply, ipState, 'from this IP address', epoch);
    if (!actor) throw refused;
    checkLimit(reply, tokenState, 'with this API token', epoch);

    const params = parsePart(spec.params, req.params, 'path');
    const query = parsePart(spec.query, req.query, 'query');
    const body = spec.body ? parsePart(spec.body, req.body ?? {}, 'body') : undefined;
    const input = { params, query, body };

    const guildId = spec.guildOf ? spec.guildOf(input) : defaultGuildOf(input);
    const ability = routeAbility(spec);
    if (!hasAbility(actor, ability)) {
      throw forbidden(`This token lacks the "${ability}" ability this route needs. Ask an admin for a token with it.`);
    }
    if (guildId !== undefined && !canAccessGuild(actor, guildId)) {
      throw forbidden(`This token has no access to guild ${guildId}. Use a token scoped to that guild.`);
    }

    const run = async (): Promise<{ status: number; body: unknown }> => {
      const out = await spec.handler({
        params, query, body, actor, req, url: requestUrl(req),
        call: (name, opInput, opts) => callOperation(name, opInput, opts?.asBot ? asBotActor(actor) : actor, req),
      });
      return { status: spec.status ?? 200, body: out };
    };

    const key = req.method === 'POST' ? headerValue(req, 'idempotency-key') : undefined;
    if (!key) {
      const result = await run();
      if (result.body instanceof RawResponse) {
        for (const [name, value] of Object.entries(result.body.headers)) reply.header(name, value);
        return reply.code(result.status).type(result.body.contentType).send(result.body.body);
      }
      return reply.code(result.status).send(result.body);
    }
    if (key.length > 255) throw badRequest('Idempotency-Key must be at most 255 characters.', [{ path: 'Idempotency-Key', message: 'too long' }]);
    const scopeKey = `${dialect.name}|${actor.tokenId ?? 'anonymous'}|${req.method} ${req.url.split('?')[0]}`;
    const fingerprint = createHash('sha256').update(JSON.stringify({ q: query ?? null, b: body ?? null })).digest('hex');
    const claim = await kit.idempotency.claim(scopeKey, key, fingerprint);
    if (claim.state === 'replay') {
      reply.header('Idempotent-Replayed', 'true');
      return reply.code(claim.status).send(claim.body);
    }
    if (claim.state === 'in_progress') throw new EngineError('conflict', 'A request with this Idempotency-Key is still running. Retry in a moment to get its result.');
    if (claim.state === 'mismatch') throw badRequest('This Idempotency-Key was already used for a different request body. Use a new key for a new request.', [{ path: 'Idempotency-Key', message: 'reused with a different request' }]);
    try {
      const result = await run();
      await kit.idempotency.complete(scopeKey, key, fingerprint, result.status, result.body);
      return reply.code(result.status).send(result.body);
    } catch (err) {
      const problem = toProblem(err);
      const rendered = dialect.renderError(problem, spec, String(req.id));
      if (rendered.status < 500) {
        // A refused request is an answer too: the retry gets the same one.
        await kit.idempotency.complete(scopeKey, key, fingerprint, rendered.status, rendered.body);
      } else {
        await kit.idempotency.release(scopeKey, key).catch(() => {});
      }
      throw err;
    }
  }

  async function callOperation(name: string, input: unknown, actor: Actor, req: FastifyRequest): Promise<unknown> {
    const op = findOperation(name);
    if (!op) throw new RestProblem('not_implemented', `This route needs the ${name} operation, which this server does not provide yet.`);
    return invoke(op, { engine, actor, requestId: String(req.id), signal: neverAborted, progress: noProgress, clientIp: req.ip }, input);
  }
}

/** The ability a route needs: its first operation's, or the declared one while that operation is missing. */
export function routeAbility(spec: AnyRoute): Requirement {
  return findOperation(spec.operations[0] ?? '')?.ability ?? spec.ability;
}

/** "anonymous": the change is recorded as the bot's; only tokens with the anonymous ability may. */
function asBotActor(actor: Actor): Actor {
  if (!hasAbility(actor, 'anonymous')) {
    throw forbidden('This token lacks the "anonymous" ability, so it cannot act as the bot. Leave anonymous unset or false.');
  }
  return { ...actor, asBot: true };
}

function defaultGuildOf(input: { params: unknown; query: unknown; body: unknown }): string | undefined {
  for (const part of [input.params, input.query, input.body]) {
    const g = (part as { guild_id?: unknown } | undefined)?.guild_id;
    if (typeof g === 'string') return g;
  }
  return undefined;
}

function headerValue(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s?.trim() || undefined;
}

function requestUrl(req: FastifyRequest): string {
  const host = req.headers.host ?? 'localhost';
  return `${req.protocol}://${host}${req.url.split('?')[0] ?? ''}`;
}
