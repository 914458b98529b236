/**
 * Background runs: a long operation started by one request and finished later, polled by id from any
 * process (the MCP Tasks extension is their first user). One row per run: who started it (token and
 * guild, so only they may see or cancel it), what it runs, where it stands, its result or error, the
 * process holding it with a heartbeat (a run whose holder stops beating is finished as failed by
 * whoever looks next), a cancel flag the holder reads on its heartbeat, and when the row may be
 * deleted (at least an hour after it finished; retention prunes it then).
 */
import { statements } from './statements.js';

export const { up, down } = statements(
  [
    `CREATE TABLE background_runs (
      id text PRIMARY KEY,
      operation text NOT NULL,
      owner text NOT NULL,
      guild_id text,
      status text NOT NULL CHECK (status IN ('running', 'done', 'refused', 'cancelled', 'failed')),
      status_message text,
      result jsonb,
      error_code text,
      error text,
      error_details jsonb,
      holder text,
      heartbeat_at timestamptz NOT NULL DEFAULT now(),
      cancel_requested boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz,
      expires_at timestamptz
    )`,
    `CREATE INDEX background_runs_running ON background_runs (heartbeat_at) WHERE status = 'running'`,
    `CREATE INDEX background_runs_expires ON background_runs (expires_at) WHERE status <> 'running'`,
  ],
  ['DROP TABLE IF EXISTS background_runs'],
);
