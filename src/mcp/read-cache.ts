/**
 * A read cache for get_ticket, the call agents repeat most. Entries are dropped on every engine change
 * event of their guild (tickets, transcripts, the outbox's results, group and module changes), so
 * within one process a read never trails a write. Writers in other processes (PostgreSQL only; a
 * PGlite directory belongs to one process) arrive as the same events through the change feed; the
 * short lifetime only bounds staleness while the feed's connection is being re-established. Ability, input and guild scope are still checked on every call (the cache wraps `run` only).
 */
import type { Engine } from '../engine/index.js';
import type { AnyOperation } from '../operations/define.js';

const CACHED = new Set(['get_ticket']);
const TTL_MS = 1000;
const MAX_ENTRIES = 5000;

interface Entry { value: unknown; at: number }

class ReadCache {
  private readonly byGuild = new Map<string, Map<string, Entry>>();
  private size = 0;
  constructor(private readonly ttl: number) {}

  get(guildId: string, key: string): unknown {
    const e = this.byGuild.get(guildId)?.get(key);
    if (!e) return undefined;
    if (Date.now() - e.at > this.ttl) { this.byGuild.get(guildId)?.delete(key); this.size--; return undefined; }
    return e.value;
  }

  set(guildId: string, key: string, value: unknown, since: number): void {
    if (this.size >= MAX_ENTRIES) { this.byGuild.clear(); this.size = 0; }
    let m = this.byGuild.get(guildId);
    if (!m) { m = new Map(); this.byGuild.set(guildId, m); }
    if (!m.has(key)) this.size++;
    m.set(key, { value, at: since });
  }

  drop(guildId: string): void {
    const m = this.byGuild.get(guildId);
    if (m) { this.size -= m.size; this.byGuild.delete(guildId); }
    this.generation++;
  }

  /** Bumped on every drop: a read that started before a change must not be stored after it. */
  generation = 0;
}

const caches = new WeakMap<Engine, ReadCache>();

function cacheOf(engine: Engine): ReadCache {
  let c = caches.get(engine);
  if (!c) {
    c = new ReadCache(engine.kind === 'pglite' ? Number.POSITIVE_INFINITY : TTL_MS);
    const cache = c;
    engine.changes.on('ticket', ({ guildId }) => cache.drop(guildId));
    engine.changes.on('guild', ({ guildId }) => cache.drop(guildId));
    caches.set(engine, c);
  }
  return c;
}

const wrapped = new Map<string, AnyOperation>();

/** The operation to invoke: the catalogue's own, or one whose `run` answers from the cache. */
export function cachedOperation(op: AnyOperation): AnyOperation {
  if (!CACHED.has(op.name)) return op;
  let w = wrapped.get(op.name);
  if (!w) {
    w = {
      ...op,
      run: async (ctx, input) => {
        const i = input as { guild_id: string; ticket_id?: string; channel_id?: string };
        const cache = cacheOf(ctx.engine);
        const key = i.ticket_id ? `t${i.ticket_id}` : `c${i.channel_id ?? ''}`;
        const hit = cache.get(i.guild_id, key);
        if (hit !== undefined) return hit as never;
        const generation = cache.generation;
        const at = Date.now();
        const value = await op.run(ctx, input);
        if (cache.generation === generation) cache.set(i.guild_id, key, value, at);
        return value;
      },
    };
    wrapped.set(op.name, w);
  }
  return w;
}
