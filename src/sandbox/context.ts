// What route handlers and the control API share: the state, the gateway, faults, rate limits.
import type { Logger } from 'pino';
import type { Faults } from './faults.js';
import type { Gateway } from './gateway.js';
import type { InteractionRec } from './model.js';
import type { RateLimiter } from './rate-limits.js';
import type { ShardingSettings } from './sharding.js';
import type { Store } from './store.js';

export interface SandboxContext {
  readonly store: Store;
  readonly gateway: Gateway;
  readonly faults: Faults;
  readonly limiter: RateLimiter;
  readonly logger: Logger;
  readonly botToken: string;
  /** http://host:port (known once listening). */
  baseUrl(): string;
  /** Callbacks waiting for the bot to answer an interaction, by interaction id. */
  readonly interactionWaiters: Map<string, (i: InteractionRec) => void>;
  /** Callbacks waiting for a deferred interaction's edit or follow-up, by interaction id. */
  readonly settleWaiters: Map<string, () => void>;
  /** The 3-second callback deadline (configurable for slow test machines). */
  readonly interactionDeadlineMs: number;
  /** GET /gateway/bot's recommended shards and the guild count that requires sharding (mutable through the control API). */
  readonly sharding: ShardingSettings;
}
