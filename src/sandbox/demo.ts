// The demo guild. Fixed ids (the seed documents' examples among them) so documented requests
// work verbatim; built fresh for every sandbox so tests never share state.
import type { ChannelRec, GuildRec, OverwriteRec, RoleRec, UserRec } from './model.js';
import { ChannelType } from './model.js';
import { DEFAULT_EVERYONE, P } from './permissions.js';
import type { Store } from './store.js';

export const BOT_USER_ID = '1441600312958730260';
export const APPLICATION_ID = BOT_USER_ID; // modern bots: application id = bot user id
/** Not a real Discord token; only this string logs in to the sandbox gateway and REST. */
export const BOT_TOKEN = 'MTQ0MTYwMDMxMjk1ODczMDI2MA.sandbox.ticketbridge-demo-bot-token';

export const DEMO = {
  guildId: '919722116696391721',
  ownerId: '310927734108356609',
  generalChannelId: '1441604990945853480',
  supportCategoryId: '1441604990945853490',
  ticketsChannelId: '1441604990945853500',
  transcriptsChannelId: '1441604990945853510',
  forumChannelId: '1441604990945853520',
  closedCategoryId: '1441604990945853530',
  forumTags: { open: '1441604990945853521', waiting: '1441604990945853522', resolved: '1441604990945853523' },
  adminRoleId: '1441604990945853401',
  staffRoleId: '1441604990945853402',
  botRoleId: '1441604990945853403',
  emojiIds: { ticket: '1441604990945853601', lock: '1441604990945853602' },
  /** The ticket opener in the seed documents' examples. */
  customerUserId: '849383430663776372',
  /** The staff member tickets get assigned to in the examples. */
  staffUserId: '601082144459178129',
  /** Another member (the examples send tickets to them). */
  memberUserId: '1305908865287852092',
  secondStaffUserId: '702961204885782538',
  userIds: [
    '310927734108356609',
    '849383430663776372',
    '601082144459178129',
    '1305908865287852092',
    '702961204885782538',
    '958372614409273344',
  ],
} as const;

export type DemoIds = typeof DEMO;

export const BOT_ROLE_PERMISSIONS =
  P.ViewChannel |
  P.ManageChannels |
  P.ManageRoles |
  P.ManageWebhooks |
  P.ManageNicknames |
  P.KickMembers |
  P.ViewAuditLog |
  P.SendMessages |
  P.SendMessagesInThreads |
  P.CreatePublicThreads |
  P.CreatePrivateThreads |
  P.ManageThreads |
  P.ManageMessages |
  P.EmbedLinks |
  P.AttachFiles |
  P.ReadMessageHistory |
  P.MentionEveryone |
  P.UseExternalEmojis |
  P.AddReactions |
  P.UseApplicationCommands;

const STAFF_PERMISSIONS = DEFAULT_EVERYONE | P.ManageMessages | P.ManageThreads | P.KickMembers | P.MentionEveryone;

const users: UserRec[] = [
  { id: BOT_USER_ID, username: 'TicketBridge Sandbox', global_name: null, avatar: null, bot: true },
  { id: DEMO.ownerId, username: 'olivia', global_name: 'Olivia (owner)', avatar: null, bot: false },
  { id: DEMO.customerUserId, username: 'alice', global_name: 'Alice', avatar: null, bot: false },
  { id: DEMO.staffUserId, username: 'sam.support', global_name: 'Sam', avatar: null, bot: false },
  { id: DEMO.memberUserId, username: 'casey', global_name: 'Casey', avatar: null, bot: false },
  { id: DEMO.secondStaffUserId, username: 'rowan.support', global_name: 'Rowan', avatar: null, bot: false },
  { id: '958372614409273344', username: 'jordan', global_name: 'Jordan', avatar: null, bot: false },
];

function role(id: string, name: string, position: number, permissions: bigint, extra: Partial<RoleRec> = {}): RoleRec {
  return { id, name, color: 0, hoist: false, position, permissions, managed: false, mentionable: false, ...extra };
}

function ow(id: string, type: 0 | 1, allow: bigint, deny: bigint): OverwriteRec {
  return { id, type, allow, deny };
}

export function blankChannel(id: string, type: number, guildId: string | null, name: string | null): ChannelRec {
  return {
    id,
    type,
    guildId,
    name,
    topic: null,
    parentId: null,
    position: 0,
    overwrites: [],
    nsfw: false,
    rateLimitPerUser: 0,
    lastMessageId: null,
    recipients: [],
    ownerId: null,
    thread: null,
    threadMembers: null,
    messageCount: 0,
    totalMessageSent: 0,
    appliedTags: [],
    availableTags: [],
    defaultAutoArchiveDuration: null,
  };
}

/** The ids of one guild built like the demo guild (the demo's own, or fresh ones from POST /_sandbox/guilds). */
export interface GuildIds {
  guildId: string;
  name: string;
  ownerId: string;
  generalChannelId: string;
  supportCategoryId: string;
  ticketsChannelId: string;
  transcriptsChannelId: string;
  forumChannelId: string;
  closedCategoryId: string;
  forumTags: { open: string; waiting: string; resolved: string };
  adminRoleId: string;
  staffRoleId: string;
  botRoleId: string;
  emojiIds: { ticket: string; lock: string };
}

