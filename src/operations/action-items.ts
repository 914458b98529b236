/**
 * Action items (the NoteTicketing side): a guild's monitoring config and monitored channels, the
 * action items found in them or added by hand, sweeps, analytics, member permissions, the privacy
 * audit and export. All in the action_items toolset.
 */
import { PermissionsBitField } from 'discord.js';
import { z } from 'zod';
import { destructive, idempotentWrite, read, write } from './annotations.js';
import { defineOperation } from './define.js';
import { GuildId, Snowflake, Timestamp, UserId } from './schemas.js';
import { PERIODS } from '../engine/action-items/analytics.js';
import { PERMISSION_KEYS } from '../engine/action-items/access.js';

const Int = z.number().int();
const Priority = z.enum(['low', 'medium', 'high']);
const Status = z.enum(['pending', 'in_progress', 'completed', 'archived']);
const Category = z.string().trim().min(1).max(50).regex(/^[\w -]+$/, 'letters, digits, spaces, _ and - only').describe('A short label such as meeting, bug, project or general');
/** Assignees are Discord users; the NoteTicketing document's own examples use short names, which are kept as given. */
const Assignee = z.string().trim().min(1).max(64).regex(/^[\w.-]+$/, 'a Discord user ID or a short name (letters, digits, _ . -)');
const ItemId = Snowflake.describe('The action item ID');
const Period = z.enum(PERIODS).default('30d').describe('How far back: 1d, 7d, 30d or 90d (default 30d)');
const Limit = (max: number, dflt: number) => Int.min(1).max(max).optional().describe(`How many (default ${dflt}, at most ${max})`);
const Offset = Int.min(0).max(1_000_000).optional().describe('How many to skip (default 0)');

const ActionItem = z.object({
  id: Snowflake, guild_id: Snowflake, channel_id: Snowflake, channel_name: z.string().nullable(), summary: z.string().nullable(), text: z.string(),
  priority: Priority, category: z.string(), status: Status, assigned_to: z.string().nullable(), created_at: Timestamp, updated_at: Timestamp,
});
const MonitorConfig = z.object({
  guild_id: Snowflake, active: z.boolean().describe('Whether monitored channels are swept'), privacy_mode_enabled: z.boolean().describe('When on, reads of action items are audited and sweeps keep no author or message excerpt'),
  channels_to_monitor: z.array(Snowflake), todo_channel_id: Snowflake.nullable(), sweep_output_channel_id: Snowflake.nullable(),
  sweep_interval_hours: Int, last_sweep_time: Timestamp.nullable(),
  webhook_url: z.string().nullable().describe('Where action_item.created events are POSTed'), webhook_secret_set: z.boolean().describe('Whether a signing secret is stored (it is never shown)'),
  created_at: Timestamp, updated_at: Timestamp,
});
const Sweep = z.object({
  id: Snowflake, guild_id: Snowflake, triggered_at: Timestamp, channels_processed: Int, messages_processed: Int, action_items_found: Int,
  status: z.enum(['running', 'completed', 'failed']), duration_seconds: z.number().nullable(),
});
const PermissionsShape = z.object(Object.fromEntries(PERMISSION_KEYS.map((k) => [k, z.boolean()])) as Record<(typeof PERMISSION_KEYS)[number], z.ZodBoolean>);
const MemberPermissions = z.object({
  user_id: z.string(), guild_id: Snowflake, permissions: PermissionsShape, roles: z.array(z.string()).describe("The member's role names, highest first"),
  stored: z.boolean().describe('false: nothing stored, so the member keeps what their token allows (shown as all true)'),
});
const guildOnly = z.object({ guild_id: GuildId }).strict();
const itemRef = z.object({ guild_id: GuildId, item_id: ItemId }).strict();
const origin = (ip: string | undefined) => ({ ip });

