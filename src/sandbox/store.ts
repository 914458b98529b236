// The sandbox's whole state, in memory. Lookup helpers throw the Discord error a missing record
// gets, so route code reads as "find, check, change, emit".
import {
  unknownChannel,
  unknownGuild,
  unknownMember,
  unknownMessage,
  unknownRole,
  unknownUser,
  unknownWebhook,
} from './errors.js';
import type {
  ChannelRec,
  CommandRec,
  GuildRec,
  InteractionRec,
  MemberRec,
  MessageRec,
  ModalRec,
  RoleRec,
  UserRec,
  WebhookRec,
} from './model.js';
import { channelPermissions } from './permissions.js';
import type { PermissionSubject } from './permissions.js';
import { isThreadType } from './model.js';

export class Store {
  readonly users = new Map<string, UserRec>();
  readonly guilds = new Map<string, GuildRec>();
  readonly channels = new Map<string, ChannelRec>();
  /** Messages per channel, oldest first (ids grow with time). */
  readonly messages = new Map<string, MessageRec[]>();
  readonly messageIndex = new Map<string, MessageRec>();
  readonly webhooks = new Map<string, WebhookRec>();
  readonly commands = new Map<string, CommandRec>();
  readonly interactions = new Map<string, InteractionRec>();
  readonly interactionsByToken = new Map<string, InteractionRec>();
  readonly modals: ModalRec[] = [];
  /** DM channel id per user (the bot's DMs only). */
  readonly dmByUser = new Map<string, string>();

  constructor(
    readonly botUserId: string,
    readonly applicationId: string,
  ) {}

  /** Forget everything (reset() then seeds the demo guild again). */
  clear(): void {
    for (const m of [this.users, this.guilds, this.channels, this.messages, this.messageIndex, this.webhooks, this.commands, this.interactions, this.interactionsByToken, this.dmByUser]) {
      m.clear();
    }
    this.modals.length = 0;
  }

  user(id: string): UserRec {
    const u = this.users.get(id);
    if (!u) throw unknownUser();
    return u;
  }

  guild(id: string): GuildRec {
    const g = this.guilds.get(id);
    if (!g || !g.members.has(this.botUserId)) throw unknownGuild();
    return g;
  }

  member(guild: GuildRec, userId: string): MemberRec {
    const m = guild.members.get(userId);
    if (!m) throw unknownMember();
    return m;
  }

  role(guild: GuildRec, roleId: string): RoleRec {
    const r = guild.roles.get(roleId);
    if (!r) throw unknownRole();
    return r;
  }

  channel(id: string): ChannelRec {
    const c = this.channels.get(id);
    if (!c) throw unknownChannel();
    return c;
  }

  message(channelId: string, messageId: string): MessageRec {
    const m = this.messageIndex.get(messageId);
    if (!m || m.channelId !== channelId) throw unknownMessage();
    return m;
  }

  webhook(id: string): WebhookRec {
    const w = this.webhooks.get(id);
    if (!w) throw unknownWebhook();
    return w;
  }

  channelMessages(channelId: string): MessageRec[] {
    let list = this.messages.get(channelId);
    if (!list) {
      list = [];
      this.messages.set(channelId, list);
    }
    return list;
  }

  addMessage(m: MessageRec): void {
    this.channelMessages(m.channelId).push(m);
    this.messageIndex.set(m.id, m);
  }

  removeMessage(m: MessageRec): void {
    const list = this.messages.get(m.channelId);
    if (list) {
      const i = list.indexOf(m);
      if (i >= 0) list.splice(i, 1);
    }
    this.messageIndex.delete(m.id);
  }

  /** Guild channels (not threads) of a guild. */
  guildChannels(guildId: string): ChannelRec[] {
    return [...this.channels.values()].filter((c) => c.guildId === guildId && !isThreadType(c.type));
  }

  threadsOf(guildId: string): ChannelRec[] {
    return [...this.channels.values()].filter((c) => c.guildId === guildId && isThreadType(c.type));
  }

  subject(guild: GuildRec, userId: string): PermissionSubject {
    const member = guild.members.get(userId);
    return {
      guildId: guild.id,
      ownerId: guild.ownerId,
      userId,
      memberRoleIds: member?.roles ?? [],
      rolePermissions: (id) => guild.roles.get(id)?.permissions,
    };
  }

  /** Permissions of `userId` in a guild channel (threads use their parent's overwrites). */
  permissionsIn(channel: ChannelRec, userId: string): bigint {
    if (!channel.guildId) return 0n;
    const guild = this.guilds.get(channel.guildId);
    if (!guild || !guild.members.has(userId)) return 0n;
    const source = channel.thread && channel.parentId ? (this.channels.get(channel.parentId) ?? channel) : channel;
    return channelPermissions(this.subject(guild, userId), source.overwrites);
  }
}
