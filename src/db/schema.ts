/**
 * The database schema as Kysely sees it. Discord snowflakes are `text` everywhere (strings in JSON,
 * no int8 parsing differences between pg and PGlite); timestamps are `timestamptz` returned as Date.
 */
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null, Date | string | null>;
/** A nullable timestamp column added later, with no value needed on insert. */
type OptionalTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
/** jsonb columns: written as JSON text or values, read back parsed. */
type Json<T> = ColumnType<T, string, string>;
/** Nullable jsonb column that may be left out on insert. */
type OptionalJson<T> = ColumnType<T | null, string | null | undefined, string | null>;
/** bigint counters, read back as strings by both drivers (we parse them where needed). */
type BigCount = ColumnType<string, number | string | undefined, number | string>;

export type TicketStatus = 'open' | 'closed';
export type WaitingOn = 'staff' | 'owner';
export type ClaimMode = 'open' | 'read_only' | 'private';
export type TicketMode = 'channel' | 'thread';

export interface FormAnswer { title: string; value: string; type?: number | string | undefined }
export interface FormField { label: string; type?: number | undefined; placeholder?: string | undefined; required?: boolean | undefined; min_length?: number | undefined; max_length?: number | undefined; style?: number | undefined; options?: Array<{ label: string; value: string }> | undefined }
export interface Level { label: string; description?: string | null | undefined; emoji?: string | null | undefined; default?: boolean | undefined; color?: string | null | undefined; _uid?: string | undefined }
export type WeekSchedule = Partial<Record<'mo' | 'tu' | 'we' | 'th' | 'fr' | 'sa' | 'su', Array<[string, string]>>>;
/** A group's own texts in one language: shown to members of that locale instead of the group's defaults. */
export interface GroupTexts { opening_message?: string | null | undefined; form_title?: string | undefined; form_fields?: Array<{ label: string; placeholder?: string | undefined }> | undefined }
export type GroupTranslations = Partial<Record<string, GroupTexts>>;
export interface PermissionOverwrite { id: string; type: 0 | 1; allow: string; deny: string }

