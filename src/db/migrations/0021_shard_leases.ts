/**
 * Gateway shard leases: one row per shard says which process runs it until when (renewed on a
 * heartbeat); `epoch` counts hand-overs. gateway_processes lists the live processes, so each can
 * work out its fair share of the shards.
 */
import { statements } from './statements.js';

export const { up, down } = statements(
  [
    `CREATE TABLE gateway_processes (
      id text PRIMARY KEY,
      started_at timestamptz NOT NULL DEFAULT now(),
      seen_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE TABLE shard_leases (
      shard_id integer PRIMARY KEY,
      shard_count integer NOT NULL,
      holder text,
      epoch bigint NOT NULL DEFAULT 0,
      expires_at timestamptz,
      acquired_at timestamptz,
      renewed_at timestamptz
    )`,
  ],
  ['DROP TABLE IF EXISTS shard_leases', 'DROP TABLE IF EXISTS gateway_processes'],
);
