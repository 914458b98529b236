/**
 * The shard leases of this process: on every heartbeat it renews what it holds, gives up what is
 * more than its fair share, and takes free shards up to it (engine.shards does the database side).
 *
 * Fencing: a shard whose lease was not renewed for (ttl - renew interval), counted from the moment
 * the last successful renewal was sent, is stopped here at once. The lease itself lasts ttl from
 * when the database handled that renewal (later than the send), so the stop has at least one renew
 * interval to finish before any other process may take the shard. A renewal the database refuses
 * (the lease was lost) stops the shard at once too. Stopping detaches the shard's handlers
 * synchronously, so nothing of it is handled here after the fence.
 */
import { performance } from 'node:perf_hooks';
import type { Engine } from '../../engine/index.js';
import { planShards, type LeaseTerms } from '../../engine/shard-leases.js';
import type { Logger } from '../../logger.js';

export interface RunningShard {
  readonly ready: boolean;
  /** Stops the shard; resolves when its gateway session is closed. */
  stop(): Promise<void>;
}

export interface KeeperOptions {
  engine: Engine;
  logger: Logger;
  terms: LeaseTerms;
  renewMs: number;
  /** Starts running a shard this process just leased; `done` tells the keeper it died (the lease goes back). */
  launch(shardId: number, epoch: number, done: (reason: string) => void): RunningShard;
}

export interface HeldShard { id: number; epoch: number; ready: boolean; since: string }

export interface ShardKeeper {
  /** The first heartbeat: this process's first shards are leased and launched. */
  readonly first: Promise<void>;
  held(): HeldShard[];
  /** Runs one heartbeat now (tests, and after a shard died). */
  beat(): Promise<void>;
  /** Stops every shard, frees the leases and leaves, so others take over at once. */
  stop(): Promise<void>;
}

interface Holding { id: number; epoch: number; since: Date; renewedAt: number; run: RunningShard }

export function startShardKeeper(opts: KeeperOptions): ShardKeeper {
  const { engine, logger, terms } = opts;
  const holding = new Map<number, Holding>();
  const stopping = new Set<Promise<void>>();
  const fenceAfter = terms.ttlMs - opts.renewMs;
  let closed = false;
  let beating: Promise<void> | null = null;

  /** Stops a shard (synchronously detached), then frees its lease if it is still ours. */
  const drop = (id: number, reason: string): Promise<void> => {
    const h = holding.get(id);
    if (!h) return Promise.resolve();
    holding.delete(id);
    logger.info({ shard: id, epoch: h.epoch, reason }, 'stopping gateway shard');
    const p = (async () => {
      await h.run.stop().catch((err: unknown) => logger.warn({ shard: id, err: (err as Error).message }, 'stopping a shard failed'));
      await engine.shards.release(terms.processId, [id]).catch(() => {}); // expiry frees it otherwise
    })().finally(() => stopping.delete(p));
    stopping.add(p);
    return p;
  };

  const fence = () => {
    const now = performance.now();
    for (const h of [...holding.values()]) {
      if (now - h.renewedAt > fenceAfter) void drop(h.id, 'lease not renewed in time');
    }
  };

  const take = async (id: number) => {
    const sentAt = performance.now();
    const got = await engine.shards.acquire(terms, id);
    if (!got || closed) {
      if (got) await engine.shards.release(terms.processId, [id]);
      return;
    }
    logger.info({ shard: id, of: terms.shardCount, epoch: got.epoch }, 'leased gateway shard');
    const h: Holding = {
      id, epoch: got.epoch, since: new Date(), renewedAt: sentAt,
      run: opts.launch(id, got.epoch, (reason) => { if (holding.get(id) === h) void drop(id, reason).then(() => beat()); }),
    };
    holding.set(id, h);
  };

  const beatOnce = async () => {
    const sentAt = performance.now();
    const ids = [...holding.keys()];
    const hb = await engine.shards.heartbeat(terms, ids);
    for (const id of ids) {
      const h = holding.get(id);
      if (!h) continue;
      if (hb.renewed.includes(id)) h.renewedAt = Math.max(h.renewedAt, sentAt);
      else void drop(id, 'lease lost');
    }
    if (closed) return;
    const plan = planShards({ count: terms.shardCount, processes: hb.processes, rank: hb.rank, held: [...holding.keys()], free: hb.free });
    for (const id of plan.release) await drop(id, 'rebalancing: more than a fair share');
    for (const id of plan.take) await take(id);
  };

  const beat = (): Promise<void> => {
    beating ??= beatOnce().catch((err: unknown) => { logger.warn({ err: (err as Error).message }, 'shard lease heartbeat failed'); }).finally(() => { beating = null; });
    return beating;
  };

  const first = beat();
  const timer = setInterval(() => { void beat(); }, opts.renewMs);
  const fenceTimer = setInterval(fence, Math.max(50, Math.min(1_000, Math.floor(opts.renewMs / 4))));
  timer.unref();
  fenceTimer.unref();

  return {
    first,
    held: () => [...holding.values()].sort((a, b) => a.id - b.id).map((h) => ({ id: h.id, epoch: h.epoch, ready: h.run.ready, since: h.since.toISOString() })),
    beat,
    async stop() {
      closed = true;
      clearInterval(timer);
      clearInterval(fenceTimer);
      await beating;
      await Promise.all([...holding.keys()].map((id) => drop(id, 'process stopping')));
      await Promise.all([...stopping]);
      await engine.shards.leave(terms.processId).catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'leaving the shard leases failed'));
    },
  };
}