export const listMonitorGuilds = defineOperation({
  name: 'list_monitor_guilds', title: 'List guilds with monitoring state', toolset: 'action_items', ability: 'guild:read', annotations: read, guildScoped: false,
  description: "The guilds this caller may work with, each with its member count, the bot's guild permissions and whether action-item monitoring is on.",
  input: z.object({}).strict(),
  output: z.object({
    guilds: z.array(z.object({
      id: Snowflake, name: z.string(), icon: z.string().nullable().describe('Icon URL'), member_count: Int,
      bot_permissions: z.array(z.string()).describe('Permission names, e.g. SendMessages'), active: z.boolean(), created_at: Timestamp.describe('When the bot joined'),
    })),
    total: Int,
  }),
  run: async (ctx) => {
    const guilds = await ctx.engine.actionItems.guilds.summaries(ctx.actor);
    return {
      guilds: guilds.map(({ bot_permission_bits, ...g }) => ({ ...g, bot_permissions: new PermissionsBitField(BigInt(bot_permission_bits)).toArray() })),
      total: guilds.length,
    };
  },
});

export const getMonitorConfig = defineOperation({
  name: 'get_monitor_config', title: "Get a guild's monitoring config", toolset: 'action_items', ability: 'guild:read', annotations: read,
  description: 'Whether monitoring is on, privacy mode, the monitored channels, the to-do and sweep output channels, the sweep interval and the last sweep. An unconfigured guild shows the defaults.',
  input: guildOnly, output: MonitorConfig,
  run: (ctx, input) => ctx.engine.actionItems.config.get(input.guild_id),
});

export const updateMonitorConfig = defineOperation({
  name: 'update_monitor_config', title: "Change a guild's monitoring config", toolset: 'action_items', ability: 'guild:admin', annotations: idempotentWrite,
  description: 'Change only the fields given. channels_to_monitor replaces the monitored list (channels that stay keep their sweep position); null clears todo_channel_id or sweep_output_channel_id. Turning privacy mode on or off is written to the privacy audit. A webhook_url needs a webhook_secret (kept, never shown).',
  input: z.object({
    guild_id: GuildId,
    active: z.boolean().optional().describe('Sweep the monitored channels (manually and every interval)'),
    privacy_mode_enabled: z.boolean().optional().describe('Audit every read of action items and keep no author or message excerpt in swept items'),
    channels_to_monitor: z.array(Snowflake).max(100).optional().describe('The full list of channels to monitor'),
    todo_channel_id: Snowflake.nullable().optional().describe('The channel where the team keeps its to-do list'),
    sweep_output_channel_id: Snowflake.nullable().optional().describe('Where each sweep posts the items it found'),
    sweep_interval_hours: Int.min(1).max(168).optional().describe('Hours between automatic sweeps, 1–168'),
    webhook_url: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).max(2000).nullable().optional()
      .describe('POST an action_item.created event here for every new item, signed in X-Webhook-Signature; null removes the webhook'),
    webhook_secret: z.string().min(16, 'must be at least 16 characters').max(200).optional().describe('The HMAC-SHA256 key for X-Webhook-Signature (write-only)'),
  }).strict(),
  output: MonitorConfig,
  run: (ctx, input) => ctx.engine.actionItems.config.update(ctx.actor, input, origin(ctx.clientIp)),
});

export const monitorChannel = defineOperation({
  name: 'monitor_channel', title: 'Monitor a channel', toolset: 'action_items', ability: 'guild:admin', annotations: idempotentWrite,
  description: 'Add a text channel to the monitored channels: sweeps read its new messages for action items. Fails with a conflict if it is already monitored.',
  input: z.object({ guild_id: GuildId, channel_id: Snowflake.describe('A text channel of the guild') }).strict(),
  output: MonitorConfig,
  run: (ctx, input) => ctx.engine.actionItems.config.monitor(ctx.actor, input),
});

export const unmonitorChannel = defineOperation({
  name: 'unmonitor_channel', title: 'Stop monitoring a channel', toolset: 'action_items', ability: 'guild:admin', annotations: destructive,
  description: 'Remove a channel from the monitored channels; its action items stay. Monitoring it again later starts from its newest messages.',
  input: z.object({ guild_id: GuildId, channel_id: Snowflake }).strict(),
  output: MonitorConfig,
  run: (ctx, input) => ctx.engine.actionItems.config.unmonitor(ctx.actor, input),
});

export const listMonitoredChannels = defineOperation({
  name: 'list_monitor_channels', title: 'List channels with monitoring flags', toolset: 'action_items', ability: 'guild:read', annotations: read,
  description: "The guild's text, announcement and forum channels (as synced), each marked monitored or not and whether it is the sweep output channel.",
  input: guildOnly,
  output: z.object({
    guild_id: Snowflake,
    channels: z.array(z.object({ id: Snowflake, name: z.string(), type: z.enum(['text', 'announcement', 'forum']), position: Int, monitored: z.boolean(), output_channel: z.boolean() })),
  }),
  run: (ctx, input) => ctx.engine.actionItems.config.channels(input.guild_id),
});

