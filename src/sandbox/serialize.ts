// Records → Discord API v10 JSON shapes (what REST returns and what gateway dispatches carry).
import type {
  AttachmentRec,
  ChannelRec,
  CommandRec,
  EmojiRec,
  GuildRec,
  MemberRec,
  MessageRec,
  RoleRec,
  UserRec,
  WebhookRec,
} from './model.js';
import { isThreadType } from './model.js';
import type { Store } from './store.js';

export type Json = Record<string, unknown>;

export function userJson(u: UserRec): Json {
  const j: Json = {
    id: u.id,
    username: u.username,
    discriminator: '0',
    global_name: u.global_name,
    avatar: u.avatar,
    public_flags: 0,
    flags: 0,
    banner: null,
    accent_color: null,
    avatar_decoration_data: null,
  };
  if (u.bot) j.bot = true;
  return j;
}

export function roleJson(r: RoleRec): Json {
  const j: Json = {
    id: r.id,
    name: r.name,
    color: r.color,
    colors: { primary_color: r.color, secondary_color: null, tertiary_color: null },
    hoist: r.hoist,
    icon: null,
    unicode_emoji: null,
    position: r.position,
    permissions: r.permissions.toString(),
    managed: r.managed,
    mentionable: r.mentionable,
    flags: 0,
  };
  if (r.tags) j.tags = r.tags;
  return j;
}

export function emojiJson(e: EmojiRec): Json {
  return { id: e.id, name: e.name, roles: [], require_colons: true, managed: false, animated: e.animated, available: true };
}

/** A member; `withUser` false gives the partial member Discord embeds in MESSAGE_CREATE. */
export function memberJson(store: Store, m: MemberRec, withUser = true): Json {
  const j: Json = {
    nick: m.nick,
    avatar: null,
    banner: null,
    roles: [...m.roles],
    joined_at: m.joinedAt,
    premium_since: null,
    deaf: false,
    mute: false,
    flags: 0,
    pending: false,
    communication_disabled_until: null,
  };
  if (withUser) {
    const u = store.users.get(m.userId);
    if (u) j.user = userJson(u);
  }
  return j;
}

export function overwriteJson(o: { id: string; type: 0 | 1; allow: bigint; deny: bigint }): Json {
  return { id: o.id, type: o.type, allow: o.allow.toString(), deny: o.deny.toString() };
}

export function channelJson(store: Store, c: ChannelRec): Json {
  if (c.type === 1) {
    return {
      id: c.id,
      type: 1,
      last_message_id: c.lastMessageId,
      flags: 0,
      recipients: c.recipients.flatMap((id) => {
        const u = store.users.get(id);
        return u ? [userJson(u)] : [];
      }),
    };
  }
  const j: Json = {
    id: c.id,
    type: c.type,
    guild_id: c.guildId,
    name: c.name,
    parent_id: c.parentId,
    flags: 0,
    nsfw: c.nsfw,
    rate_limit_per_user: c.rateLimitPerUser,
  };
  if (isThreadType(c.type) && c.thread) {
    j.owner_id = c.ownerId;
    j.last_message_id = c.lastMessageId;
    j.message_count = c.messageCount;
    j.total_message_sent = c.totalMessageSent;
    j.member_count = Math.min(c.threadMembers?.size ?? 0, 50);
    j.thread_metadata = {
      archived: c.thread.archived,
      auto_archive_duration: c.thread.autoArchiveDuration,
      archive_timestamp: c.thread.archiveTimestamp,
      locked: c.thread.locked,
      create_timestamp: c.thread.createTimestamp,
      ...(c.type === 12 ? { invitable: c.thread.invitable ?? true } : {}),
    };
    if (c.appliedTags.length > 0 || c.guildId) j.applied_tags = [...c.appliedTags];
    return j;
  }
  j.position = c.position;
  j.permission_overwrites = c.overwrites.map(overwriteJson);
  if (c.type !== 4) {
    j.topic = c.topic;
    j.last_message_id = c.lastMessageId;
  }
  if (c.type === 15 || c.type === 16) {
    j.available_tags = c.availableTags.map((t) => ({ ...t }));
    j.default_auto_archive_duration = c.defaultAutoArchiveDuration;
    j.default_reaction_emoji = null;
    j.default_sort_order = null;
    j.default_forum_layout = 0;
    j.default_thread_rate_limit_per_user = 0;
  }
  if (c.type === 2 || c.type === 13) {
    j.bitrate = 64000;
    j.user_limit = 0;
    j.rtc_region = null;
  }
  return j;
}

export function threadMemberJson(store: Store, thread: ChannelRec, userId: string, joinedAt: string, withMember: boolean): Json {
  const j: Json = { id: thread.id, user_id: userId, join_timestamp: joinedAt, flags: 0 };
  if (withMember && thread.guildId) {
    const m = store.guilds.get(thread.guildId)?.members.get(userId);
    if (m) j.member = memberJson(store, m);
  }
  return j;
}

export function guildJson(store: Store, g: GuildRec, withCounts = false): Json {
  const j: Json = {
    id: g.id,
    name: g.name,
    icon: null,
    icon_hash: null,
    splash: null,
    discovery_splash: null,
    owner_id: g.ownerId,
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: 1,
    default_message_notifications: 1,
    explicit_content_filter: 2,
    roles: [...g.roles.values()].map(roleJson),
    emojis: [...g.emojis.values()].map(emojiJson),
    stickers: [],
    features: ['COMMUNITY'],
    mfa_level: 0,
    application_id: null,
    system_channel_id: g.systemChannelId,
    system_channel_flags: 0,
    rules_channel_id: null,
    public_updates_channel_id: null,
    safety_alerts_channel_id: null,
    vanity_url_code: null,
    description: null,
    banner: null,
    premium_tier: 0,
    premium_subscription_count: 0,
    preferred_locale: g.preferredLocale ?? 'en-US',
    max_members: 500000,
    max_video_channel_users: 25,
    nsfw_level: 0,
    premium_progress_bar_enabled: false,
  };
  if (withCounts) {
    j.approximate_member_count = g.members.size;
    j.approximate_presence_count = 0;
  }
  return j;
}

