/** Action-item administration: member permissions, the privacy audit and the guild's data export. */
import { z } from 'zod';
import { idempotentWrite, read, write } from './annotations.js';
import { defineOperation } from './define.js';
import { GuildId, Snowflake, Timestamp, UserId } from './schemas.js';
import { ActionItem, Int, Limit, MemberPermissions, MonitorConfig, Offset, PermissionsShape, Sweep, origin } from './action-item-schemas.js';

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
  run: (ctx, input) => ctx.engine.actionItems.admin.exportData(ctx.actor, input, origin(ctx.clientIp), ctx.signal),
});


export const actionItemAdminOperations = [getMemberPermissions, setMemberPermissions, listPrivacyAudit, exportActionItems];