export const listActionItems = defineOperation({
  name: 'list_action_items', title: 'List action items', toolset: 'action_items', ability: 'action_items:read', annotations: read,
  description: "A page of a guild's action items, filtered by status, priority, source channel or assignee, sorted by created_at (default), updated_at or priority, newest first unless order is asc.",
  input: z.object({
    guild_id: GuildId, status: Status.optional().describe('Only items with this status'), priority: Priority.optional().describe('Only items with this priority'),
    channel_id: Snowflake.optional().describe('Only items from this channel'), assigned_to: Assignee.optional().describe('Only items assigned to this user'),
    sort: z.enum(['created_at', 'priority', 'updated_at']).optional().describe('Sort key (default created_at)'), order: z.enum(['asc', 'desc']).optional().describe('Sort direction (default desc)'),
    limit: Limit(100, 50), offset: Offset,
  }).strict(),
  output: z.object({ action_items: z.array(ActionItem), total: Int, limit: Int, offset: Int }),
  run: (ctx, input) => ctx.engine.actionItems.items.list(ctx.actor, input, origin(ctx.clientIp)),
});

export const getActionItem = defineOperation({
  name: 'get_action_item', title: 'Get an action item', toolset: 'action_items', ability: 'action_items:read', annotations: read,
  description: 'One action item: its text, summary, priority, category, status, assignee and source channel.',
  input: itemRef, output: ActionItem,
  run: (ctx, input) => ctx.engine.actionItems.items.get(ctx.actor, input, origin(ctx.clientIp)),
});

export const createActionItem = defineOperation({
  name: 'create_action_item', title: 'Create an action item', toolset: 'action_items', ability: 'action_items:write', annotations: write,
  description: 'Record an action item by hand (sweeps find them in monitored channels). Priority defaults to medium, category to general, status to pending.',
  input: z.object({
    guild_id: GuildId, channel_id: Snowflake.describe('The channel it belongs to'), text: z.string().trim().min(1).max(2000).describe('What is to be done'),
    summary: z.string().trim().max(200).nullable().optional().describe('A short title'), priority: Priority.optional().describe('low, medium (default) or high'), category: Category.optional(),
    status: Status.optional().describe('pending (default), in_progress, completed or archived'), assigned_to: Assignee.nullable().optional().describe('Who is to do it: a Discord user ID'),
  }).strict(),
  output: ActionItem,
  run: (ctx, input) => ctx.engine.actionItems.items.create(ctx.actor, input),
});

export const updateActionItem = defineOperation({
  name: 'update_action_item', title: 'Change an action item', toolset: 'action_items', ability: 'action_items:write', annotations: idempotentWrite,
  description: 'Change only the fields given (at least one); assigned_to or summary null clears them.',
  input: z.object({
    guild_id: GuildId, item_id: ItemId, text: z.string().trim().min(1).max(2000).optional().describe('What is to be done'),
    summary: z.string().trim().max(200).nullable().optional().describe('A short title; null clears it'), priority: Priority.optional().describe('low, medium or high'),
    category: Category.optional(), status: Status.optional().describe('pending, in_progress, completed or archived'),
    assigned_to: Assignee.nullable().optional().describe('A Discord user ID; null unassigns'),
  }).strict(),
  output: ActionItem,
  run: (ctx, input) => ctx.engine.actionItems.items.update(ctx.actor, input),
});

export const setActionItemStatus = defineOperation({
  name: 'set_action_item_status', title: "Set an action item's status", toolset: 'action_items', ability: 'action_items:write', annotations: idempotentWrite,
  description: 'Mark an action item pending, in_progress, completed or archived.',
  input: z.object({ guild_id: GuildId, item_id: ItemId, status: Status.describe('pending, in_progress, completed or archived') }).strict(),
  output: ActionItem,
  run: (ctx, input) => ctx.engine.actionItems.items.update(ctx.actor, input),
});