export function attachmentJson(baseUrl: string, channelId: string, a: AttachmentRec): Json {
  const url = `${baseUrl}/attachments/${channelId}/${a.id}/${encodeURIComponent(a.filename)}`;
  const j: Json = {
    id: a.id,
    filename: a.filename,
    size: a.size,
    url,
    proxy_url: url,
    content_type: a.contentType,
  };
  if (a.description !== undefined) j.description = a.description;
  return j;
}

export function authorJson(store: Store, m: MessageRec): Json {
  if (m.author.kind === 'webhook') {
    return {
      id: m.author.webhookId,
      username: m.author.username,
      avatar: m.author.avatar,
      discriminator: '0000',
      global_name: null,
      public_flags: 0,
      flags: 0,
      bot: true,
    };
  }
  const u = store.users.get(m.author.userId);
  return u ? userJson(u) : { id: m.author.userId, username: 'Deleted User', discriminator: '0', global_name: null, avatar: null };
}

export interface MessageJsonOptions {
  baseUrl: string;
  /** Gateway dispatches carry guild_id and the author's partial member. */
  gateway?: boolean;
  withReferenced?: boolean;
}

export function messageJson(store: Store, m: MessageRec, opts: MessageJsonOptions): Json {
  const channel = store.channels.get(m.channelId);
  const j: Json = {
    id: m.id,
    type: m.type,
    content: m.content,
    channel_id: m.channelId,
    author: authorJson(store, m),
    attachments: m.attachments.map((a) => attachmentJson(opts.baseUrl, m.channelId, a)),
    embeds: m.embeds,
    mentions: m.mentions.flatMap((id) => {
      const u = store.users.get(id);
      return u ? [userJson(u)] : [];
    }),
    mention_roles: [...m.mentionRoles],
    pinned: m.pinned,
    mention_everyone: m.mentionEveryone,
    tts: m.tts,
    timestamp: m.timestamp,
    edited_timestamp: m.editedTimestamp,
    flags: m.flags,
    components: m.components,
  };
  if (m.reactions.size > 0) {
    j.reactions = [...m.reactions.entries()].map(([key, users]) => ({
      count: users.length,
      count_details: { burst: 0, normal: users.length },
      me: users.includes(store.botUserId),
      me_burst: false,
      emoji: emojiFromKey(key),
      burst_colors: [],
    }));
  }
  if (m.nonce !== null) j.nonce = m.nonce;
  if (m.webhookId) j.webhook_id = m.webhookId;
  if (m.applicationId) j.application_id = m.applicationId;
  if (m.interactionMetadata) j.interaction_metadata = m.interactionMetadata;
  if (m.position !== null) j.position = m.position;
  if (m.reference) {
    j.message_reference = { type: 0, ...m.reference };
    if (opts.withReferenced !== false) {
      const ref = store.messageIndex.get(m.reference.message_id);
      j.referenced_message = ref ? messageJson(store, ref, { ...opts, gateway: false, withReferenced: false }) : null;
    }
  }
  if (m.threadId) {
    const t = store.channels.get(m.threadId);
    if (t) j.thread = channelJson(store, t);
  }
  if (opts.gateway && channel?.guildId) {
    j.guild_id = channel.guildId;
    if (m.author.kind === 'user') {
      const mem = store.guilds.get(channel.guildId)?.members.get(m.author.userId);
      if (mem) j.member = memberJson(store, mem, false);
    }
  }
  return j;
}

export function webhookJson(store: Store, w: WebhookRec, baseUrl: string, withToken = true): Json {
  const creator = store.users.get(w.creatorId);
  const j: Json = {
    id: w.id,
    type: w.type,
    guild_id: w.guildId,
    channel_id: w.channelId,
    name: w.name,
    avatar: w.avatar,
    application_id: w.applicationId,
  };
  if (creator) j.user = userJson(creator);
  if (withToken) {
    j.token = w.token;
    j.url = `${baseUrl}/api/webhooks/${w.id}/${w.token}`;
  }
  return j;
}

export function commandJson(c: CommandRec): Json {
  const j: Json = {
    id: c.id,
    application_id: c.applicationId,
    version: c.version,
    default_member_permissions: c.defaultMemberPermissions,
    type: c.type,
    name: c.name,
    name_localizations: (c.raw['name_localizations'] as Json | undefined) ?? null,
    description: c.description,
    description_localizations: (c.raw['description_localizations'] as Json | undefined) ?? null,
    dm_permission: c.dmPermission,
    nsfw: c.nsfw,
    contexts: null,
    integration_types: [0],
  };
  if (c.guildId) j.guild_id = c.guildId;
  if (c.options.length > 0) j.options = c.options;
  return j;
}

/** "👍" → {id: null, name: "👍"}; "ticket:1441…" → {id, name}. */
export function emojiFromKey(key: string): { id: string | null; name: string } {
  const m = /^(?:a:)?([\w~-]{1,32}):(\d{15,20})$/.exec(key);
  return m ? { id: m[2] ?? null, name: m[1] ?? '' } : { id: null, name: key };
}
