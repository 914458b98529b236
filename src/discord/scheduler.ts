/**
 * On an interval and on demand: closes tickets whose expiry has passed (unless eternal), warns about
 * and closes tickets idle past their group's auto_close_hours, closes tickets whose close request
 * went unanswered past its deadline, and sweeps the guilds whose next
 * action-item sweep is due.
 * Every process runs one; each due item is still done once across them all: tickets are decided
 * again under their row lock (src/engine/tickets/auto-close.ts), and a sweep is claimed under its
 * guild's lock after checking again that it is due (one running sweep per guild, by a unique index).
 */
import type { Actor } from '../engine/actor.js';
import { isEngineError } from '../engine/errors.js';
import type { Engine } from '../engine/index.js';
import type { Logger } from '../logger.js';

const botActor: Actor = { userId: null, tokenId: null, abilities: 'all', guilds: null, asBot: true };

export interface Scheduler { tick(): Promise<number>; stop(): void }

export function startScheduler(engine: Engine, logger: Logger, intervalMs = 60_000): Scheduler {
  let running: Promise<number> | null = null;
  const tick = (): Promise<number> => {
    running ??= (async () => {
      let closed = 0;
      try {
        closed += await engine.tickets.closeExpired(botActor);
      } catch (err) {
        logger.warn({ err: (err as Error).message }, 'closing expired tickets failed');
      }
      try {
        closed += (await engine.tickets.closeIdle(botActor)).closed;
        closed += await engine.tickets.closeUnanswered(botActor);
      } catch (err) {
        logger.warn({ err: (err as Error).message }, 'closing idle tickets failed');
      }
      for (const guildId of await engine.actionItems.sweeps.due(engine.ctx.now())) {
        try {
          await engine.actionItems.sweeps.trigger(botActor, { guild_id: guildId });
        } catch (err) {
          // Swept or running already (another process's scheduler got there first): nothing to do.
          if (isEngineError(err) && err.code === 'conflict') logger.debug({ err: err.message, guildId }, 'scheduled sweep skipped');
          // One that failed is recorded as failed in the history.
          else logger.warn({ err: (err as Error).message, guildId }, 'scheduled sweep failed');
        }
      }
      return closed;
    })().finally(() => { running = null; });
    return running;
  };
  const timer = setInterval(() => { tick().catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'expiry sweep failed')); }, intervalMs);
  timer.unref();
  return { tick, stop: () => clearInterval(timer) };
}
