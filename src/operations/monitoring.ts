/**
 * Monitoring (the NoteTicketing side): the guilds with their monitoring state, a guild's config and
 * monitored channels, and sweeps that find action items in those channels.
 */
import { PermissionsBitField } from 'discord.js';
import { z } from 'zod';
import { destructive, idempotentWrite, read, write } from './annotations.js';
import { defineOperation } from './define.js';
import { GuildId, Snowflake, Timestamp } from './schemas.js';
import { Int, Limit, MonitorConfig, Offset, Sweep, guildOnly, origin } from './action-item-schemas.js';

export const listMonitorGuilds = defineOperation({
  // Any valid token, as list_guilds: it shows only the guilds the token covers.
  name: 'list_monitor_guilds', title: 'List guilds with monitoring state', toolset: 'action_items', ability: null, annotations: read, guildScoped: false,
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
    todo_channel_id: Snowflake.nullable().optional().describe('Where items added by hand are announced (and sweep summaries, when there is no sweep output channel)'),
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


export const monitoringOperations = [listMonitorGuilds, getMonitorConfig, updateMonitorConfig, monitorChannel, unmonitorChannel, listMonitoredChannels];
export const sweepOperations = [getSweepStatus, triggerSweep, listSweeps];
