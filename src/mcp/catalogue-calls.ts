/**
 * Resources, prompts and completions read through the same catalogue operations as the tools, so
 * abilities and guild scope are checked in one place.
 */
import { ProtocolError, ProtocolErrorCode, ResourceNotFoundError } from '@modelcontextprotocol/server';
import { hasAbility, type Ability } from '../engine/actor.js';
import { asUnavailable, forbidden, isEngineError, unavailable } from '../engine/errors.js';
import { invoke } from '../operations/define.js';
import { findOperation } from '../operations/index.js';
import { cancellationOf, LazyCancellation } from './cancellation.js';
import { operationContext, type SessionContext } from './context.js';

export async function call(session: SessionContext, name: string, args: Record<string, unknown>, signal?: AbortSignal): Promise<unknown> {
  const op = findOperation(name);
  if (!op) throw unavailable(`This server has no ${name} operation yet.`);
  return invoke(op, operationContext(session, signal ? cancellationOf(signal) : new LazyCancellation()), args);
}

export function requireAbility(session: SessionContext, ability: Ability, what: string): void {
  if (!hasAbility(session.actor(), ability)) throw forbidden(`This token lacks the "${ability}" ability needed to read ${what}. Ask an admin for a token with it.`);
}

/**
 * Engine errors as JSON-RPC errors for requests that are not tool calls (resources, prompts, subscribe).
 * A missing resource is the SDK's ResourceNotFoundError (data.uri; -32002 in 2025-11-25, -32602 in
 * 2026-07-28, the codec picks); a database that is down stays a sentence saying so.
 */
export function asMcpError(err: unknown, uri?: string): unknown {
  const e = isEngineError(err) ? err : asUnavailable(err);
  if (!e) return err;
  if (e.code === 'not_found' && uri !== undefined) return new ResourceNotFoundError(uri, e.message);
  const code = e.code === 'not_found' ? -32002 : e.code === 'invalid' ? ProtocolErrorCode.InvalidParams : e.code === 'unavailable' ? ProtocolErrorCode.InternalError : ProtocolErrorCode.InvalidRequest;
  return new ProtocolError(code, e.message, { code: e.code, ...(e.details.fields ? { fields: e.details.fields } : {}) });
}

export async function mcpErrors<T>(fn: () => Promise<T>, uri?: string): Promise<T> {
  try { return await fn(); } catch (err) { throw asMcpError(err, uri); }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The array of records in an operation's output: the output itself or its first array field. */
export function recordsOf(output: unknown, key?: string): Obj[] {
  if (Array.isArray(output)) return output.filter(isObj);
  if (!isObj(output)) return [];
  const named = key ? output[key] : undefined;
  const arr = Array.isArray(named) ? named : Object.values(output).find(Array.isArray);
  return Array.isArray(arr) ? arr.filter(isObj) : [];
}

export async function guildsOf(session: SessionContext): Promise<Array<{ id: string; name: string | null }>> {
  const actor = session.actor();
  try {
    const out = await call(session, 'list_guilds', {});
    return recordsOf(out, 'guilds').filter((g) => typeof g.id === 'string')
      .map((g) => ({ id: g.id as string, name: typeof g.name === 'string' ? g.name : null }));
  } catch (err) {
    // A token without guild:read still knows the guilds it is scoped to.
    if (isEngineError(err) && actor.guilds) return actor.guilds.map((id) => ({ id, name: null }));
    if (isEngineError(err)) return [];
    throw err;
  }
}

export async function guildName(session: SessionContext, guildId: string): Promise<string | null> {
  try {
    const out = await call(session, 'get_guild', { guild_id: guildId });
    return isObj(out) && typeof out.name === 'string' ? out.name : null;
  } catch (err) {
    if (isEngineError(err)) return null;
    throw err;
  }
}
