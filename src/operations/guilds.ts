/** Guild operations: the guild, its synced channels and roles, the acting user, and the tickets module switch. */
import { z } from 'zod';
import { destructive, idempotentWrite, read } from './annotations.js';
import { defineOperation } from './define.js';
import { GuildId, Snowflake, Timestamp } from './schemas.js';


export const Guild = z.object({
  id: Snowflake, name: z.string(), icon: z.string().nullable(),
  premium: z.boolean(), premium_ends_at: Timestamp.nullable(),
  joined_at: Timestamp.describe('When the bot joined the guild'),
  module_enabled: z.boolean().describe('Whether the tickets module is on; when off, ticket operations answer module_disabled'),
  default_group_id: Snowflake.nullable().describe('The ticket group new tickets use when none is named'),
  synced_at: Timestamp.nullable().describe('When channels, roles and members were last synced from Discord'),
});

const DiscordLink = z.object({
  mode: z.enum(['discord', 'sandbox', 'off']).describe('discord: the real Discord; sandbox: the built-in local Discord (no DISCORD_TOKEN set); off: this process does not drive Discord (--no-discord)'),
  url: z.string().optional().describe('Where this process reaches Discord (the sandbox\'s local address, which a browser or a test can open)'),
  ready: z.boolean().describe('Whether the bot\'s Discord session is up'),
});

export const GuildDetail = Guild.extend({
  counts: z.object({
    channels: z.number().int(), roles: z.number().int(), members: z.number().int(), groups: z.number().int(),
    panels: z.number().int(), custom_messages: z.number().int(),
    tickets: z.object({ open: z.number().int(), closed: z.number().int(), total: z.number().int() }),
  }),
});

const guildOnly = z.object({ guild_id: GuildId }).strict();

export const getGuild = defineOperation({
  name: 'get_guild', title: 'Get a guild', toolset: 'guild', ability: 'guild:read', annotations: read,
  description: 'Fetch a guild the bot is in: name, premium, when the bot joined, whether the tickets module is on, its default ticket group, counts of channels, roles, members, groups, panels, custom messages and tickets, and which Discord this server drives (real, the local sandbox, or off).',
  input: guildOnly, output: GuildDetail.extend({ discord: DiscordLink.describe('Which Discord this server drives: tickets opened here appear there') }),
  run: async (ctx, input) => ({ ...(await ctx.engine.guilds.get(input.guild_id)), discord: ctx.engine.outbox.port()?.status() ?? { mode: 'off' as const, ready: false } }),
});

export const listGuilds = defineOperation({
  // Any valid token: it is how an agent or a dashboard starts, and it shows only the guilds the token covers.
  name: 'list_guilds', title: 'List guilds', toolset: 'guild', ability: null, annotations: read, guildScoped: false,
  description: 'List the guilds this caller may work with (all guilds the bot is in for an unscoped token). Start here to find a guild_id.',
  input: z.object({}).strict(),
  output: z.object({ guilds: z.array(Guild) }),
  run: async (ctx) => ({ guilds: await ctx.engine.guilds.list(ctx.actor) }),
});

export const getCurrentUser = defineOperation({
  name: 'get_current_user', title: 'Get the current user', toolset: 'guild', ability: 'guild:read', annotations: read, guildScoped: false,
  description: 'Who this caller acts as: the Discord user its token belongs to (name, username, avatar URL, locale, bot), or the ticketbridge operator for admin tokens and local stdio.',
  input: z.object({}).strict(),
  output: z.object({
    id: z.string().describe('The Discord user id, or "0" for the ticketbridge operator'),
    name: z.string().describe('Display name'), username: z.string(), discriminator: z.string(),
    avatar: z.string().nullable().describe('Avatar URL'), locale: z.string().nullable(), bot: z.boolean(),
    verified: z.boolean().describe('true for a real (non-bot) Discord account seen through a guild, and for the operator'),
    joined_at: Timestamp.nullable().describe('When the user first joined a guild the bot is in'),
  }),
  run: (ctx) => ctx.engine.guilds.currentUser(ctx.actor),
});

