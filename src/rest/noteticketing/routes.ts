/**
 * NoteTicketing's routes, each mapped onto action_items catalogue operations. Guild ids in paths are
 * digits; one that is not a snowflake names no guild (404), as the document's short example ids do.
 * Item, channel and user ids in paths may be in any format (the document's own are `abc123def456`
 * and `user123`): one that is not ours names nothing we have, so it is a 404, not a bad request.
 */
import { z } from 'zod';
import { notFound } from '../../engine/errors.js';
import * as ops from '../../operations/action-items.js';
import { Priority, Status } from '../../operations/action-item-schemas.js';
import { PERIODS } from '../../engine/action-items/analytics.js';
import { RawResponse, route, type AnyRoute } from '../kit/route.js';

const Snowflake = z.string().regex(/^\d{17,20}$/, 'must be a Discord snowflake: 17 to 20 digits');
const GuildParams = z.object({ guildId: z.string().regex(/^\d{1,20}$/, 'must be a Discord guild ID (digits)').describe('The Discord guild ID.') }).strict();
const PathId = z.string().min(1).max(100, 'must be at most 100 characters');
const ItemParams = GuildParams.extend({ itemId: PathId.describe('The action item ID.') }).strict();
const ChannelParams = GuildParams.extend({ channelId: PathId.describe('The channel ID.') }).strict();
const UserParams = GuildParams.extend({ userId: PathId.describe('The Discord user ID.') }).strict();
const IntQ = (what: string, max: number) => z.string().regex(/^\d{1,7}$/, `${what} must be a whole number`).transform(Number).pipe(z.number().int().min(0).max(max));
const PeriodQuery = z.object({ period: z.enum(PERIODS).optional().describe('1d, 7d, 30d or 90d (default 30d; 7d for stats).') }).strict();
const BoolQ = z.enum(['true', 'false']).transform((v) => v === 'true');

function guildId(id: string): string {
  if (!/^\d{17,20}$/.test(id)) throw notFound(`Unknown guild ${id}. The bot must be in the guild and the guild synced first.`);
  return id;
}

/** A path id that is not a snowflake names nothing stored here: 404 with what was looked for. */
const ours = (what: string) => (guild: string, id: string): string => {
  if (!/^\d{17,20}$/.test(id)) throw notFound(`${what} ${id} doesn't exist in guild ${guild}. Use an id from this API's own answers.`);
  return id;
};
const itemId = ours('Action item');
const channelId = ours('Channel');
const userId = ours('User');
const itemRef = (p: { guildId: string; itemId: string }) => {
  const guild = guildId(p.guildId);
  return { guild_id: guild, item_id: itemId(guild, p.itemId) };
};
const userRef = (p: { guildId: string; userId: string }) => {
  const guild = guildId(p.guildId);
  return { guild_id: guild, user_id: userId(guild, p.userId) };
};

const T = ['NoteTicketing'];
const G = '/v1/guilds/{guildId}';
const byGuild = ({ params }: { params: { guildId: string } }) => params.guildId;
type Out<O extends { output: z.ZodType }> = z.output<O['output']>;

const Guild = ops.listMonitorGuilds.output.shape.guilds.element;
const ItemBody = z.object({
  channel_id: Snowflake.describe('The channel it belongs to'), summary: z.string().nullable().optional(), text: z.string(),
  priority: Priority.optional(), category: z.string().optional(),
  status: Status.optional(), assigned_to: z.string().nullable().optional(),
}).strict();
const ItemChange = ItemBody.omit({ channel_id: true }).partial().strict();
const ConfigBody = ops.updateMonitorConfig.input.omit({ guild_id: true }).strict();
const Stats = z.object({
  guild_id: z.string(), period: z.string(), messages_processed: z.number().int(), action_items_created: z.number().int(),
  action_items_completed: z.number().int(), completion_rate: z.number(), sweeps_executed: z.number().int(), channels_monitored: z.number().int(),
});
const Permissions = ops.getMemberPermissions.output.omit({ stored: true });

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  // A leading =, +, - or @ would run as a formula in a spreadsheet.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

const CSV_COLUMNS = ['id', 'guild_id', 'channel_id', 'channel_name', 'summary', 'text', 'priority', 'category', 'status', 'assigned_to', 'created_at', 'updated_at'] as const;

