/**
 * Discord's identify limit, shared by every process of a bot: the next free moment of each identify
 * bucket (shard_id % max_concurrency) in one row (src/engine/identify-slots.ts). Unlogged like the
 * other Discord limits: after a crash the worst case is one session start not spaced from the last.
 */
import { statements } from './statements.js';

export const { up, down } = statements(
  [
    `CREATE UNLOGGED TABLE gateway_identify_slots (
      bot_key text NOT NULL,
      bucket integer NOT NULL,
      next_at timestamptz NOT NULL,
      PRIMARY KEY (bot_key, bucket)
    )`,
  ],
  ['DROP TABLE IF EXISTS gateway_identify_slots'],
);
