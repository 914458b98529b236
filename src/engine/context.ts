/** What every engine module receives: the database and a way to tell the rest of the process what changed. */
import { EventEmitter } from 'node:events';
import type { Db } from './tx.js';
import type { DatabaseKind } from '../db/connect.js';

export interface ChangeEvents {
  /** A ticket (or its transcript) changed; MCP subscriptions and caches listen. */
  ticket: [{ guildId: string; ticketId: string; transcript?: boolean; /** written by another process */ remote?: boolean }];
  /** Discord jobs were committed; the outbox worker wakes. */
  jobs: [{ count: number }];
  /** Webhook deliveries were committed; the webhook worker wakes. */
  webhooks: [{ count: number }];
  /** Guild-level data changed (groups, panels, module state …). */
  guild: [{ guildId: string }];
  /**
   * Changes may have been missed: the change feed's connection dropped and came back, and whatever
   * other processes committed in between was never announced. Caches drop everything; subscribers
   * are told every resource they watch may have changed.
   */
  resync: [{ reason: string }];
}

export interface EngineContext {
  db: Db;
  kind: DatabaseKind;
  changes: EventEmitter<ChangeEvents>;
  now(): Date;
}

export function createEngineContext(db: Db, kind: DatabaseKind, now: () => Date = () => new Date()): EngineContext {
  const changes = new EventEmitter<ChangeEvents>();
  changes.setMaxListeners(0);
  return { db, kind, changes, now };
}
