/**
 * The server's retention timer: a prune (src/engine/retention.ts) shortly after start and then every
 * `intervalMs`. Every process runs one; on a shared PostgreSQL their passes split the old rows
 * (SKIP LOCKED batches), so running it everywhere deletes each row once and costs an idle pass a few
 * index probes. A stop waits for the batch in flight and starts no other.
 */
import type { Config } from './config.js';
import type { Engine } from './engine/index.js';
import { createRetention, type PruneReport, type RetentionOptions } from './engine/retention.js';
import type { Logger } from './logger.js';

const DAY_MS = 86_400_000;

export function retentionOptions(config: Pick<Config, 'TICKETBRIDGE_RETENTION_DAYS' | 'TICKETBRIDGE_DEAD_RETENTION_DAYS' | 'TICKETBRIDGE_IDEMPOTENCY_TTL'>): RetentionOptions {
  return {
    finishedMs: config.TICKETBRIDGE_RETENTION_DAYS * DAY_MS,
    deadMs: config.TICKETBRIDGE_DEAD_RETENTION_DAYS * DAY_MS,
    idempotencyTtlMs: config.TICKETBRIDGE_IDEMPOTENCY_TTL * 1000,
  };
}

export interface RetentionTimer { prune(): Promise<PruneReport | null>; stop(): Promise<void> }

export function startRetention(engine: Engine, logger: Logger, opts: RetentionOptions & { intervalMs?: number; firstDelayMs?: number }): RetentionTimer {
  const retention = createRetention(engine.ctx, opts);
  let stopped = false;
  let running: Promise<PruneReport | null> | null = null;

  const prune = (): Promise<PruneReport | null> => {
    if (stopped) return Promise.resolve(null);
    running ??= retention.prune(() => stopped)
      .then((report) => {
        if (Object.values(report.deleted).some((n) => n > 0) || report.runs.pruned + report.runs.failed > 0) logger.info(report, 'retention: old finished work deleted');
        return report;
      })
      .catch((err: unknown) => { logger.warn({ err: (err as Error).message }, 'retention pass failed; the next one retries'); return null; })
      .finally(() => { running = null; });
    return running;
  };

  const first = setTimeout(() => { void prune(); }, opts.firstDelayMs ?? 30_000);
  const timer = setInterval(() => { void prune(); }, opts.intervalMs ?? 10 * 60_000);
  first.unref();
  timer.unref();
  return {
    prune,
    async stop() {
      stopped = true;
      clearTimeout(first);
      clearInterval(timer);
      await running;
    },
  };
}
