/**
 * Checks that channel and role ids named in guild configuration belong to the guild. The check runs
 * only once the guild's channels (or roles) have been synced: before the first sync we cannot know,
 * and refusing every id would make a fresh install unusable.
 */
import { invalid, notFound, type FieldIssue } from './errors.js';
import type { Db, Tx } from './tx.js';

/** Discord channel types: 0 text, 2 voice, 4 category, 5 announcement, 10–12 threads, 15 forum, 16 media. */
export const CHANNEL_TYPE = { text: 0, voice: 2, category: 4, announcement: 5, announcementThread: 10, publicThread: 11, privateThread: 12, forum: 15, media: 16 } as const;

export type ChannelKind = 'category' | 'text' | 'thread-parent';
const KIND_TYPES: Record<ChannelKind, readonly number[]> = {
  category: [CHANNEL_TYPE.category],
  text: [CHANNEL_TYPE.text, CHANNEL_TYPE.announcement, CHANNEL_TYPE.announcementThread, CHANNEL_TYPE.publicThread, CHANNEL_TYPE.privateThread],
  'thread-parent': [CHANNEL_TYPE.text, CHANNEL_TYPE.announcement],
};
const KIND_WORDS: Record<ChannelKind, string> = {
  category: 'a category (channel type 4)',
  text: 'a text channel or thread',
  'thread-parent': 'a text or announcement channel (private threads open there)',
};

export interface ChannelRefCheck { path: string; id: string | null | undefined; kind: ChannelKind }

export async function channelsSynced(db: Db | Tx, guildId: string): Promise<boolean> {
  const row = await db.selectFrom('channels').select('id').where('guild_id', '=', guildId).limit(1).executeTakeFirst();
  return row !== undefined;
}

export async function checkChannelRefs(db: Db | Tx, guildId: string, refs: readonly ChannelRefCheck[]): Promise<void> {
  const wanted = refs.filter((r): r is ChannelRefCheck & { id: string } => typeof r.id === 'string');
  if (wanted.length === 0 || !(await channelsSynced(db, guildId))) return;
  const rows = await db.selectFrom('channels').select(['id', 'type']).where('guild_id', '=', guildId)
    .where('deleted_at', 'is', null).where('id', 'in', [...new Set(wanted.map((r) => r.id))]).execute();
  const types = new Map(rows.map((r) => [r.id, r.type]));
  const issues: FieldIssue[] = [];
  for (const ref of wanted) {
    const type = types.get(ref.id);
    if (type === undefined) issues.push({ path: ref.path, message: `channel ${ref.id} is not a channel of guild ${guildId}` });
    else if (!KIND_TYPES[ref.kind].includes(type)) issues.push({ path: ref.path, message: `channel ${ref.id} must be ${KIND_WORDS[ref.kind]}, not type ${type}` });
  }
  if (issues.length) {
    throw invalid(`${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}. Pick channels from list_guild_channels.`, issues);
  }
}

export async function checkRoleRefs(db: Db | Tx, guildId: string, path: string, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  const synced = await db.selectFrom('roles').select('id').where('guild_id', '=', guildId).limit(1).executeTakeFirst();
  if (!synced) return;
  const rows = await db.selectFrom('roles').select('id').where('guild_id', '=', guildId)
    .where('deleted_at', 'is', null).where('id', 'in', [...new Set(ids)]).execute();
  const known = new Set(rows.map((r) => r.id));
  const missing = ids.filter((id) => !known.has(id));
  if (missing.length) {
    throw invalid(`${path}: ${missing.join(', ')} ${missing.length === 1 ? 'is not a role' : 'are not roles'} of guild ${guildId}. Pick roles from list_guild_roles.`,
      missing.map((id) => ({ path, message: `role ${id} is not a role of guild ${guildId}` })));
  }
}

/**
 * A ticket's channel or (notes) thread, which the bot made itself and may not have seen come back
 * from Discord yet: known from the ticket. Threads here are private threads (type 12).
 */
/** The undeleted ticket whose channel, thread or notes thread is `channelId` (the newest, should one have been reused). */
export function ticketOfConversation(db: Db | Tx, guildId: string, channelId: string) {
  return db.selectFrom('tickets').select(['id', 'channel_id', 'thread_id', 'notes_thread_id']).where('guild_id', '=', guildId).where('deleted_at', 'is', null)
    .where((eb) => eb.or([eb('channel_id', '=', channelId), eb('thread_id', '=', channelId), eb('notes_thread_id', '=', channelId)]))
    .orderBy('created_at', 'desc').executeTakeFirst();
}

async function ticketConversation(db: Db | Tx, guildId: string, channelId: string): Promise<{ id: string; type: number } | undefined> {
  const t = await ticketOfConversation(db, guildId, channelId);
  if (!t) return undefined;
  return { id: channelId, type: t.thread_id === channelId || t.notes_thread_id === channelId ? 12 : 0 };
}

/** For messages: a channel the guild is known not to have is not_found (a typo'd id is not "bad input"). */
export async function findGuildChannel(db: Db | Tx, guildId: string, channelId: string): Promise<{ id: string; type: number } | null> {
  if (!(await channelsSynced(db, guildId))) return null;
  const row = await db.selectFrom('channels').select(['id', 'type']).where('guild_id', '=', guildId)
    .where('id', '=', channelId).where('deleted_at', 'is', null).executeTakeFirst()
    ?? await ticketConversation(db, guildId, channelId);
  if (!row) throw notFound(`Channel ${channelId} is not a channel of guild ${guildId} (or it was deleted). Pick one from list_guild_channels.`);
  return row;
}
