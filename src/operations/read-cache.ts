/**
 * A read cache for the reads every face repeats most: get_ticket and list_tickets. Entries are dropped
 * on every engine change event of their guild (tickets, transcripts, the outbox's results, group and
 * module changes), so within one process a read never trails a write. Writers in other processes
 * (PostgreSQL only; a PGlite directory belongs to one process) arrive as the same events through the
 * change feed; the short lifetime only bounds staleness while the feed's connection is re-established.
 * `invoke` reads through it after checking ability, input and guild scope, so every face gets it
 * and every call is still checked. Entries are validated outputs, deep-frozen: callers share them.
 */
import type { Engine } from '../engine/index.js';

const CACHED = new Set(['get_ticket', 'list_tickets']);
/** The default lifetime (TICKETBRIDGE_READ_CACHE_MS). */
const TTL_MS = 1000;
/** The cache's bound, in tickets held (a ticket is ~1.5 KB): a page of 100 weighs 100, a get 1. */
const MAX_WEIGHT = 20_000;

interface Entry { value: unknown; at: number; weight: number }

/** How many tickets an answer holds. */
const weightOf = (value: unknown) => Math.max(1, (value as { tickets?: unknown[] } | null)?.tickets?.length ?? 1);

class ReadCache {
  private readonly byGuild = new Map<string, Map<string, Entry>>();
  /** Sum of the entries' weights. */
  private weight = 0;
  /** Bumped on every drop: a read that started before a change must not be stored after it. */
  generation = 0;
  constructor(public ttl: number) {}

  get(guildId: string, key: string): unknown {
    if (this.ttl <= 0) return undefined;
    const m = this.byGuild.get(guildId);
    const e = m?.get(key);
    if (!m || !e) return undefined;
    if (Date.now() - e.at > this.ttl) { m.delete(key); this.weight -= e.weight; return undefined; }
    return e.value;
  }

  set(guildId: string, key: string, value: unknown, since: number): void {
    if (this.ttl <= 0) return;
    const weight = weightOf(value);
    // Full: start over (simple, and bounded; a cache this size refills within a second of use).
    if (this.weight + weight > MAX_WEIGHT) this.clear();
    let m = this.byGuild.get(guildId);
    if (!m) { m = new Map(); this.byGuild.set(guildId, m); }
    this.weight += weight - (m.get(key)?.weight ?? 0);
    m.set(key, { value, at: since, weight });
  }

  drop(guildId: string): void {
    const m = this.byGuild.get(guildId);
    if (m) { for (const e of m.values()) this.weight -= e.weight; this.byGuild.delete(guildId); }
    this.generation++;
  }

  /** The tickets held (tests and diagnostics). */
  get held(): number { return this.weight; }

  clear(): void {
    this.byGuild.clear();
    this.weight = 0;
    this.generation++;
  }
}

const caches = new WeakMap<Engine, ReadCache>();

/** A PGlite directory has one process: only its own changes exist, and they all drop entries at once. */
const lifetime = (engine: Engine, ms: number) => (engine.kind === 'pglite' && ms > 0 ? Number.POSITIVE_INFINITY : ms);

/** How many tickets this engine's cache holds now. */
export const readCacheHeld = (engine: Engine): number => cacheOf(engine).held;

/** Sets how long this engine's cached reads live; 0 turns the cache off. */
export function setReadCacheLifetime(engine: Engine, ms: number): void {
  const cache = cacheOf(engine);
  cache.ttl = lifetime(engine, ms);
  cache.clear();
}

function cacheOf(engine: Engine): ReadCache {
  let c = caches.get(engine);
  if (!c) {
    c = new ReadCache(lifetime(engine, TTL_MS));
    const cache = c;
    engine.changes.on('ticket', ({ guildId }) => cache.drop(guildId));
    engine.changes.on('guild', ({ guildId }) => cache.drop(guildId));
    engine.changes.on('resync', () => cache.clear());
    caches.set(engine, c);
  }
  return c;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** The input fields as a key: parsed inputs have a fixed field order, so equal requests give equal keys. */
const keyOf = (name: string, input: unknown) => `${name}${JSON.stringify(input)}`;

/**
 * A read through the cache: `load` (run and output validation) only when this operation is cached
 * and the guild's answer to this input is not held. Everything else goes straight to `load`.
 */
export async function readThrough<T>(name: string, engine: Engine, input: unknown, load: () => Promise<T>): Promise<T> {
  if (!CACHED.has(name)) return load();
  const cache = cacheOf(engine);
  if (cache.ttl <= 0) return load();
  const guildId = (input as { guild_id: string }).guild_id;
  const key = keyOf(name, input);
  const hit = cache.get(guildId, key);
  if (hit !== undefined) return hit as T;
  const generation = cache.generation;
  const at = Date.now();
  const value = deepFreeze(await load());
  if (cache.generation === generation) cache.set(guildId, key, value, at);
  return value;
}
