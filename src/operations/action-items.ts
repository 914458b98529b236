/**
 * Action items (the NoteTicketing side): list, read, create, change, set status, delete, and their
 * analytics. With monitoring (monitoring.ts) and administration (action-item-admin.ts) they make the
 * action_items toolset.
 */
import { z } from 'zod';
import { destructive, idempotentWrite, read, write } from './annotations.js';
import { defineOperation } from './define.js';
import { GuildId, Snowflake } from './schemas.js';
import { ActionItem, Assignee, Category, Int, ItemId, ItemSummary, ItemText, Limit, Offset, Period, Priority, Status, itemRef, origin } from './action-item-schemas.js';
import { PERIODS } from '../engine/action-items/analytics.js';
import { monitoringOperations, sweepOperations } from './monitoring.js';
import { actionItemAdminOperations } from './action-item-admin.js';

export * from './monitoring.js';
export * from './action-item-admin.js';

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
    guild_id: GuildId, channel_id: Snowflake.describe('The channel it belongs to'), text: ItemText,
    summary: ItemSummary.optional().describe('A short title'), priority: Priority.optional().describe('low, medium (default) or high'), category: Category.optional(),
    status: Status.optional().describe('pending (default), in_progress, completed or archived'), assigned_to: Assignee.nullable().optional().describe('Who is to do it: a Discord user ID'),
  }).strict(),
  output: ActionItem,
  run: (ctx, input) => ctx.engine.actionItems.items.create(ctx.actor, input),
});

export const updateActionItem = defineOperation({
  name: 'update_action_item', title: 'Change an action item', toolset: 'action_items', ability: 'action_items:write', annotations: idempotentWrite,
  description: 'Change only the fields given (at least one); assigned_to or summary null clears them.',
  input: z.object({
    guild_id: GuildId, item_id: ItemId, text: ItemText.optional(),
    summary: ItemSummary.optional().describe('A short title; null clears it'), priority: Priority.optional().describe('low, medium or high'),
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


export const actionItemOperations = [
  ...monitoringOperations,
  listActionItems, getActionItem, createActionItem, updateActionItem, setActionItemStatus, deleteActionItem,
  ...sweepOperations, getActivityAnalytics, getActionItemAnalytics,
  ...actionItemAdminOperations,
];
