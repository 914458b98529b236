/** A guild's ticket configuration as one document: export it (backup, copy), import it (restore, copy). */
import { z } from 'zod';
import { destructive, read } from './annotations.js';
import { defineOperation } from './define.js';
import { groupFields } from './groups.js';
import { customMessageBody } from './messages.js';
import { FormFieldOut, GuildId, Snowflake, Timestamp, UserId } from './schemas.js';

const GroupConfig = z.object({ name: z.string().min(1).max(100).describe('Group name'), ...groupFields }).strict();
/** As exported: the form as stored (import checks it again). */
const GroupConfigOut = GroupConfig.extend({ form_fields: z.array(FormFieldOut).optional() });
const CustomMessageConfig = z.object({ name: z.string().min(1).max(100).describe('Name staff know it by'), ...customMessageBody }).strict();
const BlockConfig = z.object({ user_id: UserId.optional(), role_id: Snowflake.optional(), reason: z.string().max(500).nullable().optional().describe('Why the user or role is blocked') }).strict()
  .refine((b) => (b.user_id === undefined) !== (b.role_id === undefined), { message: 'give exactly one of user_id and role_id' });

const Config = z.object({
  format: z.literal('ticketbridge.guild_config').optional().describe('Always ticketbridge.guild_config'),
  version: z.literal(1).optional().describe('Document version: 1'),
  guild_id: Snowflake.optional().describe('The guild it was exported from (informational)'),
  exported_at: Timestamp.optional(),
  groups: z.array(GroupConfig).max(100).default([]).describe('Ticket groups with their settings, matched to existing groups by name'),
  custom_messages: z.array(CustomMessageConfig).max(500).default([]).describe('Custom messages, matched by name'),
  blocks: z.array(BlockConfig).max(5000).default([]).describe('Users and roles blocked from opening tickets'),
});

export const exportGuildConfig = defineOperation({
  name: 'export_guild_config', title: 'Export a guild\'s ticket setup', toolset: 'admin', ability: 'guild:read', annotations: read,
  description: "Export a guild's ticket setup as one JSON document: its ticket groups with all their settings, saved custom messages and blocks (not tickets, panels or tokens). Keep it as a backup, or pass it to import_guild_config to restore it or copy it to another server.",
  input: z.object({ guild_id: GuildId }).strict(),
  output: z.object({
    format: z.literal('ticketbridge.guild_config'), version: z.literal(1), guild_id: Snowflake, exported_at: Timestamp,
    groups: z.array(GroupConfigOut),
    custom_messages: z.array(z.object({ name: z.string(), content: z.string().nullable(), embeds: z.array(z.unknown()), components: z.array(z.unknown()), auto_keywords: z.array(z.string()) })),
    blocks: z.array(BlockConfig),
  }).describe('What import_guild_config takes as config'),
  run: (ctx, input) => ctx.engine.guildConfig.export(input, { signal: ctx.signal }),
});

export const importGuildConfig = defineOperation({
  name: 'import_guild_config', title: 'Import a guild\'s ticket setup', toolset: 'admin', ability: 'guild:admin', annotations: destructive,
  description: 'Apply a document from export_guild_config to a guild, all or nothing: groups and custom messages with the same name are updated (their settings overwritten), others created; blocks are added. Every channel and role must exist in the guild: from another server, map ids with id_map. Use dry_run to see what would change.',
  input: z.object({
    guild_id: GuildId,
    config: Config.describe('The exported document (format ticketbridge.guild_config)'),
    id_map: z.record(Snowflake, Snowflake).optional().describe('Channel and role ids to replace, old → new'),
    dry_run: z.boolean().optional().describe('Check and report, change nothing'),
  }).strict(),
  output: z.object({
    dry_run: z.boolean(),
    groups: z.object({ created: z.array(z.string()), updated: z.array(z.string()) }),
    custom_messages: z.object({ created: z.array(z.string()), updated: z.array(z.string()) }),
    blocks: z.object({ added: z.number().int() }),
  }),
  run: (ctx, input) => ctx.engine.guildConfig.import(ctx.actor, input, { signal: ctx.signal }),
});

export const guildConfigOperations = [exportGuildConfig, importGuildConfig];
