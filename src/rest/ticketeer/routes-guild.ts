/** Ticketeer guild, user and channel/custom-message routes. */
import { z } from 'zod';
import type { Ability } from '../../engine/actor.js';
import { route, type AnyRoute } from '../kit/route.js';
import * as S from './schemas.js';
import { group, guild, itemsOf, named, paginate, user } from './shape.js';

const P = '/api/v1/guild/{guild_id}';
const compact = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

const FORUM = 15;

/**
 * Ticketeer takes thread_name (and applied_tags) for forum channels and ignores them elsewhere; the
 * channel-message operations refuse them outside forums, so they are dropped here for other channels.
 */
async function forumOnly<B extends { thread_name?: string | undefined; applied_tags?: string[] | undefined }>(
  call: (op: string, input: unknown) => Promise<unknown>, params: { guild_id: string; channel_id: string }, body: B,
): Promise<B> {
  if (body.thread_name === undefined && body.applied_tags === undefined) return body;
  const forums = (await call('list_guild_channels', { guild_id: params.guild_id, types: [FORUM] })) as { channels: Array<{ id: string }> };
  if (forums.channels.some((c) => c.id === params.channel_id)) return body;
  const { thread_name: _name, applied_tags: _tags, ...rest } = body;
  return rest as B;
}

/** A list endpoint: the operation pages (page/per_page), the route wraps the page in Laravel's paginator. */
function listRoute(suffix: string, summary: string, operation: string, ability: Ability, item: z.ZodType, shape: (v: unknown) => unknown): AnyRoute {
  return route({
    method: 'GET', path: `${P}/${suffix}`, summary, tags: ['Guild'], params: S.GuildParams, query: S.PageQuery,
    response: S.paginator(item), operations: [operation], ability,
    handler: async ({ params, query, call, url }) => {
      const page = query.page ?? 1;
      const perPage = query.per_page ?? 30;
      const out = (await call(operation, { guild_id: params.guild_id, page, per_page: perPage })) as { total?: number };
      return paginate(itemsOf(out).map(shape), { page, per_page: perPage, explicitPerPage: query.per_page !== undefined }, url, out.total ?? 0);
    },
  });
}

export const guildRoutes: AnyRoute[] = [
  route({
    method: 'GET', path: P, summary: 'Get guild.', tags: ['Guild'], params: S.GuildParams, response: S.TtGuild,
    operations: ['get_guild'], ability: 'guild:read',
    handler: async ({ params, call }) => guild(await call('get_guild', { guild_id: params.guild_id })),
  }),
  route({
    method: 'POST', path: `${P}/sync`, summary: 'Sync guild channels, roles, emotes and permissions.', tags: ['Guild'],
    params: S.GuildParams, response: S.TtAck, operations: ['sync_guild'], ability: 'guild:admin',
    handler: async ({ params, call }) => {
      const out = await call('sync_guild', { guild_id: params.guild_id });
      return { success: true, message: 'Guild synced.', ...(out && typeof out === 'object' ? (out as Record<string, unknown>) : {}) };
    },
  }),
  listRoute('groups', 'List ticket groups.', 'list_ticket_groups', 'tickets:read', S.TtGroup, group),
  listRoute('panels', 'List ticket panels.', 'list_panels', 'guild:read', S.TtNamed, named),
  route({
    method: 'GET', path: `${P}/stats`, summary: 'Get guild ticket stats.', tags: ['Guild'], params: S.GuildParams, response: S.TtAny,
    operations: ['get_guild_stats'], ability: 'tickets:read',
    handler: async ({ params, call }) => {
      const out = (await call('get_guild_stats', { guild_id: params.guild_id })) as Record<string, unknown>;
      const { volvox: _volvox, ...rest } = out;
      return rest;
    },
  }),
  listRoute('messages', 'List custom messages.', 'list_custom_messages', 'guild:read', S.TtNamed, named),
  route({
    method: 'POST', path: `${P}/channel/{channel_id}`, summary: 'Send a message to a channel.', tags: ['Channel'],
    params: S.ChannelParams, body: S.ChannelMessageBody, response: S.TtAny, operations: ['send_channel_message', 'list_guild_channels'], ability: 'channels:write',
    handler: async ({ params, body, call }) => call('send_channel_message', compact({ guild_id: params.guild_id, channel_id: params.channel_id, ...(await forumOnly(call, params, body)) })),
  }),
  route({
    method: 'POST', path: `${P}/channel/{channel_id}/{message_id}`, summary: 'Update a message in a channel.', tags: ['Channel'],
    params: S.ChannelMessageParams, body: S.ChannelMessageBody, response: S.TtAny, operations: ['edit_channel_message', 'list_guild_channels'], ability: 'channels:write',
    handler: async ({ params, body, call }) => call('edit_channel_message', compact({ guild_id: params.guild_id, channel_id: params.channel_id, message_id: params.message_id, ...(await forumOnly(call, params, body)) })),
  }),
  route({
    method: 'POST', path: `${P}/message/{custom_message_id}/{channel_id}`, summary: 'Send a custom message to a channel.', tags: ['Channel'],
    params: S.CustomMessageParams, body: S.CustomMessageBody, response: S.TtAny, operations: ['send_custom_message'], ability: 'channels:write',
    handler: async ({ params, body, call }) => call('send_custom_message', compact({ guild_id: params.guild_id, custom_message_id: params.custom_message_id, channel_id: params.channel_id, ...body })),
  }),
  route({
    method: 'POST', path: `${P}/message/{custom_message_id}/{channel_id}/{message_id}`, summary: 'Update a custom message in a channel.', tags: ['Channel'],
    params: S.CustomMessageEditParams, body: S.CustomMessageBody, response: S.TtAny, operations: ['send_custom_message'], ability: 'channels:write',
    handler: async ({ params, body, call }) => call('send_custom_message', compact({
      guild_id: params.guild_id, custom_message_id: params.custom_message_id, channel_id: params.channel_id, message_id: params.message_id, ...body,
    })),
  }),
];

export const userRoutes: AnyRoute[] = [
  route({
    method: 'GET', path: '/api/v1/user/me', summary: 'Get current user.', tags: ['User'], response: S.TtUser,
    operations: ['get_current_user'], ability: 'guild:read', guildOf: () => undefined,
    handler: async ({ call }) => user(await call('get_current_user', {})),
  }),
  route({
    method: 'GET', path: '/api/v1/user/me/guilds', summary: 'List guilds.', tags: ['User'], response: z.array(S.TtGuild),
    operations: ['list_guilds'], ability: null, guildOf: () => undefined,
    handler: async ({ call }) => itemsOf(await call('list_guilds', {})).map(guild),
  }),
];
