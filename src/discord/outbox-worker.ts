/**
 * The outbox worker: claims due jobs (FOR UPDATE SKIP LOCKED, so several processes share one
 * database safely), performs them through the driver, and records done / retry / dead. Wakes at once
 * on new jobs (engine.changes in-process, LISTEN/NOTIFY across PostgreSQL processes) and otherwise
 * sleeps until the next job falls due. Channels whose Discord bucket is spent (seen in response
 * headers) are left unclaimed until it resets, so slots only hold jobs that can be sent now.
 */
import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { hostname } from 'node:os';
import type { REST } from 'discord.js';
import type { Database } from '../db/connect.js';
import { startListener, type Listener } from '../db/listener.js';
import type { Engine } from '../engine/index.js';
import type { ClaimedJob } from '../engine/outbox.js';
import type { Logger } from '../logger.js';
import { abortableRest } from './abortable-rest.js';
import { ChannelBuckets } from './channel-buckets.js';
import { classify } from './errors.js';
import { PermanentJobError } from './jobs/context.js';
import { handlerFor } from './jobs/index.js';

export interface WorkerOptions {
  engine: Engine;
  database: Pick<Database, 'kind' | 'connectionString'> & { instance?: string };
  rest: REST;
  botUserId: string;
  logger: Logger;
  /** Jobs in flight at once (default 32: jobs of different channels run in parallel). */
  concurrency?: number;
  /** Longest sleep between polls when nothing is due (default 5 s). */
  pollMs?: number;
  workerId?: string;
  /** Channels whose bucket another process has spent (several processes on one database). */
  sharedSpent?: () => Promise<string[]>;
}

export interface Worker {
  readonly id: string;
  /** Jobs finished (done or dead) by this worker. */
  readonly stats: { done: number; dead: number; retried: number; deferred: number };
  wake(): void;
  /** Resolves when no job is due or running anywhere (tests). */
  idle(timeoutMs?: number): Promise<void>;
  /**
   * Stops claiming, cuts off the Discord requests of jobs in flight (queued behind a rate limit or on
   * the wire), gives them `graceMs` to settle, then hands every job still claimed back to the outbox
   * for the next process. Never waits for a rate limit to reset.
   */
  stop(graceMs?: number): Promise<void>;
}

