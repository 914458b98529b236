/** Seed data for engine tests: each test makes its own guild, so tests sharing a database never collide. */
import { randomInt } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB, Level, TicketMode } from '../../src/db/schema.js';
import type { Actor } from '../../src/engine/actor.js';
import type { GuildSnapshot } from '../../src/engine/guilds.js';

let counter = 0;
/** A fresh 18-digit snowflake-looking id, unique within the test process. */
export function snowflake(): string {
  counter = (counter + 1) % 1000;
  return `${randomInt(100000, 999999)}${String(Date.now()).slice(-9)}${String(counter).padStart(3, '0')}`;
}

export interface SeededGuild { guildId: string; groupId: string; threadGroupId: string }

export async function seedGuild(db: Kysely<DB>, opts: { priorityLevels?: Level[]; ratingLevels?: Level[]; perUserLimit?: number | null } = {}): Promise<SeededGuild> {
  const guildId = snowflake();
  const groupId = snowflake();
  const threadGroupId = snowflake();
  await db.insertInto('guilds').values({ id: guildId, name: `Guild ${guildId}`, icon: null, owner_id: null, default_group_id: groupId, premium_ends_at: null, synced_at: null }).execute();
  const group = (id: string, name: string, mode: TicketMode, isDefault: boolean) => ({
    id, guild_id: guildId, name, mode, is_default: isDefault,
    opened_channel_id: null, opened_category_id: snowflake(), closed_category_id: null, locked_category_id: null,
    assigned_category_id: null, transcript_channel_id: null, form_channel_id: null, feedback_channel_id: null,
    staff_role_ids: JSON.stringify([]), opening_message: null, form_title: null, form_fields: JSON.stringify([]),
    schedule_timezone: null,
    priority_levels: JSON.stringify(opts.priorityLevels ?? [{ label: 'Low' }, { label: 'Medium' }, { label: 'High' }]),
    rating_levels: JSON.stringify(opts.ratingLevels ?? []),
    per_user_limit: opts.perUserLimit ?? null,
  });
  await db.insertInto('ticket_groups').values([
    group(groupId, 'Support', 'channel', true),
    group(threadGroupId, 'Threads', 'thread', false),
  ]).execute();
  return { guildId, groupId, threadGroupId };
}

export function staffActor(userId: string, guilds: string[] | null = null): Actor {
  return { userId, tokenId: null, abilities: 'all', guilds, asBot: false };
}

/** Gives a ticket the Discord ids the outbox would have recorded (channel, thread, notes thread). */
export async function attachDiscordIds(db: Kysely<DB>, ticketId: string, ids: { channel_id?: string; thread_id?: string; notes_thread_id?: string } = {}): Promise<{ channel_id: string; notes_thread_id: string | null }> {
  const channelId = ids.channel_id ?? snowflake();
  await db.updateTable('tickets').set({ channel_id: channelId, thread_id: ids.thread_id ?? null, notes_thread_id: ids.notes_thread_id ?? null })
    .where('id', '=', ticketId).execute();
  return { channel_id: channelId, notes_thread_id: ids.notes_thread_id ?? null };
}

/** A guild member with roles (as guild sync would store it). */
export async function seedMember(db: Kysely<DB>, guildId: string, userId: string, roles: string[] = []): Promise<void> {
  await db.insertInto('members').values({ guild_id: guildId, user_id: userId, nick: null, roles: JSON.stringify(roles), joined_at: null, left_at: null })
    .onConflict((oc) => oc.columns(['guild_id', 'user_id']).doUpdateSet({ roles: JSON.stringify(roles) })).execute();
}

/** Sets the staff roles of a ticket group. */
export async function setStaffRoles(db: Kysely<DB>, groupId: string, roleIds: string[]): Promise<void> {
  await db.updateTable('ticket_groups').set({ staff_role_ids: JSON.stringify(roleIds) }).where('id', '=', groupId).execute();
}

/** A clock tests move by hand: `now()` for the engine, `set` / `advance` to move it. */
export function manualClock(start = '2025-03-10T12:00:00.000Z') {
  let t = new Date(start).getTime();
  return {
    now: () => new Date(t),
    set: (iso: string) => { t = new Date(iso).getTime(); },
    advance: (seconds: number) => { t += seconds * 1000; },
  };
}

/**
 * A Discord guild snapshot for guilds.applySync: a ticket category, a transcript channel, a text channel,
 * a forum, a staff role, an emoji, and three members (owner 849383430663776372, staff, a bot).
 */
export function guildSnapshot(guildId = snowflake(), staffId = '601082144459178129'): GuildSnapshot & { ids: Record<'category' | 'transcripts' | 'general' | 'forum' | 'staffRole' | 'emoji' | 'other', string> } {
  const ids = { category: snowflake(), transcripts: snowflake(), general: snowflake(), forum: snowflake(), staffRole: snowflake(), emoji: snowflake(), other: snowflake() };
  return {
    ids,
    guild: { id: guildId, name: 'Demo Guild', icon: null, owner_id: '849383430663776372', joined_at: '2024-01-01T00:00:00.000Z' },
    channels: [
      { id: ids.category, name: 'Tickets', type: 4, position: 1 },
      { id: ids.transcripts, name: 'transcripts', type: 0, parent_id: ids.category, position: 2, topic: 'logs', permission_overwrites: [{ id: ids.staffRole, type: 0, allow: '1024', deny: '0' }] },
      { id: ids.general, name: 'general', type: 0, position: 0 },
      { id: ids.forum, name: 'help-forum', type: 15, position: 3 },
    ],
    roles: [
      { id: guildId, name: '@everyone', position: 0, permissions: '1024' },
      { id: ids.staffRole, name: 'Staff', color: 0x5865f2, position: 1, hoist: true, permissions: '8' },
    ],
    emojis: [{ id: ids.emoji, name: 'ticket', animated: false }],
    members: [
      { user: { id: '849383430663776372', username: 'owner', global_name: 'Owner Person', avatar: null }, roles: [], joined_at: '2024-02-01T00:00:00.000Z' },
      { user: { id: staffId, username: 'staffer', avatar: 'a_abcdef' }, nick: 'Mod', roles: [ids.staffRole], joined_at: '2024-03-01T00:00:00.000Z' },
      { user: { id: ids.other, username: 'bot', bot: true }, roles: [] },
    ],
    members_complete: true,
    fetched_at: '2025-01-01T12:00:00.000Z',
    defaults: { category_id: ids.category, transcript_channel_id: ids.transcripts, staff_role_ids: [ids.staffRole] },
  };
}