export const noteTicketingRoutes: AnyRoute[] = [
  route({
    method: 'GET', path: '/v1/guilds', summary: 'List guilds', tags: T, response: z.object({ guilds: z.array(Guild), total: z.number().int() }),
    description: 'The guilds this API key may use, with member count, the bot\'s permissions and whether monitoring is on.',
    operations: ['list_monitor_guilds'], ability: null,
    handler: async ({ call }) => (await call('list_monitor_guilds', {})) as Out<typeof ops.listMonitorGuilds>,
  }),
  route({
    method: 'GET', path: G, summary: 'Get a guild', tags: T, params: GuildParams, response: Guild,
    // The list's own entry for one guild: any valid token that covers the guild may read it.
    operations: ['list_monitor_guilds'], ability: null, guildOf: byGuild,
    handler: async ({ params, call }) => {
      const id = guildId(params.guildId);
      const found = ((await call('list_monitor_guilds', {})) as Out<typeof ops.listMonitorGuilds>).guilds.find((g) => g.id === id);
      if (!found) throw notFound(`Unknown guild ${id}. The bot must be in the guild and the guild synced first.`);
      return found;
    },
  }),
  route({
    method: 'GET', path: `${G}/channels`, summary: 'List channels', tags: T, params: GuildParams,
    response: z.object({ channels: ops.listMonitoredChannels.output.shape.channels }),
    operations: ['list_monitor_channels'], ability: 'guild:read', guildOf: byGuild,
    handler: async ({ params, call }) => ({ channels: ((await call('list_monitor_channels', { guild_id: guildId(params.guildId) })) as Out<typeof ops.listMonitoredChannels>).channels }),
  }),
  route({
    method: 'GET', path: `${G}/stats`, summary: 'Guild statistics', tags: T, params: GuildParams, query: PeriodQuery, response: Stats,
    description: 'Messages swept, action items recorded and completed, sweeps run and channels monitored over the period (default 7d).',
    operations: ['get_activity_analytics', 'get_action_item_analytics'], ability: 'action_items:read', guildOf: byGuild,
    handler: async ({ params, query, call }) => {
      const input = { guild_id: guildId(params.guildId), period: query.period ?? '7d' };
      const activity = (await call('get_activity_analytics', input)) as Out<typeof ops.getActivityAnalytics>;
      const items = (await call('get_action_item_analytics', input)) as Out<typeof ops.getActionItemAnalytics>;
      return {
        guild_id: input.guild_id, period: input.period, messages_processed: activity.summary.total_messages_processed,
        action_items_created: activity.summary.total_action_items, action_items_completed: items.by_status.completed, completion_rate: items.completion_rate,
        sweeps_executed: activity.summary.sweeps_executed, channels_monitored: activity.summary.channels_monitored,
      };
    },
  }),
  route({
    method: 'GET', path: `${G}/config`, summary: 'Get the guild config', tags: T, params: GuildParams, response: ops.getMonitorConfig.output,
    operations: ['get_monitor_config'], ability: 'guild:read', guildOf: byGuild,
    handler: async ({ params, call }) => call('get_monitor_config', { guild_id: guildId(params.guildId) }),
  }),
  route({
    method: 'PATCH', path: `${G}/config`, summary: 'Update the guild config', tags: T, params: GuildParams, body: ConfigBody, response: ops.updateMonitorConfig.output,
    description: 'Changes only the fields given; channels_to_monitor replaces the monitored list.',
    operations: ['update_monitor_config'], ability: 'guild:admin', guildOf: byGuild,
    handler: async ({ params, body, call }) => call('update_monitor_config', { ...body, guild_id: guildId(params.guildId) }),
  }),
  route({
    method: 'POST', path: `${G}/channels/monitor`, summary: 'Monitor a channel', tags: T, params: GuildParams,
    body: z.object({ channel_id: Snowflake }).strict(), response: ops.monitorChannel.output,
    operations: ['monitor_channel'], ability: 'guild:admin', guildOf: byGuild,
    handler: async ({ params, body, call }) => call('monitor_channel', { guild_id: guildId(params.guildId), channel_id: body.channel_id }),
  }),
  route({
    method: 'DELETE', path: `${G}/channels/monitor/{channelId}`, summary: 'Stop monitoring a channel', tags: T, params: ChannelParams, response: ops.unmonitorChannel.output,
    operations: ['unmonitor_channel'], ability: 'guild:admin', guildOf: byGuild,
    handler: async ({ params, call }) => {
      const guild = guildId(params.guildId);
      return call('unmonitor_channel', { guild_id: guild, channel_id: channelId(guild, params.channelId) });
    },
  }),
  route({
    method: 'GET', path: `${G}/action-items`, summary: 'List action items', tags: T, params: GuildParams, response: ops.listActionItems.output,
    query: z.object({
      status: Status.optional(), priority: Priority.optional(),
      channel_id: Snowflake.optional().describe('Filter by source channel'), assigned_to: z.string().optional(),
      limit: IntQ('limit', 1_000_000).pipe(z.number().min(1, 'limit must be at least 1')).optional().describe('Number of items (default 50, at most 100)'),
      offset: IntQ('offset', 1_000_000).optional().describe('Pagination offset'),
      sort: z.enum(['created_at', 'priority', 'updated_at']).optional(), order: z.enum(['asc', 'desc']).optional(),
    }).strict(),
    operations: ['list_action_items'], ability: 'action_items:read', guildOf: byGuild,
    handler: async ({ params, query, call }) => call('list_action_items', { ...query, limit: query.limit === undefined ? undefined : Math.min(query.limit, 100), guild_id: guildId(params.guildId) }),
  }),
  route({
    method: 'GET', path: `${G}/action-items/{itemId}`, summary: 'Get an action item', tags: T, params: ItemParams, response: ops.getActionItem.output,
    operations: ['get_action_item'], ability: 'action_items:read', guildOf: byGuild,
    handler: async ({ params, call }) => call('get_action_item', itemRef(params)),
  }),
  route({
    method: 'POST', path: `${G}/action-items`, summary: 'Create an action item', tags: T, params: GuildParams, body: ItemBody, response: ops.createActionItem.output, status: 201,
    operations: ['create_action_item'], ability: 'action_items:write', guildOf: byGuild,
    handler: async ({ params, body, call }) => call('create_action_item', { ...body, guild_id: guildId(params.guildId) }),
  }),
  route({
    method: 'PUT', path: `${G}/action-items/{itemId}`, summary: 'Update an action item', tags: T, params: ItemParams, body: ItemChange, response: ops.updateActionItem.output,
    description: 'Changes only the fields given.',
    operations: ['update_action_item'], ability: 'action_items:write', guildOf: byGuild,
    handler: async ({ params, body, call }) => call('update_action_item', { ...body, ...itemRef(params) }),
  }),
  route({
    method: 'DELETE', path: `${G}/action-items/{itemId}`, summary: 'Delete an action item', tags: T, params: ItemParams, response: ops.deleteActionItem.output,
    operations: ['delete_action_item'], ability: 'action_items:write', guildOf: byGuild,
    handler: async ({ params, call }) => call('delete_action_item', itemRef(params)),
  }),
  route({
    method: 'PATCH', path: `${G}/action-items/{itemId}/status`, summary: 'Set an action item\'s status', tags: T, params: ItemParams,
    body: z.object({ status: Status }).strict(), response: ops.setActionItemStatus.output,
    operations: ['set_action_item_status'], ability: 'action_items:write', guildOf: byGuild,
    handler: async ({ params, body, call }) => call('set_action_item_status', { ...itemRef(params), status: body.status }),
  }),
  route({
    method: 'GET', path: `${G}/sweep/status`, summary: 'Sweep status', tags: T, params: GuildParams, response: ops.getSweepStatus.output,
    operations: ['get_sweep_status'], ability: 'action_items:read', guildOf: byGuild,
    handler: async ({ params, call }) => call('get_sweep_status', { guild_id: guildId(params.guildId) }),
  }),
  route({
    method: 'POST', path: `${G}/sweep/trigger`, summary: 'Trigger a sweep', tags: T, params: GuildParams,
    body: z.object({ channel_ids: z.array(Snowflake).optional(), force: z.boolean().optional() }).strict(), response: ops.triggerSweep.output,
    description: 'Sweeps now and answers with the finished sweep. Without force it refuses (409) while monitoring is off or before the interval has passed.',
    operations: ['trigger_sweep'], ability: 'action_items:write', guildOf: byGuild,
    handler: async ({ params, body, call }) => call('trigger_sweep', { ...body, guild_id: guildId(params.guildId) }),
  }),
  route({
    method: 'GET', path: `${G}/sweep/history`, summary: 'Sweep history', tags: T, params: GuildParams, response: ops.listSweeps.output,
    query: z.object({ limit: IntQ('limit', 1_000_000).pipe(z.number().min(1, 'limit must be at least 1')).optional().describe('Number of records (default 20, at most 100)'), offset: IntQ('offset', 1_000_000).optional() }).strict(),
    operations: ['list_sweeps'], ability: 'action_items:read', guildOf: byGuild,
    handler: async ({ params, query, call }) => call('list_sweeps', { guild_id: guildId(params.guildId), offset: query.offset, limit: query.limit === undefined ? undefined : Math.min(query.limit, 100) }),
  }),
  route({
    method: 'GET', path: `${G}/analytics`, summary: 'Analytics', tags: T, params: GuildParams, query: PeriodQuery, response: ops.getActivityAnalytics.output,
    operations: ['get_activity_analytics'], ability: 'action_items:read', guildOf: byGuild,
    handler: async ({ params, query, call }) => call('get_activity_analytics', { guild_id: guildId(params.guildId), period: query.period ?? '30d' }),
  }),
  route({
    method: 'GET', path: `${G}/analytics/action-items`, summary: 'Action item analytics', tags: T, params: GuildParams, query: PeriodQuery, response: ops.getActionItemAnalytics.output,
    operations: ['get_action_item_analytics'], ability: 'action_items:read', guildOf: byGuild,
    handler: async ({ params, query, call }) => call('get_action_item_analytics', { guild_id: guildId(params.guildId), period: query.period ?? '30d' }),
  }),
  route({
    method: 'GET', path: `${G}/users/{userId}/permissions`, summary: 'Get a member\'s permissions', tags: T, params: UserParams, response: Permissions,
    operations: ['get_member_permissions'], ability: 'guild:read', guildOf: byGuild,
    handler: async ({ params, call }) => {
      const { stored: _stored, ...out } = (await call('get_member_permissions', userRef(params))) as Out<typeof ops.getMemberPermissions>;
      return out;
    },
  }),
  route({
    method: 'PUT', path: `${G}/users/{userId}/permissions`, summary: 'Set a member\'s permissions', tags: T, params: UserParams, response: Permissions,
    body: z.object({ permissions: ops.setMemberPermissions.input.shape.permissions }).strict(),
    operations: ['set_member_permissions'], ability: 'guild:admin', guildOf: byGuild,
    handler: async ({ params, body, call }) => {
      const { stored: _stored, ...out } = (await call('set_member_permissions', { ...userRef(params), permissions: body.permissions })) as Out<typeof ops.setMemberPermissions>;
      return out;
    },
  }),
  route({
    method: 'GET', path: `${G}/privacy/audit`, summary: 'Privacy audit log', tags: T, params: GuildParams, response: ops.listPrivacyAudit.output,
    query: z.object({
      action: z.enum(['data_access', 'data_deletion', 'privacy_toggle']).optional(),
      limit: IntQ('limit', 1_000_000).pipe(z.number().min(1, 'limit must be at least 1')).optional().describe('Number of records (default 50, at most 100)'), offset: IntQ('offset', 1_000_000).optional(),
    }).strict(),
    operations: ['list_privacy_audit'], ability: 'guild:admin', guildOf: byGuild,
    handler: async ({ params, query, call }) => call('list_privacy_audit', { guild_id: guildId(params.guildId), action: query.action, offset: query.offset, limit: query.limit === undefined ? undefined : Math.min(query.limit, 100) }),
  }),
  route({
    method: 'GET', path: `${G}/export`, summary: 'Export guild data', tags: T, params: GuildParams, response: ops.exportActionItems.output,
    description: 'format=json (default): the whole document. format=csv: the action items as CSV (one row each, with a header row).',
    query: z.object({ format: z.enum(['json', 'csv']).optional(), include_audit: BoolQ.optional() }).strict(),
    operations: ['export_action_items'], ability: 'guild:admin', guildOf: byGuild,
    handler: async ({ params, query, call }) => {
      const out = (await call('export_action_items', { guild_id: guildId(params.guildId), include_audit: query.include_audit })) as Out<typeof ops.exportActionItems>;
      if (query.format !== 'csv') return out;
      const rows = out.action_items.map((item) => CSV_COLUMNS.map((c) => csvCell(item[c])).join(','));
      return new RawResponse('text/csv; charset=utf-8', `${[CSV_COLUMNS.join(','), ...rows].join('\r\n')}\r\n`,
        { 'content-disposition': `attachment; filename="action-items-${out.guild_id}.csv"` });
    },
  }),
];