export const deleteActionItem = defineOperation({
  name: 'delete_action_item', title: 'Delete an action item', toolset: 'action_items', ability: 'action_items:write', annotations: destructive,
  description: 'Delete an action item for good (archive it with set_action_item_status to keep it). Written to the privacy audit. A sweep does not find the same message line again.',
  input: itemRef,
  output: z.object({ deleted: z.literal(true), id: Snowflake }),
  run: (ctx, input) => ctx.engine.actionItems.items.remove(ctx.actor, input, origin(ctx.clientIp)),
});

export const getSweepStatus = defineOperation({
  name: 'get_sweep_status', title: 'Get the sweep status', toolset: 'action_items', ability: 'action_items:read', annotations: read,
  description: 'Whether sweeps run, their interval, the last and next sweep time, the output channel, how many channels are monitored and how many action items exist.',
  input: guildOnly,
  output: z.object({
    guild_id: Snowflake, active: z.boolean(), interval_hours: Int, last_sweep_time: Timestamp.nullable(),
    next_sweep_time: Timestamp.nullable().describe('null when monitoring is off or no channel is monitored'),
    output_channel_id: Snowflake.nullable(), monitored_channels: Int, total_action_items: Int,
  }),
  run: (ctx, input) => ctx.engine.actionItems.sweeps.status(input.guild_id),
});

export const triggerSweep = defineOperation({
  name: 'trigger_sweep', title: 'Sweep monitored channels now', toolset: 'action_items', ability: 'action_items:write',
  annotations: { ...write, openWorldHint: true },
  description: "Read the monitored channels' new messages from Discord and record the action items in them (checkbox and TODO lines, requests, commitments); the sweep output channel gets a summary. Without force it refuses while monitoring is off or before the interval has passed. Reports progress; stops, recording nothing, when cancelled.",
  input: z.object({
    guild_id: GuildId, channel_ids: z.array(Snowflake).min(1).max(100).optional().describe('Only these monitored channels (default: all)'),
    force: z.boolean().optional().describe('Sweep even if monitoring is off or the interval has not passed'),
  }).strict(),
  output: Sweep,
  run: (ctx, input) => ctx.engine.actionItems.sweeps.trigger(ctx.actor, input, { signal: ctx.signal, progress: (d, t, m) => ctx.progress(d, t, m) }),
});

export const listSweeps = defineOperation({
  name: 'list_sweeps', title: 'List past sweeps', toolset: 'action_items', ability: 'action_items:read', annotations: read,
  description: "A page of the guild's sweeps, newest first: when, how many channels and messages were read, how many action items were found, the outcome and duration.",
  input: z.object({ guild_id: GuildId, limit: Limit(100, 20), offset: Offset }).strict(),
  output: z.object({ sweeps: z.array(Sweep), total: Int, limit: Int, offset: Int }),
  run: (ctx, input) => ctx.engine.actionItems.sweeps.history(input),
});

export const getActivityAnalytics = defineOperation({
  name: 'get_activity_analytics', title: 'Get monitoring analytics', toolset: 'action_items', ability: 'action_items:read', annotations: read,
  description: 'Over a period: messages swept, action items recorded, sweeps run and channels monitored, per-day trends (UTC, oldest first) and the channels with the most items.',
  input: z.object({ guild_id: GuildId, period: Period }).strict(),
  output: z.object({
    guild_id: Snowflake, period: z.enum(PERIODS),
    summary: z.object({ total_messages_processed: Int, total_action_items: Int, sweeps_executed: Int, channels_monitored: Int }),
    trends: z.object({ days: z.array(z.string()).describe('YYYY-MM-DD, oldest first'), action_items_per_day: z.array(Int), messages_processed_per_day: z.array(Int) }),
    top_channels: z.array(z.object({ channel_id: Snowflake, channel_name: z.string().nullable(), action_items: Int, messages_processed: Int })),
  }),
  run: (ctx, input) => ctx.engine.actionItems.analytics.activity(ctx.actor, input),
});

export const getActionItemAnalytics = defineOperation({
  name: 'get_action_item_analytics', title: 'Get action item analytics', toolset: 'action_items', ability: 'action_items:read', annotations: read,
  description: 'The action items recorded in a period, counted by priority, category and status, with the share completed.',
  input: z.object({ guild_id: GuildId, period: Period }).strict(),
  output: z.object({
    guild_id: Snowflake, period: z.enum(PERIODS),
    by_priority: z.object({ high: Int, medium: Int, low: Int }), by_category: z.record(z.string(), Int),
    by_status: z.object({ pending: Int, in_progress: Int, completed: Int, archived: Int }),
    completion_rate: z.number().min(0).max(1).describe('completed / all, two decimals'),
  }),
  run: (ctx, input) => ctx.engine.actionItems.analytics.actionItems(ctx.actor, input),
});

