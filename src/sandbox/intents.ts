// Which gateway intent each dispatch needs (Discord's intent table), and the MessageContent rule.

export const Intent = {
  Guilds: 1 << 0,
  GuildMembers: 1 << 1,
  GuildModeration: 1 << 2,
  GuildExpressions: 1 << 3,
  GuildIntegrations: 1 << 4,
  GuildWebhooks: 1 << 5,
  GuildInvites: 1 << 6,
  GuildVoiceStates: 1 << 7,
  GuildPresences: 1 << 8,
  GuildMessages: 1 << 9,
  GuildMessageReactions: 1 << 10,
  GuildMessageTyping: 1 << 11,
  DirectMessages: 1 << 12,
  DirectMessageReactions: 1 << 13,
  DirectMessageTyping: 1 << 14,
  MessageContent: 1 << 15,
  GuildScheduledEvents: 1 << 16,
  AutoModerationConfiguration: 1 << 20,
  AutoModerationExecution: 1 << 21,
  GuildMessagePolls: 1 << 24,
  DirectMessagePolls: 1 << 25,
} as const;

export const ALL_INTENTS = Object.values(Intent).reduce((a, b) => a | b, 0);

/**
 * The intent a dispatch requires, or null when it is always sent (READY, INTERACTION_CREATE,
 * USER_UPDATE…). `dm` tells guild message events from direct ones.
 */
export function requiredIntent(event: string, dm: boolean): number | null {
  switch (event) {
    case 'GUILD_CREATE':
    case 'GUILD_UPDATE':
    case 'GUILD_DELETE':
    case 'GUILD_ROLE_CREATE':
    case 'GUILD_ROLE_UPDATE':
    case 'GUILD_ROLE_DELETE':
    case 'CHANNEL_CREATE':
    case 'CHANNEL_UPDATE':
    case 'CHANNEL_DELETE':
    case 'CHANNEL_PINS_UPDATE':
    case 'THREAD_CREATE':
    case 'THREAD_UPDATE':
    case 'THREAD_DELETE':
    case 'THREAD_LIST_SYNC':
    case 'THREAD_MEMBER_UPDATE':
      return dm && event === 'CHANNEL_PINS_UPDATE' ? Intent.DirectMessages : Intent.Guilds;
    case 'THREAD_MEMBERS_UPDATE':
    case 'GUILD_MEMBER_ADD':
    case 'GUILD_MEMBER_UPDATE':
    case 'GUILD_MEMBER_REMOVE':
      return Intent.GuildMembers;
    case 'GUILD_EMOJIS_UPDATE':
    case 'GUILD_STICKERS_UPDATE':
      return Intent.GuildExpressions;
    case 'WEBHOOKS_UPDATE':
      return Intent.GuildWebhooks;
    case 'MESSAGE_CREATE':
    case 'MESSAGE_UPDATE':
    case 'MESSAGE_DELETE':
    case 'MESSAGE_DELETE_BULK':
      return dm ? Intent.DirectMessages : Intent.GuildMessages;
    case 'MESSAGE_REACTION_ADD':
    case 'MESSAGE_REACTION_REMOVE':
    case 'MESSAGE_REACTION_REMOVE_ALL':
    case 'MESSAGE_REACTION_REMOVE_EMOJI':
      return dm ? Intent.DirectMessageReactions : Intent.GuildMessageReactions;
    case 'TYPING_START':
      return dm ? Intent.DirectMessageTyping : Intent.GuildMessageTyping;
    default:
      return null;
  }
}

/**
 * Without MessageContent, Discord blanks content, embeds, attachments, components and polls of
 * messages — except the bot's own, DMs, and messages that mention the bot.
 */
export function blankContent(d: Record<string, unknown>, botUserId: string, dm: boolean): Record<string, unknown> {
  if (dm) return d;
  const author = d.author as { id?: string } | undefined;
  if (author?.id === botUserId) return d;
  const mentions = d.mentions as { id?: string }[] | undefined;
  if (mentions?.some((u) => u.id === botUserId)) return d;
  if (!('content' in d) && !('embeds' in d)) return d;
  return { ...d, content: '', embeds: [], attachments: [], components: [], ...('poll' in d ? { poll: undefined } : {}) };
}