export const listGuildChannels = defineOperation({
  name: 'list_guild_channels', title: 'List guild channels', toolset: 'guild', ability: 'guild:read', annotations: read,
  description: 'List the channels of a guild as last synced from Discord (type 0 text, 2 voice, 4 category, 5 announcement, 11/12 threads, 15 forum), e.g. to pick categories and transcript channels for a ticket group or a channel to post in.',
  input: z.object({
    guild_id: GuildId,
    types: z.array(z.number().int().min(0).max(20)).max(20).optional().describe('Only channels of these Discord channel types, e.g. [4] for categories'),
    include_deleted: z.boolean().optional().describe('Also list channels deleted in Discord since (default false)'),
  }).strict(),
  output: z.object({
    guild_id: Snowflake,
    channels: z.array(z.object({
      id: Snowflake, name: z.string(), type: z.number().int(), parent_id: Snowflake.nullable(), position: z.number().int(),
      topic: z.string().nullable(), deleted_at: Timestamp.nullable(),
    })),
  }),
  run: (ctx, input) => ctx.engine.guilds.channels(input),
});

export const listGuildRoles = defineOperation({
  name: 'list_guild_roles', title: 'List guild roles', toolset: 'guild', ability: 'guild:read', annotations: read,
  description: 'List the roles of a guild as last synced from Discord, highest first, e.g. to choose staff roles for a ticket group.',
  input: guildOnly,
  output: z.object({
    guild_id: Snowflake,
    roles: z.array(z.object({
      id: Snowflake, name: z.string(), color: z.number().int(), position: z.number().int(), hoist: z.boolean(),
      permissions: z.string().describe('Permission bitfield as a decimal string'),
    })),
  }),
  run: (ctx, input) => ctx.engine.guilds.roles(input),
});

const ModuleStatus = z.object({ guild_id: Snowflake, enabled: z.boolean() });

export const getTicketsModuleStatus = defineOperation({
  name: 'get_tickets_module_status', title: 'Get tickets module status', toolset: 'admin', ability: 'guild:read', annotations: read,
  description: 'Whether the tickets module is enabled for a guild. While it is disabled every ticket, group and panel operation of that guild fails with module_disabled.',
  input: guildOnly, output: ModuleStatus,
  run: (ctx, input) => ctx.engine.guilds.moduleStatus(input.guild_id),
});

export const enableTicketsModule = defineOperation({
  name: 'enable_tickets_module', title: 'Enable the tickets module', toolset: 'admin', ability: 'guild:admin', annotations: idempotentWrite,
  description: 'Turn the tickets module of a guild on, so its tickets, groups and panels can be used again. Fails with a conflict if it is already on.',
  input: guildOnly, output: ModuleStatus,
  run: (ctx, input) => ctx.engine.guilds.enableModule(ctx.actor, input.guild_id),
});

export const disableTicketsModule = defineOperation({
  name: 'disable_tickets_module', title: 'Disable the tickets module', toolset: 'admin', ability: 'guild:admin', annotations: destructive,
  description: 'Turn the tickets module of a guild off: afterwards every ticket, group and panel operation of that guild fails with module_disabled until it is enabled again. Data is kept. Fails with module_disabled if it is already off.',
  input: guildOnly, output: ModuleStatus,
  run: (ctx, input) => ctx.engine.guilds.disableModule(ctx.actor, input.guild_id),
});

export const deleteGuildTicketData = defineOperation({
  name: 'delete_guild_ticket_data', title: "Delete a guild's ticket data", toolset: 'admin', ability: 'guild:admin', annotations: destructive,
  description: "Permanently delete all ticket data of a guild in one step: tickets with their transcripts and history, ticket groups, panels and ticket types, custom messages, ticket blocks, ticket webhooks and their deliveries, queued Discord jobs and statistics. The guild, its synced channels/roles and the module switch stay; Discord channels and messages are not touched. Cannot be undone.",
  input: guildOnly,
  output: z.object({
    guild_id: Snowflake,
    deleted: z.object({
      tickets: z.number().int(), events: z.number().int(), messages: z.number().int(), groups: z.number().int(),
      panels: z.number().int(), custom_messages: z.number().int(), jobs: z.number().int(), blocks: z.number().int(), webhooks: z.number().int(),
    }).describe('How many rows of each kind were deleted'),
  }),
  run: (ctx, input) => ctx.engine.guilds.deleteTicketData(ctx.actor, input.guild_id),
});

export const guildOperations = [
  getGuild, listGuilds, getCurrentUser, listGuildChannels, listGuildRoles,
  getTicketsModuleStatus, enableTicketsModule, disableTicketsModule, deleteGuildTicketData,
];
