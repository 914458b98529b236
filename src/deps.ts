/** What the faces receive from the app: the engine and the process-wide services around it. */
import type { Config } from './config.js';
import type { Database } from './db/connect.js';
import type { Engine } from './engine/index.js';
import type { Logger } from './logger.js';

export interface DiscordStatus {
  mode: 'discord' | 'sandbox' | 'off';
  url?: string | undefined;
  ready: boolean;
  /** The gateway shards this process holds (leased in the database), of how many. */
  shards?: { process_id: string; count: number; held: Array<{ id: number; epoch: number; ready: boolean; since: string }> } | undefined;
}

export interface AppDeps {
  config: Config;
  logger: Logger;
  database: Database;
  engine: Engine;
  discord: () => DiscordStatus;
}