export function seedDemo(store: Store): void {
  seedGuild(store, { ...DEMO, name: 'TicketBridge Demo' });
}

/**
 * A guild like the demo one: its roles (staff, bot, admin), the demo users as members, a general
 * channel, a Support category with the panel channel (#tickets), #transcripts and a forum, and a
 * closed-tickets category. The users are shared: the same people are members of every such guild.
 */
export function seedGuild(store: Store, ids: GuildIds): void {
  for (const u of users) if (!store.users.has(u.id)) store.users.set(u.id, { ...u });
  const g = ids.guildId;
  const guild: GuildRec = {
    id: g,
    name: ids.name,
    ownerId: ids.ownerId,
    roles: new Map(),
    members: new Map(),
    emojis: new Map(),
    systemChannelId: ids.generalChannelId,
  };
  for (const r of [
    role(g, '@everyone', 0, DEFAULT_EVERYONE),
    role(ids.staffRoleId, 'Support Staff', 1, STAFF_PERMISSIONS, { color: 0x3498db, hoist: true, mentionable: true }),
    role(ids.botRoleId, 'TicketBridge', 2, BOT_ROLE_PERMISSIONS, { managed: true, tags: { bot_id: BOT_USER_ID } }),
    role(ids.adminRoleId, 'Admin', 3, P.Administrator, { color: 0xe74c3c, hoist: true }),
  ]) {
    guild.roles.set(r.id, r);
  }
  const joined = (iso: string): string => new Date(iso).toISOString();
  const members: [string, string[], string][] = [
    [DEMO.ownerId, [ids.adminRoleId], '2021-12-15T10:00:00Z'],
    [BOT_USER_ID, [ids.botRoleId], '2025-11-20T09:00:00Z'],
    [DEMO.staffUserId, [ids.staffRoleId], '2022-01-03T12:00:00Z'],
    [DEMO.secondStaffUserId, [ids.staffRoleId], '2022-06-11T08:30:00Z'],
    [DEMO.customerUserId, [], '2023-04-02T17:45:00Z'],
    [DEMO.memberUserId, [], '2024-09-21T14:10:00Z'],
    ['958372614409273344', [], '2025-02-14T19:20:00Z'],
  ];
  for (const [userId, roles, at] of members) {
    guild.members.set(userId, { userId, nick: null, roles, joinedAt: joined(at) });
  }
  guild.emojis.set(ids.emojiIds.ticket, { id: ids.emojiIds.ticket, name: 'ticket', animated: false });
  guild.emojis.set(ids.emojiIds.lock, { id: ids.emojiIds.lock, name: 'lock', animated: false });
  store.guilds.set(g, guild);

  const staffView = ow(ids.staffRoleId, 0, P.ViewChannel | P.SendMessages | P.ReadMessageHistory, 0n);
  const botView = ow(ids.botRoleId, 0, P.ViewChannel | P.SendMessages | P.EmbedLinks | P.AttachFiles, 0n);

  const general = blankChannel(ids.generalChannelId, ChannelType.GuildText, g, 'general');
  general.topic = 'Say hello';

  const support = blankChannel(ids.supportCategoryId, ChannelType.GuildCategory, g, 'Support');
  support.position = 1;
  support.overwrites = [staffView, botView];

  const tickets = blankChannel(ids.ticketsChannelId, ChannelType.GuildText, g, 'tickets');
  tickets.parentId = ids.supportCategoryId;
  tickets.topic = 'Open a ticket with the button below.';
  tickets.overwrites = [ow(g, 0, 0n, P.SendMessages), staffView, botView];

  const transcripts = blankChannel(ids.transcriptsChannelId, ChannelType.GuildText, g, 'transcripts');
  transcripts.parentId = ids.supportCategoryId;
  transcripts.position = 1;
  transcripts.overwrites = [ow(g, 0, 0n, P.ViewChannel), staffView, botView];

  const forum = blankChannel(ids.forumChannelId, ChannelType.GuildForum, g, 'help-forum');
  forum.parentId = ids.supportCategoryId;
  forum.position = 2;
  forum.topic = 'Ask for help: one post per question.';
  forum.defaultAutoArchiveDuration = 10080;
  forum.availableTags = [
    { id: ids.forumTags.open, name: 'Open', moderated: false, emoji_id: null, emoji_name: '🟢' },
    { id: ids.forumTags.waiting, name: 'Waiting', moderated: false, emoji_id: null, emoji_name: '🟡' },
    { id: ids.forumTags.resolved, name: 'Resolved', moderated: true, emoji_id: null, emoji_name: '✅' },
  ];

  const closed = blankChannel(ids.closedCategoryId, ChannelType.GuildCategory, g, 'Closed tickets');
  closed.position = 2;
  closed.overwrites = [ow(g, 0, 0n, P.ViewChannel), staffView, botView];

  for (const c of [general, support, tickets, transcripts, forum, closed]) store.channels.set(c.id, c);
}
