/** The initial schema: every table of src/db/schema.ts, its indexes, and the stats triggers. */
import { sql, type Kysely } from 'kysely';

// One statement per entry: PGlite's extended protocol takes a single statement per query.
const statements: string[] = [
  `CREATE TABLE guilds (
    id text PRIMARY KEY,
    name text NOT NULL,
    icon text,
    owner_id text,
    premium boolean NOT NULL DEFAULT true,
    premium_ends_at timestamptz,
    module_enabled boolean NOT NULL DEFAULT true,
    default_group_id text,
    ticket_counter integer NOT NULL DEFAULT 0,
    joined_at timestamptz NOT NULL DEFAULT now(),
    synced_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE TABLE channels (
    id text PRIMARY KEY,
    guild_id text NOT NULL REFERENCES guilds(id) ON DELETE CASCADE,
    name text NOT NULL,
    type integer NOT NULL,
    parent_id text,
    position integer NOT NULL DEFAULT 0,
    topic text,
    permission_overwrites jsonb NOT NULL DEFAULT '[]',
    deleted_at timestamptz
  )`,
  `CREATE INDEX channels_guild ON channels (guild_id)`,
  `CREATE TABLE roles (
    id text PRIMARY KEY,
    guild_id text NOT NULL REFERENCES guilds(id) ON DELETE CASCADE,
    name text NOT NULL,
    color integer NOT NULL DEFAULT 0,
    position integer NOT NULL DEFAULT 0,
    hoist boolean NOT NULL DEFAULT false,
    permissions text NOT NULL DEFAULT '0',
    deleted_at timestamptz
  )`,
  `CREATE INDEX roles_guild ON roles (guild_id)`,
  `CREATE TABLE emojis (
    id text PRIMARY KEY,
    guild_id text NOT NULL REFERENCES guilds(id) ON DELETE CASCADE,
    name text NOT NULL,
    animated boolean NOT NULL DEFAULT false
  )`,
  `CREATE TABLE users (
    id text PRIMARY KEY,
    username text NOT NULL,
    global_name text,
    discriminator text NOT NULL DEFAULT '0',
    avatar text,
    bot boolean NOT NULL DEFAULT false,
    locale text
  )`,
  `CREATE TABLE members (
    guild_id text NOT NULL REFERENCES guilds(id) ON DELETE CASCADE,
    user_id text NOT NULL,
    nick text,
    roles jsonb NOT NULL DEFAULT '[]',
    joined_at timestamptz,
    left_at timestamptz,
    PRIMARY KEY (guild_id, user_id)
  )`,
  `CREATE TABLE ticket_groups (
    id text PRIMARY KEY,
    guild_id text NOT NULL REFERENCES guilds(id) ON DELETE CASCADE,
    name text NOT NULL,
    is_default boolean NOT NULL DEFAULT false,
    mode text NOT NULL DEFAULT 'channel' CHECK (mode IN ('channel', 'thread')),
    opened_channel_id text,
    opened_category_id text,
    closed_category_id text,
    locked_category_id text,
    assigned_category_id text,
    transcript_channel_id text,
    form_channel_id text,
    feedback_channel_id text,
    staff_role_ids jsonb NOT NULL DEFAULT '[]',
    name_template text NOT NULL DEFAULT 'ticket-{number}',
    opening_message text,
    form_title text,
    form_fields jsonb NOT NULL DEFAULT '[]',
    schedule jsonb,
    schedule_timezone text,
    priority_levels jsonb NOT NULL DEFAULT '[]',
    rating_levels jsonb NOT NULL DEFAULT '[]',
    per_user_limit integer,
    private boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz
  )`,
  `CREATE INDEX ticket_groups_guild ON ticket_groups (guild_id)`,
  `CREATE UNIQUE INDEX ticket_groups_one_default ON ticket_groups (guild_id) WHERE is_default AND deleted_at IS NULL`,
  `CREATE TABLE panels (
    id text PRIMARY KEY,
    guild_id text NOT NULL REFERENCES guilds(id) ON DELETE CASCADE,
    name text NOT NULL,
    channel_id text,
    message_id text,
    title text,
    description text,
    color text,
    image_url text,
    thumbnail_url text,
    footer text,
    component text NOT NULL DEFAULT 'buttons' CHECK (component IN ('buttons', 'select')),
    placeholder text,
    settings jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX panels_guild ON panels (guild_id)`,
  `CREATE TABLE panel_options (
    id text PRIMARY KEY,
    panel_id text NOT NULL REFERENCES panels(id) ON DELETE CASCADE,
    guild_id text NOT NULL,
    group_id text REFERENCES ticket_groups(id) ON DELETE SET NULL,
    label text NOT NULL,
    description text,
    emoji text,
    style integer NOT NULL DEFAULT 1,
    position integer NOT NULL DEFAULT 0,
    settings jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX panel_options_panel ON panel_options (panel_id, position)`,
  `CREATE TABLE tickets (
    id text PRIMARY KEY,
    uuid text NOT NULL,
    guild_id text NOT NULL REFERENCES guilds(id) ON DELETE CASCADE,
    group_id text NOT NULL REFERENCES ticket_groups(id),
    number integer NOT NULL,
    status text NOT NULL CHECK (status IN ('open', 'closed')),
    name text,
    topic text,
    owner_id text NOT NULL,
    assigned_id text,
    channel_id text,
    thread_id text,
    channel_parent_id text,
    notes_thread_id text,
    priority integer,
    rating integer,
    form jsonb NOT NULL DEFAULT '[]',
    anonymous boolean NOT NULL DEFAULT false,
    opening_message text,
    closed_reason text,
    closed_by text,
    summary text,
    discord_status text NOT NULL DEFAULT 'pending',
    discord_error text,
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    opened_at timestamptz NOT NULL DEFAULT now(),
    closed_at timestamptz,
    deleted_at timestamptz,
    locked_at timestamptz,
    expire_at timestamptz,
    expiry_clearable boolean NOT NULL DEFAULT false,
    eternal boolean NOT NULL DEFAULT false,
    last_activity timestamptz,
    first_response_at timestamptz,
    transcript_saved_at timestamptz,
    UNIQUE (guild_id, number)
  )`,
  `CREATE INDEX tickets_guild_status_number ON tickets (guild_id, status, number DESC)`,
  `CREATE INDEX tickets_guild_owner ON tickets (guild_id, owner_id)`,
  `CREATE INDEX tickets_guild_assigned ON tickets (guild_id, assigned_id) WHERE assigned_id IS NOT NULL`,
  `CREATE UNIQUE INDEX tickets_channel ON tickets (channel_id) WHERE channel_id IS NOT NULL`,
  `CREATE UNIQUE INDEX tickets_thread ON tickets (thread_id) WHERE thread_id IS NOT NULL`,
  `CREATE INDEX tickets_notes_thread ON tickets (notes_thread_id) WHERE notes_thread_id IS NOT NULL`,
  `CREATE INDEX tickets_expiry ON tickets (expire_at) WHERE status = 'open' AND expire_at IS NOT NULL AND NOT eternal`,
  `CREATE TABLE ticket_members (
    ticket_id text NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    user_id text NOT NULL,
    scope text NOT NULL CHECK (scope IN ('channel', 'notes')),
    added_by text,
    added_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (ticket_id, scope, user_id)
  )`,
  `CREATE TABLE messages (
    id text PRIMARY KEY,
    ticket_id text NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    guild_id text NOT NULL,
    channel_id text NOT NULL,
    in_notes boolean NOT NULL DEFAULT false,
    author_id text NOT NULL,
    author_name text NOT NULL,
    author_avatar text,
    author_bot boolean NOT NULL DEFAULT false,
    content text NOT NULL DEFAULT '',
    embeds jsonb NOT NULL DEFAULT '[]',
    created_at timestamptz NOT NULL,
    edited_at timestamptz,
    deleted_at timestamptz
  )`,
  `CREATE INDEX messages_ticket_time ON messages (ticket_id, created_at, id)`,
  `CREATE TABLE attachments (
    id text PRIMARY KEY,
    message_id text NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    ticket_id text NOT NULL,
    filename text NOT NULL,
    content_type text,
    size integer NOT NULL DEFAULT 0,
    url text NOT NULL
  )`,
  `CREATE INDEX attachments_ticket ON attachments (ticket_id)`,
  `CREATE TABLE ticket_events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket_id text NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    guild_id text NOT NULL,
    kind text NOT NULL,
    actor_id text,
    as_bot boolean NOT NULL DEFAULT false,
    reason text,
    data jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id, id)`,
  `CREATE TABLE custom_messages (
    id text PRIMARY KEY,
    guild_id text NOT NULL REFERENCES guilds(id) ON DELETE CASCADE,
    name text NOT NULL,
    content text,
    embeds jsonb NOT NULL DEFAULT '[]',
    components jsonb NOT NULL DEFAULT '[]',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX custom_messages_guild ON custom_messages (guild_id)`,
  `CREATE TABLE api_tokens (
    id text PRIMARY KEY,
    name text,
    token_hash text NOT NULL UNIQUE,
    user_id text,
    guild_ids jsonb,
    abilities jsonb NOT NULL DEFAULT '[]',
    created_at timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at timestamptz
  )`,
  `CREATE TABLE discord_jobs (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    guild_id text NOT NULL,
    ticket_id text,
    kind text NOT NULL,
    payload jsonb NOT NULL DEFAULT '{}',
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'dead')),
    attempts integer NOT NULL DEFAULT 0,
    run_at timestamptz NOT NULL DEFAULT now(),
    locked_at timestamptz,
    locked_by text,
    last_error text,
    result jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE INDEX discord_jobs_due ON discord_jobs (run_at, id) WHERE status IN ('pending', 'running')`,
  `CREATE INDEX discord_jobs_ticket ON discord_jobs (ticket_id, id) WHERE ticket_id IS NOT NULL`,
  `CREATE TABLE idempotency_keys (
    key text NOT NULL,
    scope text NOT NULL,
    status_code integer NOT NULL,
    body jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, key)
  )`,
  // Stats are maintained by triggers on tickets, so every code path that changes a ticket keeps them
  // right and reading them is a primary-key lookup, whatever the number of tickets.
  `CREATE TABLE guild_stats (
    guild_id text PRIMARY KEY REFERENCES guilds(id) ON DELETE CASCADE,
    open_count bigint NOT NULL DEFAULT 0,
    closed_count bigint NOT NULL DEFAULT 0,
    total_count bigint NOT NULL DEFAULT 0,
    resolution_seconds_sum double precision NOT NULL DEFAULT 0,
    resolution_count bigint NOT NULL DEFAULT 0,
    first_response_seconds_sum double precision NOT NULL DEFAULT 0,
    first_response_count bigint NOT NULL DEFAULT 0
  )`,
  `CREATE TABLE guild_stat_counts (
    guild_id text NOT NULL REFERENCES guilds(id) ON DELETE CASCADE,
    dimension text NOT NULL,
    key text NOT NULL,
    open_count bigint NOT NULL DEFAULT 0,
    closed_count bigint NOT NULL DEFAULT 0,
    total_count bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (guild_id, dimension, key)
  )`,
  `CREATE TABLE guild_daily_stats (
    guild_id text NOT NULL REFERENCES guilds(id) ON DELETE CASCADE,
    day date NOT NULL,
    created_count bigint NOT NULL DEFAULT 0,
    closed_count bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (guild_id, day)
  )`,
  `CREATE FUNCTION tb_bump_dim(g text, dim text, k text, o bigint, c bigint, t bigint) RETURNS void AS $$
  BEGIN
    IF k IS NULL THEN RETURN; END IF;
    INSERT INTO guild_stat_counts AS s (guild_id, dimension, key, open_count, closed_count, total_count)
    VALUES (g, dim, k, o, c, t)
    ON CONFLICT (guild_id, dimension, key) DO UPDATE
      SET open_count = s.open_count + o, closed_count = s.closed_count + c, total_count = s.total_count + t;
  END $$ LANGUAGE plpgsql`,
  `CREATE FUNCTION tb_ticket_contrib(r tickets, sign integer) RETURNS void AS $$
  DECLARE
    o bigint := CASE WHEN r.status = 'open' THEN sign ELSE 0 END;
    c bigint := CASE WHEN r.status = 'closed' THEN sign ELSE 0 END;
  BEGIN
    INSERT INTO guild_stats AS s (guild_id, open_count, closed_count, total_count)
    VALUES (r.guild_id, o, c, sign)
    ON CONFLICT (guild_id) DO UPDATE
      SET open_count = s.open_count + o, closed_count = s.closed_count + c, total_count = s.total_count + sign;
    PERFORM tb_bump_dim(r.guild_id, 'group', r.group_id, o, c, sign);
    PERFORM tb_bump_dim(r.guild_id, 'priority', coalesce(r.priority::text, 'none'), o, c, sign);
    PERFORM tb_bump_dim(r.guild_id, 'assignee', r.assigned_id, o, c, sign);
  END $$ LANGUAGE plpgsql`,
  `CREATE FUNCTION tb_tickets_stats() RETURNS trigger AS $$
  BEGIN
    IF TG_OP = 'INSERT' THEN
      PERFORM tb_ticket_contrib(NEW, 1);
      INSERT INTO guild_daily_stats AS d (guild_id, day, created_count)
      VALUES (NEW.guild_id, (NEW.created_at AT TIME ZONE 'UTC')::date, 1)
      ON CONFLICT (guild_id, day) DO UPDATE SET created_count = d.created_count + 1;
      RETURN NEW;
    ELSIF TG_OP = 'DELETE' THEN
      PERFORM tb_ticket_contrib(OLD, -1);
      RETURN OLD;
    END IF;
    IF NEW.status IS DISTINCT FROM OLD.status OR NEW.group_id IS DISTINCT FROM OLD.group_id
       OR NEW.priority IS DISTINCT FROM OLD.priority OR NEW.assigned_id IS DISTINCT FROM OLD.assigned_id THEN
      PERFORM tb_ticket_contrib(OLD, -1);
      PERFORM tb_ticket_contrib(NEW, 1);
    END IF;
    IF OLD.status = 'open' AND NEW.status = 'closed' AND NEW.closed_at IS NOT NULL THEN
      UPDATE guild_stats SET resolution_seconds_sum = resolution_seconds_sum
          + greatest(0, extract(epoch FROM NEW.closed_at - NEW.opened_at)),
        resolution_count = resolution_count + 1
      WHERE guild_id = NEW.guild_id;
      INSERT INTO guild_daily_stats AS d (guild_id, day, closed_count)
      VALUES (NEW.guild_id, (NEW.closed_at AT TIME ZONE 'UTC')::date, 1)
      ON CONFLICT (guild_id, day) DO UPDATE SET closed_count = d.closed_count + 1;
    END IF;
    IF OLD.first_response_at IS NULL AND NEW.first_response_at IS NOT NULL THEN
      UPDATE guild_stats SET first_response_seconds_sum = first_response_seconds_sum
          + greatest(0, extract(epoch FROM NEW.first_response_at - NEW.created_at)),
        first_response_count = first_response_count + 1
      WHERE guild_id = NEW.guild_id;
    END IF;
    RETURN NEW;
  END $$ LANGUAGE plpgsql`,
  `CREATE TRIGGER tickets_stats AFTER INSERT OR UPDATE OR DELETE ON tickets
    FOR EACH ROW EXECUTE FUNCTION tb_tickets_stats()`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['guild_daily_stats', 'guild_stat_counts', 'guild_stats', 'idempotency_keys', 'discord_jobs',
    'api_tokens', 'custom_messages', 'ticket_events', 'attachments', 'messages', 'ticket_members', 'tickets',
    'panel_options', 'panels', 'ticket_groups', 'members', 'users', 'emojis', 'roles', 'channels', 'guilds']) {
    await sql.raw(`DROP TABLE IF EXISTS ${table} CASCADE`).execute(db);
  }
  for (const fn of ['tb_tickets_stats()', 'tb_ticket_contrib(tickets, integer)', 'tb_bump_dim(text, text, text, bigint, bigint, bigint)']) {
    await sql.raw(`DROP FUNCTION IF EXISTS ${fn}`).execute(db);
  }
}