export const getMemberPermissions = defineOperation({
  name: 'get_member_permissions', title: "Get a member's action-item permissions", toolset: 'action_items', ability: 'guild:read', annotations: read,
  description: 'What a member may do with action items here (configure the bot, manage items, view analytics, trigger sweeps) and their role names.',
  input: z.object({ guild_id: GuildId, user_id: UserId }).strict(),
  output: MemberPermissions,
  run: (ctx, input) => ctx.engine.actionItems.admin.getPermissions(input),
});

export const setMemberPermissions = defineOperation({
  name: 'set_member_permissions', title: "Set a member's action-item permissions", toolset: 'action_items', ability: 'guild:admin', annotations: idempotentWrite,
  description: "Store what a member's own API tokens may do with action items here; flags left out keep their value. Admin tokens are never narrowed.",
  input: z.object({ guild_id: GuildId, user_id: UserId, permissions: PermissionsShape.partial().strict().describe('The flags to set; flags left out keep their value') }).strict(),
  output: MemberPermissions,
  run: (ctx, input) => ctx.engine.actionItems.admin.setPermissions(ctx.actor, input),
});

export const listPrivacyAudit = defineOperation({
  name: 'list_privacy_audit', title: 'List the privacy audit', toolset: 'action_items', ability: 'guild:admin', annotations: read,
  description: 'A page of the privacy audit, newest first: data access (reads in privacy mode, exports), data deletion and privacy-mode changes, each with who, what and from which IP.',
  input: z.object({ guild_id: GuildId, action: z.enum(['data_access', 'data_deletion', 'privacy_toggle']).optional().describe('Only entries of this kind'), limit: Limit(100, 50), offset: Offset }).strict(),
  output: z.object({
    audit_logs: z.array(z.object({
      id: Snowflake, guild_id: Snowflake, action: z.enum(['data_access', 'data_deletion', 'privacy_toggle']), user_id: z.string().nullable(),
      details: z.string(), timestamp: Timestamp, ip_address: z.string().nullable(),
    })),
    total: Int, limit: Int, offset: Int,
  }),
  run: (ctx, input) => ctx.engine.actionItems.admin.auditLog(input),
});

export const exportActionItems = defineOperation({
  // Not read-only: every export is written to the privacy audit.
  name: 'export_action_items', title: "Export a guild's action-item data", toolset: 'action_items', ability: 'guild:admin', annotations: write,
  description: 'Everything stored for the guild here in one document: config, action items, sweeps, member permissions and (include_audit) the privacy audit. The export is itself recorded in the audit.',
  input: z.object({ guild_id: GuildId, include_audit: z.boolean().optional().describe('Include the privacy audit (default false)') }).strict(),
  output: z.object({
    guild_id: Snowflake, exported_at: Timestamp,
    config: MonitorConfig.omit({ guild_id: true, created_at: true, updated_at: true, webhook_url: true, webhook_secret_set: true }),
    action_items: z.array(ActionItem),
    sweeps: z.array(Sweep.omit({ guild_id: true })),
    permissions: z.array(PermissionsShape.extend({ user_id: z.string() })),
    audit_logs: z.array(z.object({ id: Snowflake, action: z.string(), user_id: z.string().nullable(), details: z.string(), timestamp: Timestamp, ip_address: z.string().nullable() })).optional(),
  }),
  run: (ctx, input) => ctx.engine.actionItems.admin.exportData(ctx.actor, input, origin(ctx.clientIp)),
});

export const actionItemOperations = [
  listMonitorGuilds, getMonitorConfig, updateMonitorConfig, monitorChannel, unmonitorChannel, listMonitoredChannels,
  listActionItems, getActionItem, createActionItem, updateActionItem, setActionItemStatus, deleteActionItem,
  getSweepStatus, triggerSweep, listSweeps, getActivityAnalytics, getActionItemAnalytics,
  getMemberPermissions, setMemberPermissions, listPrivacyAudit, exportActionItems,
];
