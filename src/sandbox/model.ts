// The in-memory records the sandbox keeps. Close to Discord's objects but normalised (ids of
// related records rather than nested copies); serialize.ts turns them into API shapes.

export const ChannelType = {
  GuildText: 0,
  DM: 1,
  GuildVoice: 2,
  GuildCategory: 4,
  GuildAnnouncement: 5,
  AnnouncementThread: 10,
  PublicThread: 11,
  PrivateThread: 12,
  GuildStageVoice: 13,
  GuildForum: 15,
  GuildMedia: 16,
} as const;

export const isThreadType = (t: number): boolean => t === 10 || t === 11 || t === 12;

export interface UserRec {
  id: string;
  username: string;
  global_name: string | null;
  avatar: string | null;
  bot: boolean;
}

export interface RoleRec {
  id: string;
  name: string;
  color: number;
  hoist: boolean;
  position: number;
  permissions: bigint;
  managed: boolean;
  mentionable: boolean;
  tags?: { bot_id?: string };
}

export interface MemberRec {
  userId: string;
  nick: string | null;
  roles: string[];
  joinedAt: string;
}

export interface EmojiRec {
  id: string;
  name: string;
  animated: boolean;
}

export interface GuildRec {
  id: string;
  name: string;
  ownerId: string;
  roles: Map<string, RoleRec>;
  members: Map<string, MemberRec>;
  emojis: Map<string, EmojiRec>;
  systemChannelId: string | null;
  /** The server's language (Discord's preferred_locale); en-US unless the control API changes it. */
  preferredLocale?: string;
}

export interface OverwriteRec {
  id: string;
  type: 0 | 1;
  allow: bigint;
  deny: bigint;
}

export interface ForumTagRec {
  id: string;
  name: string;
  moderated: boolean;
  emoji_id: string | null;
  emoji_name: string | null;
}

export interface ThreadMeta {
  archived: boolean;
  locked: boolean;
  autoArchiveDuration: number;
  archiveTimestamp: string;
  invitable?: boolean;
  createTimestamp: string;
}

export interface ChannelRec {
  id: string;
  type: number;
  guildId: string | null;
  name: string | null;
  topic: string | null;
  parentId: string | null;
  position: number;
  overwrites: OverwriteRec[];
  nsfw: boolean;
  rateLimitPerUser: number;
  lastMessageId: string | null;
  /** DM recipients (user ids other than the bot). */
  recipients: string[];
  // thread-only
  ownerId: string | null;
  thread: ThreadMeta | null;
  threadMembers: Map<string, string> | null; // userId → join timestamp
  messageCount: number;
  totalMessageSent: number;
  appliedTags: string[];
  // forum-only
  availableTags: ForumTagRec[];
  defaultAutoArchiveDuration: number | null;
}

export interface AttachmentRec {
  id: string;
  filename: string;
  description?: string;
  contentType: string;
  size: number;
  data: Buffer;
}

/** Who wrote a message: a user (or the bot), or a webhook speaking under a display name. */
export type AuthorRec =
  | { kind: 'user'; userId: string }
  | { kind: 'webhook'; webhookId: string; username: string; avatar: string | null; avatarUrl: string | null };

export interface MessageRec {
  id: string;
  channelId: string;
  author: AuthorRec;
  content: string;
  embeds: unknown[];
  components: unknown[];
  attachments: AttachmentRec[];
  timestamp: string;
  editedTimestamp: string | null;
  flags: number;
  type: number;
  tts: boolean;
  pinned: boolean;
  pinnedAt: string | null;
  /** Reactions: emoji key ("👍" or "name:id") → user ids, in order. */
  reactions: Map<string, string[]>;
  nonce: string | number | null;
  mentions: string[];
  mentionRoles: string[];
  mentionEveryone: boolean;
  reference: { message_id: string; channel_id: string; guild_id?: string } | null;
  webhookId: string | null;
  applicationId: string | null;
  interactionMetadata: Record<string, unknown> | null;
  position: number | null;
  /** A thread started from this message. */
  threadId: string | null;
}

export interface WebhookRec {
  id: string;
  token: string;
  type: 1;
  guildId: string;
  channelId: string;
  name: string;
  avatar: string | null;
  creatorId: string;
  applicationId: string | null;
}

export interface CommandRec {
  id: string;
  applicationId: string;
  guildId: string | null;
  name: string;
  description: string;
  type: number;
  options: unknown[];
  defaultMemberPermissions: string | null;
  dmPermission: boolean;
  nsfw: boolean;
  version: string;
  raw: Record<string, unknown>;
}

export type InteractionKind = 'button' | 'select' | 'modal' | 'command';

export interface ModalRec {
  userId: string;
  channelId: string;
  customId: string;
  title: string;
  components: unknown[];
  messageId: string | null;
}

export interface InteractionRec {
  id: string;
  token: string;
  kind: InteractionKind;
  type: number;
  userId: string;
  channelId: string;
  guildId: string | null;
  messageId: string | null;
  createdAt: number;
  customId: string | null;
  payload: Record<string, unknown>;
  /** The callback the bot sent, once it has. */
  response: { type: number; data: Record<string, unknown> | null } | null;
  respondedAt: number | null;
  originalMessageId: string | null;
  followupIds: string[];
  ephemeral: boolean;
  /** Callbacks the bot sent for this interaction, the refused ones (40060 already acknowledged) included. */
  callbackAttempts: number;
}
