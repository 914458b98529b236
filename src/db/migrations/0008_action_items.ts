/**
 * Action items (the NoteTicketing API, document 004): per-guild monitoring config, monitored channels
 * with their sweep cursor, action items, sweeps and their per-channel counts, member permissions and
 * the privacy audit log, and outgoing webhook deliveries. Every row belongs to a guild and goes with it.
 */
import { statements } from './statements.js';

const upStatements: string[] = [
  `CREATE TABLE monitor_configs (
    guild_id text PRIMARY KEY REFERENCES guilds(id) ON DELETE CASCADE,
    active boolean NOT NULL DEFAULT true,
    privacy_mode_enabled boolean NOT NULL DEFAULT false,
    todo_channel_id text,
    sweep_output_channel_id text,
    sweep_interval_hours integer NOT NULL DEFAULT 6 CHECK (sweep_interval_hours BETWEEN 1 AND 168),
    last_sweep_time timestamptz,
    -- Where action_item.created events are POSTed, signed with the secret (HMAC-SHA256).
    webhook_url text,
    webhook_secret text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE TABLE monitored_channels (
    guild_id text NOT NULL REFERENCES guilds(id) ON DELETE CASCADE,
    channel_id text NOT NULL,
    -- The newest message a sweep has read; the next sweep reads after it.
    last_message_id text,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (guild_id, channel_id)
  )`,
  `CREATE TABLE action_items (
    id text PRIMARY KEY,
    guild_id text NOT NULL REFERENCES guilds(id) ON DELETE CASCADE,
    channel_id text NOT NULL,
    summary text,
    text text NOT NULL,
    priority text NOT NULL CHECK (priority IN ('low', 'medium', 'high')),
    category text NOT NULL,
    status text NOT NULL CHECK (status IN ('pending', 'in_progress', 'completed', 'archived')),
    assigned_to text,
    -- Found by a sweep: the message and line it came from (a line yields one item, however often swept).
    source_key text,
    sweep_id text,
    created_by text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX action_items_guild_created ON action_items (guild_id, created_at DESC, id DESC)`,
  `CREATE UNIQUE INDEX action_items_source ON action_items (guild_id, source_key) WHERE source_key IS NOT NULL`,
  `CREATE TABLE sweeps (
    id text PRIMARY KEY,
    guild_id text NOT NULL REFERENCES guilds(id) ON DELETE CASCADE,
    triggered_at timestamptz NOT NULL,
    triggered_by text,
    channels_processed integer NOT NULL DEFAULT 0,
    messages_processed integer NOT NULL DEFAULT 0,
    action_items_found integer NOT NULL DEFAULT 0,
    status text NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
    duration_seconds double precision,
    error text
  )`,
  `CREATE INDEX sweeps_guild_triggered ON sweeps (guild_id, triggered_at DESC, id DESC)`,
  // One sweep of a guild at a time.
  `CREATE UNIQUE INDEX sweeps_one_running ON sweeps (guild_id) WHERE status = 'running'`,
  `CREATE TABLE sweep_channels (
    sweep_id text NOT NULL REFERENCES sweeps(id) ON DELETE CASCADE,
    guild_id text NOT NULL,
    channel_id text NOT NULL,
    messages_processed integer NOT NULL,
    action_items_found integer NOT NULL,
    swept_at timestamptz NOT NULL,
    PRIMARY KEY (sweep_id, channel_id)
  )`,
  `CREATE INDEX sweep_channels_guild ON sweep_channels (guild_id, swept_at)`,
  `CREATE TABLE member_permissions (
    guild_id text NOT NULL REFERENCES guilds(id) ON DELETE CASCADE,
    user_id text NOT NULL,
    can_configure_bot boolean NOT NULL,
    can_manage_action_items boolean NOT NULL,
    can_view_analytics boolean NOT NULL,
    can_trigger_sweeps boolean NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (guild_id, user_id)
  )`,
  `CREATE TABLE privacy_audit (
    id text PRIMARY KEY,
    guild_id text NOT NULL REFERENCES guilds(id) ON DELETE CASCADE,
    action text NOT NULL CHECK (action IN ('data_access', 'data_deletion', 'privacy_toggle')),
    user_id text,
    details text NOT NULL,
    ip_address text,
    created_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE TABLE webhook_deliveries (
    id text PRIMARY KEY,
    guild_id text NOT NULL REFERENCES guilds(id) ON DELETE CASCADE,
    url text NOT NULL,
    secret text NOT NULL,
    event text NOT NULL,
    body text NOT NULL,
    status text NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    last_error text,
    created_at timestamptz NOT NULL DEFAULT now(),
    delivered_at timestamptz
  )`,
  `CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending'`,
  `CREATE INDEX privacy_audit_guild ON privacy_audit (guild_id, created_at DESC, id DESC)`,
];

const downStatements: string[] = [
  'DROP TABLE IF EXISTS webhook_deliveries', 'DROP TABLE IF EXISTS privacy_audit', 'DROP TABLE IF EXISTS member_permissions', 'DROP TABLE IF EXISTS sweep_channels',
  'DROP TABLE IF EXISTS sweeps', 'DROP TABLE IF EXISTS action_items', 'DROP TABLE IF EXISTS monitored_channels', 'DROP TABLE IF EXISTS monitor_configs',
];

export const { up, down } = statements(upStatements, downStatements);
