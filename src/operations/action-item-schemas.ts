/** The schemas the action-item operations share: an item, a config, a sweep, member permissions, paging. */
import { z } from 'zod';
import { GuildId, Snowflake, Timestamp } from './schemas.js';
import { PERIODS } from '../engine/action-items/analytics.js';
import { PERMISSION_KEYS } from '../engine/action-items/access.js';

export const Int = z.number().int();
export const Priority = z.enum(['low', 'medium', 'high']);
export const Status = z.enum(['pending', 'in_progress', 'completed', 'archived']);
export const Category = z.string().trim().min(1).max(50).regex(/^[\w -]+$/, 'letters, digits, spaces, _ and - only').describe('A short label such as meeting, bug, project or general');
/** Assignees are Discord users; the NoteTicketing document's own examples use short names, which are kept as given. */
export const Assignee = z.string().trim().min(1).max(64).regex(/^[\w.-]+$/, 'a Discord user ID or a short name (letters, digits, _ . -)');
export const ItemId = Snowflake.describe('The action item ID');
export const Period = z.enum(PERIODS).default('30d').describe('How far back: 1d, 7d, 30d or 90d (default 30d)');
export const Limit = (max: number, dflt: number) => Int.min(1).max(max).optional().describe(`How many (default ${dflt}, at most ${max})`);
export const Offset = Int.min(0).max(1_000_000).optional().describe('How many to skip (default 0)');

export const ActionItem = z.object({
  id: Snowflake, guild_id: Snowflake, channel_id: Snowflake, channel_name: z.string().nullable(), summary: z.string().nullable(), text: z.string(),
  priority: Priority, category: z.string(), status: Status, assigned_to: z.string().nullable(), created_at: Timestamp, updated_at: Timestamp,
});
export const MonitorConfig = z.object({
  guild_id: Snowflake, active: z.boolean().describe('Whether monitored channels are swept'), privacy_mode_enabled: z.boolean().describe('When on, reads of action items are audited and sweeps keep no author or message excerpt'),
  channels_to_monitor: z.array(Snowflake), todo_channel_id: Snowflake.nullable(), sweep_output_channel_id: Snowflake.nullable(),
  sweep_interval_hours: Int, last_sweep_time: Timestamp.nullable(),
  webhook_url: z.string().nullable().describe('Where action_item.created events are POSTed'), webhook_secret_set: z.boolean().describe('Whether a signing secret is stored (it is never shown)'),
  created_at: Timestamp, updated_at: Timestamp,
});
export const Sweep = z.object({
  id: Snowflake, guild_id: Snowflake, triggered_at: Timestamp, channels_processed: Int, messages_processed: Int, action_items_found: Int,
  status: z.enum(['running', 'completed', 'failed']), duration_seconds: z.number().nullable(),
});
const PERMISSION_MEANING: Record<(typeof PERMISSION_KEYS)[number], string> = {
  can_configure_bot: 'May change the monitoring config and the monitored channels',
  can_manage_action_items: 'May create, change and delete action items',
  can_view_analytics: 'May read analytics and statistics',
  can_trigger_sweeps: 'May start a sweep',
};
export const PermissionsShape = z.object(Object.fromEntries(PERMISSION_KEYS.map((k) => [k, z.boolean().describe(PERMISSION_MEANING[k])])) as Record<(typeof PERMISSION_KEYS)[number], z.ZodBoolean>);
export const MemberPermissions = z.object({
  user_id: z.string(), guild_id: Snowflake, permissions: PermissionsShape, roles: z.array(z.string()).describe("The member's role names, highest first"),
  stored: z.boolean().describe('false: nothing stored, so the member keeps what their token allows (shown as all true)'),
});
export const guildOnly = z.object({ guild_id: GuildId }).strict();
export const itemRef = z.object({ guild_id: GuildId, item_id: ItemId }).strict();
export const origin = (ip: string | undefined) => ({ ip });
export const ItemText = z.string().trim().min(1).max(2000).describe('What is to be done');
export const ItemSummary = z.string().trim().max(200).nullable();