export interface GuildsTable {
  id: string;
  name: string;
  icon: string | null;
  owner_id: string | null;
  premium: Generated<boolean>;
  premium_ends_at: NullableTimestamp;
  module_enabled: Generated<boolean>;
  default_group_id: string | null;
  ticket_counter: Generated<number>;
  joined_at: Generated<Date>;
  synced_at: NullableTimestamp;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  /** The guild's preferred locale as Discord reports it (0020); null until a sync saw one. */
  preferred_locale: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface ChannelsTable {
  id: string;
  guild_id: string;
  name: string;
  type: number;
  parent_id: string | null;
  position: Generated<number>;
  topic: string | null;
  permission_overwrites: Json<PermissionOverwrite[]>;
  deleted_at: NullableTimestamp;
}

export interface RolesTable {
  id: string;
  guild_id: string;
  name: string;
  color: Generated<number>;
  position: Generated<number>;
  hoist: Generated<boolean>;
  permissions: Generated<string>;
  deleted_at: NullableTimestamp;
}

export interface EmojisTable {
  id: string;
  guild_id: string;
  name: string;
  animated: Generated<boolean>;
}

export interface UsersTable {
  id: string;
  username: string;
  global_name: string | null;
  discriminator: Generated<string>;
  avatar: string | null;
  bot: Generated<boolean>;
  locale: string | null;
}

export interface TicketBlocksTable {
  guild_id: string;
  target_type: 'user' | 'role';
  target_id: string;
  reason: string | null;
  added_by: string | null;
  created_at: Generated<Date>;
}

export interface MembersTable {
  guild_id: string;
  user_id: string;
  nick: string | null;
  roles: Json<string[]>;
  joined_at: NullableTimestamp;
  left_at: NullableTimestamp;
}

export interface TicketGroupsTable {
  id: string;
  guild_id: string;
  name: string;
  is_default: Generated<boolean>;
  mode: Generated<TicketMode>;
  opened_channel_id: string | null;
  opened_category_id: string | null;
  closed_category_id: string | null;
  locked_category_id: string | null;
  assigned_category_id: string | null;
  transcript_channel_id: string | null;
  form_channel_id: string | null;
  feedback_channel_id: string | null;
  staff_role_ids: Json<string[]>;
  name_template: Generated<string>;
  opening_message: string | null;
  form_title: string | null;
  form_fields: Json<FormField[]>;
  schedule: OptionalJson<WeekSchedule>;
  schedule_timezone: string | null;
  priority_levels: Json<Level[]>;
  rating_levels: Json<Level[]>;
  per_user_limit: number | null;
  private: Generated<boolean>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  deleted_at: NullableTimestamp;
  /** Close the owner's open tickets of this group when they leave the guild (0004). */
  close_on_leave: Generated<boolean>;
  /** Close open tickets after this many hours without a message (0009); null: never. */
  auto_close_hours: Generated<number | null>;
  /** Warn the owner this many hours before the inactivity close; null: no warning. */
  stale_warning_hours: Generated<number | null>;
  /** Seconds a member waits after opening a ticket in the group before opening another (0014); null: no wait. */
  cooldown_seconds: Generated<number | null>;
  /** Roles of which a member needs one to open a ticket in the group (0015); empty: anyone may. */
  required_role_ids: ColumnType<string[], string | undefined, string>;
  /** What other staff keep of a claimed channel ticket (0017): everything, reading, or nothing. */
  claim_mode: Generated<ClaimMode>;
  /** The language of the group's tickets when the owner's is unknown (0020); null: the guild's. */
  locale: ColumnType<string | null, string | null | undefined, string | null>;
  /** The group's own texts per locale (0020). */
  translations: ColumnType<GroupTranslations, string | undefined, string>;
}

export interface PanelsTable {
  id: string;
  guild_id: string;
  name: string;
  channel_id: string | null;
  message_id: string | null;
  title: string | null;
  description: string | null;
  color: string | null;
  image_url: string | null;
  thumbnail_url: string | null;
  footer: string | null;
  component: Generated<'buttons' | 'select'>;
  placeholder: string | null;
  settings: Json<Record<string, unknown>>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface PanelOptionsTable {
  id: string;
  panel_id: string;
  guild_id: string;
  group_id: string | null;
  label: string;
  description: string | null;
  emoji: string | null;
  style: Generated<number>;
  position: Generated<number>;
  settings: Json<Record<string, unknown>>;
  created_at: Generated<Date>;
}

export interface TicketsTable {
  id: string;
  uuid: string;
  guild_id: string;
  group_id: string;
  number: number;
  status: TicketStatus;
  name: string | null;
  topic: string | null;
  owner_id: string;
  assigned_id: string | null;
  channel_id: string | null;
  thread_id: string | null;
  channel_parent_id: string | null;
  notes_thread_id: string | null;
  priority: number | null;
  rating: number | null;
  form: Json<FormAnswer[]>;
  anonymous: Generated<boolean>;
  opening_message: string | null;
  closed_reason: string | null;
  closed_by: string | null;
  summary: string | null;
  discord_status: Generated<string>;
  discord_error: string | null;
  version: Generated<number>;
  created_at: Generated<Date>;
  opened_at: Generated<Date>;
  closed_at: NullableTimestamp;
  deleted_at: NullableTimestamp;
  locked_at: NullableTimestamp;
  expire_at: NullableTimestamp;
  expiry_clearable: Generated<boolean>;
  eternal: Generated<boolean>;
  last_activity: NullableTimestamp;
  first_response_at: NullableTimestamp;
  transcript_saved_at: NullableTimestamp;
  /** The bot's opening message in the ticket (0004): its embed shows status, assignee and priority. */
  opening_message_id: Generated<string | null>;
  /** When the owner was last warned that the ticket closes for inactivity (0009). */
  stale_warned_at: OptionalTimestamp;
  /** A pending close request (0010): when, by whom, why, and when it closes unanswered (null: never). */
  close_requested_at: OptionalTimestamp;
  close_requested_by: Generated<string | null>;
  close_request_reason: Generated<string | null>;
  close_request_deadline: OptionalTimestamp;
  /** The owner's comment with their rating (0011). */
  rating_comment: Generated<string | null>;
  /** Whose turn it is (0016): 'staff' when the owner's request or message is unanswered, 'owner' after staff answered. */
  waiting_on: Generated<WaitingOn>;
  /** Since when it has been that side's turn. */
  waiting_since: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface TicketMembersTable {
  ticket_id: string;
  user_id: string;
  /** 'channel' for ticket members, 'notes' for notes-thread members. */
  scope: 'channel' | 'notes';
  added_by: string | null;
  added_at: CreatedAt;
}

export interface MessagesTable {
  id: string;
  ticket_id: string;
  guild_id: string;
  channel_id: string;
  /** true when the message was written in the ticket's notes thread. */
  in_notes: Generated<boolean>;
  author_id: string;
  author_name: string;
  author_avatar: string | null;
  author_bot: Generated<boolean>;
  content: string;
  embeds: Json<unknown[]>;
  created_at: Timestamp;
  edited_at: NullableTimestamp;
  deleted_at: NullableTimestamp;
}

export interface AttachmentsTable {
  id: string;
  message_id: string;
  ticket_id: string;
  filename: string;
  content_type: string | null;
  size: number;
  url: string;
}

export interface TicketEventsTable {
  id: Generated<string>;
  ticket_id: string;
  guild_id: string;
  kind: string;
  actor_id: string | null;
  as_bot: Generated<boolean>;
  reason: string | null;
  data: Json<Record<string, unknown>>;
  created_at: Generated<Date>;
}

export interface CustomMessagesTable {
  id: string;
  guild_id: string;
  name: string;
  content: string | null;
  embeds: Json<unknown[]>;
  components: Json<unknown[]>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  /** Words or phrases that make it an auto reply in tickets (0019); [] = none. */
  auto_keywords: ColumnType<string[], string | undefined, string>;
}

export interface ApiTokensTable {
  id: string;
  name: string | null;
  token_hash: string;
  user_id: string | null;
  /** null = every guild */
  guild_ids: OptionalJson<string[]>;
  abilities: Json<string[]>;
  created_at: Generated<Date>;
  last_used_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
}

export type JobStatus = 'pending' | 'running' | 'done' | 'dead';

export interface DiscordJobsTable {
  id: Generated<string>;
  guild_id: string;
  ticket_id: string | null;
  kind: string;
  payload: Json<Record<string, unknown>>;
  status: Generated<JobStatus>;
  attempts: Generated<number>;
  run_at: Generated<Date>;
  locked_at: NullableTimestamp;
  locked_by: string | null;
  last_error: string | null;
  result: OptionalJson<Record<string, unknown>>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface GuildStatsTable {
  guild_id: string;
  open_count: BigCount;
  closed_count: BigCount;
  total_count: BigCount;
  resolution_seconds_sum: ColumnType<string, number | string | undefined, number | string>;
  resolution_count: BigCount;
  first_response_seconds_sum: ColumnType<string, number | string | undefined, number | string>;
  first_response_count: BigCount;
  /** Deleted tickets (always closed); maintained by a trigger (migration 0006). */
  deleted_count: BigCount;
  /** Sum and number of the guild's ticket ratings; maintained by a trigger (migration 0012). */
  rating_sum: BigCount;
  rated_count: BigCount;
}

export interface GuildStatCountsTable {
  guild_id: string;
  /** 'group' | 'assignee' | 'priority' */
  dimension: string;
  key: string;
  open_count: BigCount;
  closed_count: BigCount;
  total_count: BigCount;
}

export interface GuildDailyStatsTable {
  guild_id: string;
  day: ColumnType<string, string, string>;
  created_count: BigCount;
  closed_count: BigCount;
}

export interface IdempotencyKeysTable {
  key: string;
  scope: string;
  status_code: number;
  body: Json<unknown>;
  created_at: Generated<Date>;
}

/** A REST client's requests in its current window (src/engine/rate-counters.ts). */
export interface RateCountersTable {
  key: string;
  count: number;
  reset_at: Date;
}

/** A process sharing the bot's Discord global budget; alive while seen_at is fresh. */
/** The next moment a session of this identify bucket may start (src/engine/identify-slots.ts). */
export interface GatewayIdentifySlotsTable {
  bot_key: string;
  bucket: number;
  next_at: Date;
}

export interface DiscordRateSharesTable {
  bot_key: string;
  process_id: string;
  seen_at: Date;
  /** Of the bot's global requests per second, how many this process holds now. */
  slots: ColumnType<number, number | undefined, number>;
  /** How many it could use now (what it has in the air plus what waits). */
  demand: ColumnType<number, number | undefined, number>;
}

/** What the processes know of one Discord route bucket (src/engine/discord-budget.ts). */
export interface DiscordRouteBucketsTable {
  bot_key: string;
  route: string;
  bucket_limit: number;
  remaining: number;
  reset_at: Date;
}

export interface MonitorConfigsTable {
  guild_id: string;
  active: Generated<boolean>;
  privacy_mode_enabled: Generated<boolean>;
  todo_channel_id: string | null;
  sweep_output_channel_id: string | null;
  sweep_interval_hours: Generated<number>;
  last_sweep_time: NullableTimestamp;
  webhook_url: ColumnType<string | null, string | null | undefined, string | null>;
  webhook_secret: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/** A guild's URL for ticket events and chat lines (0018); events [] = all. */
export interface TicketWebhooksTable {
  id: string;
  guild_id: string;
  url: string;
  secret: string;
  events: ColumnType<string[], string | undefined, string>;
  created_by: string | null;
  created_at: Generated<Date>;
}

export interface WebhookDeliveriesTable {
  id: string;
  guild_id: string;
  url: string;
  secret: string;
  event: string;
  body: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  last_error: string | null;
  created_at: Generated<Date>;
  delivered_at: NullableTimestamp;
}

export interface MonitoredChannelsTable {
  guild_id: string;
  channel_id: string;
  last_message_id: string | null;
  created_at: Generated<Date>;
}

export type ActionItemPriority = 'low' | 'medium' | 'high';
export type ActionItemStatus = 'pending' | 'in_progress' | 'completed' | 'archived';

export interface ActionItemsTable {
  id: string;
  guild_id: string;
  channel_id: string;
  summary: string | null;
  text: string;
  priority: ActionItemPriority;
  category: string;
  status: ActionItemStatus;
  assigned_to: string | null;
  source_key: string | null;
  sweep_id: string | null;
  created_by: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface SweepsTable {
  id: string;
  guild_id: string;
  triggered_at: Timestamp;
  triggered_by: string | null;
  channels_processed: Generated<number>;
  messages_processed: Generated<number>;
  action_items_found: Generated<number>;
  status: 'running' | 'completed' | 'failed';
  duration_seconds: number | null;
  error: string | null;
}

export interface SweepChannelsTable {
  sweep_id: string;
  guild_id: string;
  channel_id: string;
  messages_processed: number;
  action_items_found: number;
  swept_at: Timestamp;
}

export interface MemberPermissionsTable {
  guild_id: string;
  user_id: string;
  can_configure_bot: boolean;
  can_manage_action_items: boolean;
  can_view_analytics: boolean;
  can_trigger_sweeps: boolean;
  updated_at: Generated<Date>;
}

export type AuditAction = 'data_access' | 'data_deletion' | 'privacy_toggle';

export interface PrivacyAuditTable {
  id: string;
  guild_id: string;
  action: AuditAction;
  user_id: string | null;
  details: string;
  ip_address: string | null;
  created_at: Generated<Date>;
}

/** A running process that takes part in gateway shard leasing (seen_at renewed on its heartbeat). */
export interface GatewayProcessesTable {
  id: string;
  started_at: Generated<Date>;
  seen_at: Generated<Date>;
}

/** Which process runs a gateway shard, until when; epoch counts acquisitions. */
export interface ShardLeasesTable {
  shard_id: number;
  shard_count: number;
  holder: string | null;
  epoch: BigCount;
  expires_at: Date | null;
  acquired_at: Date | null;
  renewed_at: Date | null;
}

export type BackgroundRunStatus = 'running' | 'done' | 'refused' | 'cancelled' | 'failed';

/** A long operation run in the background (src/engine/background-runs.ts). */
export interface BackgroundRunsTable {
  id: string;
  operation: string;
  /** Whose run it is: the token id, or "operator" for the local operator. */
  owner: string;
  guild_id: string | null;
  status: BackgroundRunStatus;
  status_message: string | null;
  result: OptionalJson<unknown>;
  error_code: string | null;
  error: string | null;
  error_details: OptionalJson<Record<string, unknown>>;
  holder: string | null;
  heartbeat_at: Generated<Date>;
  cancel_requested: Generated<boolean>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  finished_at: OptionalTimestamp;
  expires_at: OptionalTimestamp;
}

export interface DB {
  guilds: GuildsTable;
  channels: ChannelsTable;
  roles: RolesTable;
  emojis: EmojisTable;
  users: UsersTable;
  members: MembersTable;
  ticket_groups: TicketGroupsTable;
  panels: PanelsTable;
  panel_options: PanelOptionsTable;
  tickets: TicketsTable;
  ticket_members: TicketMembersTable;
  messages: MessagesTable;
  attachments: AttachmentsTable;
  ticket_events: TicketEventsTable;
  custom_messages: CustomMessagesTable;
  api_tokens: ApiTokensTable;
  discord_jobs: DiscordJobsTable;
  guild_stats: GuildStatsTable;
  guild_stat_counts: GuildStatCountsTable;
  guild_daily_stats: GuildDailyStatsTable;
  idempotency_keys: IdempotencyKeysTable;
  rate_counters: RateCountersTable;
  discord_rate_shares: DiscordRateSharesTable;
  gateway_identify_slots: GatewayIdentifySlotsTable;
  discord_route_buckets: DiscordRouteBucketsTable;
  monitor_configs: MonitorConfigsTable;
  monitored_channels: MonitoredChannelsTable;
  action_items: ActionItemsTable;
  sweeps: SweepsTable;
  sweep_channels: SweepChannelsTable;
  member_permissions: MemberPermissionsTable;
  privacy_audit: PrivacyAuditTable;
  webhook_deliveries: WebhookDeliveriesTable;
  ticket_webhooks: TicketWebhooksTable;
  ticket_blocks: TicketBlocksTable;
  gateway_processes: GatewayProcessesTable;
  shard_leases: ShardLeasesTable;
  background_runs: BackgroundRunsTable;
}

export type TicketRow = Selectable<TicketsTable>;
export type NewTicket = Insertable<TicketsTable>;
export type TicketUpdate = Updateable<TicketsTable>;
export type GroupRow = Selectable<TicketGroupsTable>;
export type GuildRow = Selectable<GuildsTable>;
export type PanelRow = Selectable<PanelsTable>;
export type PanelOptionRow = Selectable<PanelOptionsTable>;
export type CustomMessageRow = Selectable<CustomMessagesTable>;
export type TokenRow = Selectable<ApiTokensTable>;
export type JobRow = Selectable<DiscordJobsTable>;
export type MessageRow = Selectable<MessagesTable>;
export type EventRow = Selectable<TicketEventsTable>;
export type ActionItemRow = Selectable<ActionItemsTable>;
export type MonitorConfigRow = Selectable<MonitorConfigsTable>;
export type SweepRow = Selectable<SweepsTable>;