export function startWorker(opts: WorkerOptions): Worker {
  const { engine, logger } = opts;
  const outbox = engine.outbox;
  const id = opts.workerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const concurrency = opts.concurrency ?? 32;
  const pollMs = opts.pollMs ?? 5_000;
  const inFlight = new Map<string, Promise<void>>();
  const stats = { done: 0, dead: 0, retried: 0, deferred: 0 };
  let stopped = false;
  let wakeUp: (() => void) | null = null;
  let pending = false;
  const wake = () => { pending = true; wakeUp?.(); };
  const halt = new AbortController();
  // Each request in flight listens on this one signal until it settles (abortable-rest.ts): up to
  // one per job running, so Node's warning at 10 ("possible EventTarget memory leak") would fire on
  // stderr under any real load. More than that would be a leak, and still warns.
  setMaxListeners(2 * concurrency + 10, halt.signal);
  const rest = abortableRest(opts.rest, halt.signal);
  const buckets = new ChannelBuckets();
  const detachBuckets = buckets.attach(opts.rest);
  const blockedChannels = async (): Promise<string[]> => {
    const own = buckets.blocked();
    if (!opts.sharedSpent) return own;
    return [...new Set([...own, ...await opts.sharedSpent()])];
  };

  const onJobs = () => wake();
  engine.changes.on('jobs', onJobs);

  // PostgreSQL: other processes' commits arrive as NOTIFY. The connection comes back by itself
  // after a database restart; jobs committed while it was down were not announced, so a reconnect
  // wakes the loop to look.
  let listener: Listener | null = null;
  if (opts.database.kind === 'postgres' && opts.database.connectionString) {
    listener = startListener({
      connectionString: opts.database.connectionString,
      channels: ['discord_jobs'],
      applicationName: `${opts.database.instance ?? 'ticketbridge'}-outbox`,
      onNotification: wake,
      onListening: (first) => {
        if (!first) { logger.info('outbox LISTEN connection is back'); wake(); }
      },
      onLost: (message, attempt) => {
        if (attempt === 1) logger.warn({ err: message }, 'outbox LISTEN connection lost; reconnecting (polling meanwhile)');
      },
    });
  }

  // Keeps the locks of slow jobs fresh, so no other worker takes them over.
  const heartbeat = setInterval(() => {
    outbox.heartbeat(id, [...inFlight.keys()]).catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'outbox heartbeat failed'));
  }, Math.max(500, Math.floor(outbox.leaseMs / 3)));
  heartbeat.unref();

  async function perform(job: ClaimedJob): Promise<void> {
    const handler = handlerFor(job.kind);
    try {
      if (!handler) throw new PermanentJobError(`No driver for job kind "${job.kind}"`);
      const out = await handler({ rest, engine, botUserId: opts.botUserId, logger, job });
      if (out && 'defer' in out) {
        await outbox.defer(job, id, out.defer, out.why);
        stats.deferred++;
        return;
      }
      await outbox.complete(job, id, out?.result ?? {}, out?.followUps ?? []);
      stats.done++;
    } catch (err) {
      // Cut off by stop(): not a failure of the job; the next process takes it over.
      if (halt.signal.aborted) { await outbox.release(id, [job.id]); return; }
      const c = err instanceof PermanentJobError ? { retryable: false, message: err.message } : classify(err);
      const outcome = await outbox.fail(job, id, c.message, { permanent: !c.retryable });
      if (outcome === 'dead') {
        stats.dead++;
        logger.warn({ job: job.id, kind: job.kind, attempts: job.attempts, error: c.message }, 'Discord job is dead');
      } else {
        stats.retried++;
        logger.info({ job: job.id, kind: job.kind, attempts: job.attempts, error: c.message }, 'Discord job failed; retrying later');
      }
    }
  }

  // A claim costs more as the backlog grows (lane heads are found in one pass over open jobs).
  // Spacing claims by twice the last one's duration keeps claiming under a third of the database's
  // time when every finished job wakes the loop, and costs nothing while claims are cheap.
  let lastClaimMs = 0;
  let lastClaimEnd = 0;
  async function loop(): Promise<void> {
    while (!stopped) {
      const gap = Math.min(100, 2 * lastClaimMs) - (Date.now() - lastClaimEnd);
      if (gap > 1) await new Promise((r) => setTimeout(r, gap));
      if (stopped) break;
      pending = false;
      let claimed: ClaimedJob[] = [];
      const room = concurrency - inFlight.size;
      if (room > 0) {
        const t0 = Date.now();
        try {
          claimed = await outbox.claim(id, room, { blockedChannels: await blockedChannels() });
        } catch (err) {
          logger.warn({ err: (err as Error).message }, 'outbox claim failed');
        }
        lastClaimEnd = Date.now();
        lastClaimMs = lastClaimEnd - t0;
      }
      for (const job of claimed) {
        const p = perform(job).catch((err: unknown) => logger.error({ err: (err as Error).message, job: job.id }, 'outbox bookkeeping failed'))
          .finally(() => { inFlight.delete(job.id); wake(); });
        inFlight.set(job.id, p);
      }
      if (stopped) break;
      if (claimed.length > 0 && claimed.length === room) continue; // maybe more are due
      if (pending) continue;
      let sleep = pollMs;
      if (inFlight.size < concurrency) {
        const due = await outbox.nextDueAt({ blockedChannels: await blockedChannels() }).catch(() => null);
        // Due yet not claimable: waiting behind a running job of its ticket or channel (ours wake us
        // when they finish; another process's are seen by polling).
        if (due) sleep = Math.min(pollMs, due.getTime() > Date.now() ? due.getTime() - Date.now() : inFlight.size > 0 ? 250 : 50);
        const reset = buckets.nextReset();
        if (reset !== null) sleep = Math.min(sleep, reset - Date.now());
        sleep = Math.max(5, sleep);
      }
      if (pending) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, sleep);
        function done() { clearTimeout(timer); wakeUp = null; resolve(); }
        wakeUp = done;
      });
    }
  }
  const running = loop();

  return {
    id,
    stats,
    wake,
    async idle(timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      let quiet = 0;
      // Two quiet snapshots in a row: nothing running or due, and nothing in flight here.
      while (quiet < 2) {
        quiet = (await outbox.busy()) === 0 && inFlight.size === 0 ? quiet + 1 : 0;
        if (quiet >= 2) return;
        if (Date.now() > deadline) throw new Error(`outbox not idle after ${timeoutMs} ms: ${JSON.stringify(await outbox.counts())}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async stop(graceMs = 1_000) {
      stopped = true;
      halt.abort();
      wakeUp?.();
      engine.changes.off('jobs', onJobs);
      detachBuckets();
      clearInterval(heartbeat);
      await running;
      // Jobs in their database steps finish; those waiting on Discord were just cut off and release
      // themselves. Whatever is still claimed after the grace goes back to the outbox as it is.
      let graceTimer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled(inFlight.values()),
        new Promise((r) => { graceTimer = setTimeout(r, graceMs); }),
      ]);
      clearTimeout(graceTimer);
      const released = await outbox.release(id).catch((err: unknown) => {
        logger.warn({ err: (err as Error).message }, 'could not hand claimed jobs back; they are taken over when their lease ends');
        return 0;
      });
      if (released > 0 || inFlight.size > 0) logger.info({ released, cutOff: inFlight.size }, 'outbox worker stopped; unfinished jobs left to the next process');
      await listener?.close();
    },
  };
}
