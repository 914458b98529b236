/**
 * Guilds: what the bot knows of a Discord server (synced channels, roles, emojis, members), its
 * tickets module switch, and reading it back. `applySync` is how the Discord driver records a
 * guild snapshot; everything else reads.
 */
import { z } from 'zod';
import type { GuildRow } from '../db/schema.js';
import type { Actor } from './actor.js';
import type { EngineContext } from './context.js';
import { invalid, notFound } from './errors.js';
import { requireGuild } from './guards.js';
import { insertGroup } from './groups.js';
import { chunks } from './paging.js';
import { inTransaction, json, type Tx } from './tx.js';
import { avatarUrl, iso } from './views.js';
import { sql } from 'kysely';

const snowflake = z.string().regex(/^\d{17,20}$/, 'must be a Discord snowflake: a string of 17 to 20 digits');
const timestamp = z.iso.datetime({ offset: true });

/** A channel or thread as Discord describes it. */
const ChannelSnapshot = z.object({
  id: snowflake,
  name: z.string().max(100),
  type: z.number().int().min(0),
  parent_id: snowflake.nullable().optional(),
  position: z.number().int().optional(),
  topic: z.string().max(4096).nullable().optional(),
  permission_overwrites: z.array(z.object({
    id: snowflake, type: z.union([z.literal(0), z.literal(1)]), allow: z.string(), deny: z.string(),
  })).optional(),
});

/** A member with their user and roles. */
const MemberSnapshot = z.object({
  user: z.object({
    id: snowflake,
    username: z.string().min(1).max(100),
    global_name: z.string().max(100).nullable().optional(),
    discriminator: z.string().max(4).optional(),
    avatar: z.string().max(200).nullable().optional(),
    bot: z.boolean().optional(),
    locale: z.string().max(20).nullable().optional(),
  }),
  nick: z.string().max(100).nullable().optional(),
  roles: z.array(snowflake).default([]),
  joined_at: timestamp.nullable().optional(),
});

/** A guild as the Discord driver sees it (GUILD_CREATE or REST fetches), ready to be recorded. */
export const GuildSnapshotSchema = z.object({
  guild: z.object({
    id: snowflake,
    name: z.string().min(1).max(100),
    icon: z.string().max(200).nullable().optional(),
    owner_id: snowflake.nullable().optional(),
    /** When the bot joined (GUILD_CREATE's joined_at). */
    joined_at: timestamp.optional(),
    /** The language the server set in Discord: the language of ticket messages when nothing closer is known. */
    preferred_locale: z.string().max(20).nullable().optional(),
  }),
  channels: z.array(ChannelSnapshot).max(2000),
  roles: z.array(z.object({
    id: snowflake,
    name: z.string().max(100),
    color: z.number().int().optional(),
    position: z.number().int().optional(),
    hoist: z.boolean().optional(),
    permissions: z.string().optional(),
  })).max(1000),
  emojis: z.array(z.object({ id: snowflake, name: z.string().max(100), animated: z.boolean().optional() })).default([]),
  members: z.array(MemberSnapshot).default([]),
  /** true when `members` is every member: members not in it are then marked as having left. */
  members_complete: z.boolean().default(false),
  /** When the snapshot was taken; recorded as synced_at (so the same snapshot twice writes the same state). */
  fetched_at: timestamp.optional(),
  /** Wiring for the default ticket group created when the guild is seen for the first time. */
  defaults: z.object({
    group_name: z.string().min(1).max(100).optional(),
    mode: z.enum(['channel', 'thread']).optional(),
    opened_channel_id: snowflake.nullable().optional(),
    category_id: snowflake.nullable().optional(),
    closed_category_id: snowflake.nullable().optional(),
    transcript_channel_id: snowflake.nullable().optional(),
    staff_role_ids: z.array(snowflake).optional(),
  }).optional(),
});
export type GuildSnapshot = z.input<typeof GuildSnapshotSchema>;

/** One change Discord tells the bot about between syncs, so channels and members stay current. */
export const GuildChangeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('channel'), guild_id: snowflake, channel: ChannelSnapshot }),
  z.object({ kind: z.literal('channel_deleted'), guild_id: snowflake, channel_id: snowflake }),
  z.object({ kind: z.literal('member'), guild_id: snowflake, member: MemberSnapshot }),
  z.object({ kind: z.literal('guild'), guild_id: snowflake, preferred_locale: z.string().max(20).nullable() }),
]);

/** A user as an interaction shows them, with the language their Discord client uses. */
const UserLocale = z.object({
  id: snowflake, username: z.string().min(1).max(100), global_name: z.string().max(100).nullable().optional(),
  avatar: z.string().max(200).nullable().optional(), bot: z.boolean().optional(), locale: z.string().min(2).max(20),
});

export interface SyncResult {
  guild_id: string;
  /** true when the guild was seen for the first time. */
  created: boolean;
  default_group_id: string | null;
  /** Rows inserted or changed per table (all zero when the snapshot matches what is stored). */
  changed: { guild: number; channels: number; roles: number; emojis: number; users: number; members: number };
}

export interface GuildView {
  id: string; name: string; icon: string | null; premium: boolean; premium_ends_at: string | null; joined_at: string;
  module_enabled: boolean; default_group_id: string | null; synced_at: string | null;
}

export interface GuildDetailView extends GuildView {
  counts: {
    channels: number; roles: number; members: number; groups: number; panels: number; custom_messages: number;
    tickets: { open: number; closed: number; total: number };
  };
}

export function guildView(row: GuildRow): GuildView {
  return {
    id: row.id, name: row.name, icon: row.icon, premium: row.premium, premium_ends_at: iso(row.premium_ends_at),
    joined_at: row.joined_at.toISOString(), module_enabled: row.module_enabled, default_group_id: row.default_group_id,
    synced_at: iso(row.synced_at),
  };
}

export interface UserView {
  id: string; name: string; username: string; discriminator: string; avatar: string | null; locale: string | null;
  bot: boolean; verified: boolean; joined_at: string | null;
}

const countOf = async (q: { executeTakeFirstOrThrow(): Promise<{ n: string }> }) => Number((await q.executeTakeFirstOrThrow()).n);

export function createGuilds(ctx: EngineContext) {
  return {
    async get(guildId: string): Promise<GuildDetailView> {
      const guild = await requireGuild(ctx.db, guildId);
      const db = ctx.db;
      const [channels, roles, members, groups, panels, messages, stats] = await Promise.all([
        countOf(db.selectFrom('channels').select((eb) => eb.fn.countAll<string>().as('n')).where('guild_id', '=', guildId).where('deleted_at', 'is', null)),
        countOf(db.selectFrom('roles').select((eb) => eb.fn.countAll<string>().as('n')).where('guild_id', '=', guildId).where('deleted_at', 'is', null)),
        countOf(db.selectFrom('members').select((eb) => eb.fn.countAll<string>().as('n')).where('guild_id', '=', guildId).where('left_at', 'is', null)),
        countOf(db.selectFrom('ticket_groups').select((eb) => eb.fn.countAll<string>().as('n')).where('guild_id', '=', guildId).where('deleted_at', 'is', null)),
        countOf(db.selectFrom('panels').select((eb) => eb.fn.countAll<string>().as('n')).where('guild_id', '=', guildId)),
        countOf(db.selectFrom('custom_messages').select((eb) => eb.fn.countAll<string>().as('n')).where('guild_id', '=', guildId)),
        db.selectFrom('guild_stats').select(['open_count', 'closed_count', 'total_count']).where('guild_id', '=', guildId).executeTakeFirst(),
      ]);
      return {
        ...guildView(guild),
        counts: {
          channels, roles, members, groups, panels, custom_messages: messages,
          tickets: { open: Number(stats?.open_count ?? 0), closed: Number(stats?.closed_count ?? 0), total: Number(stats?.total_count ?? 0) },
        },
      };
    },

    /** The guilds an actor may use: every guild for unscoped actors, else the ones its token names. */
    async list(actor: Actor): Promise<GuildView[]> {
      if (actor.guilds !== null && actor.guilds.length === 0) return [];
      let q = ctx.db.selectFrom('guilds').selectAll();
      if (actor.guilds !== null) q = q.where('id', 'in', [...actor.guilds]);
      const rows = await q.orderBy('name', 'asc').orderBy('id', 'asc').execute();
      return rows.map(guildView);
    },

    async currentUser(actor: Actor): Promise<UserView> {
      if (!actor.userId) {
        // The operator (stdio, admin token) or the bot itself: not a Discord user of any guild.
        return {
          id: '0', name: actor.asBot ? 'ticketbridge' : 'ticketbridge operator', username: 'ticketbridge', discriminator: '0',
          avatar: null, locale: null, bot: actor.asBot, verified: true, joined_at: null,
        };
      }
      const user = await ctx.db.selectFrom('users').selectAll().where('id', '=', actor.userId).executeTakeFirst();
      if (!user) {
        throw notFound(`User ${actor.userId} of this token has not been seen in any synced guild yet. Sync a guild the user is a member of (the bot records members when it syncs).`);
      }
      const joined = await ctx.db.selectFrom('members').select((eb) => eb.fn.min('joined_at').as('first'))
        .where('user_id', '=', user.id).executeTakeFirst();
      const first = joined?.first ? new Date(joined.first as unknown as string | Date) : null;
      return {
        id: user.id, name: user.global_name ?? user.username, username: user.username, discriminator: user.discriminator,
        avatar: avatarUrl(user.id, user.avatar), locale: user.locale, bot: user.bot,
        // Discord tells bots nothing about e-mail verification; a user we can see through a guild is a real account.
        verified: !user.bot, joined_at: first ? first.toISOString() : null,
      };
    },

    async channels(input: { guild_id: string; types?: number[] | undefined; include_deleted?: boolean | undefined }) {
      await requireGuild(ctx.db, input.guild_id);
      let q = ctx.db.selectFrom('channels').select(['id', 'name', 'type', 'parent_id', 'position', 'topic', 'deleted_at']).where('guild_id', '=', input.guild_id);
      if (!input.include_deleted) q = q.where('deleted_at', 'is', null);
      if (input.types?.length) q = q.where('type', 'in', input.types);
      const rows = await q.orderBy('position', 'asc').orderBy('id', 'asc').execute();
      return { guild_id: input.guild_id, channels: rows.map((r) => ({ ...r, deleted_at: iso(r.deleted_at) })) };
    },

    async roles(input: { guild_id: string }) {
      await requireGuild(ctx.db, input.guild_id);
      const rows = await ctx.db.selectFrom('roles').select(['id', 'name', 'color', 'position', 'hoist', 'permissions'])
        .where('guild_id', '=', input.guild_id).where('deleted_at', 'is', null).orderBy('position', 'desc').orderBy('id', 'asc').execute();
      return { guild_id: input.guild_id, roles: rows };
    },

    /**
     * Records a Discord snapshot of a guild in one transaction: the guild, its channels, roles, emojis,
     * users and members (rows missing from the snapshot are marked deleted / left, never dropped, so
     * old tickets still resolve their channels). A guild seen for the first time gets a default ticket
     * group wired to `defaults`. Only rows that differ are written: the same snapshot twice changes nothing.
     */
    /**
     * Records one change between syncs (a channel or thread made, changed or deleted; a member's
     * roles or name changed) for a guild the engine knows; others are ignored. Returns whether a row
     * changed. Takes the driver's raw JSON and checks it against GuildChangeSchema here.
     */
    async applyChange(raw: unknown): Promise<boolean> {
      const parsed = GuildChangeSchema.safeParse(raw);
      if (!parsed.success) throw invalid(`The guild change is malformed: ${parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}.`);
      const change = parsed.data;
      const changed = await inTransaction(ctx.db, async (trx) => {
        const known = await trx.selectFrom('guilds').select('id').where('id', '=', change.guild_id).executeTakeFirst();
        if (!known) return 0;
        if (change.kind === 'channel') return upsertChannels(trx, change.guild_id, [change.channel]);
        if (change.kind === 'guild') return setPreferredLocale(trx, change.guild_id, change.preferred_locale);
        if (change.kind === 'channel_deleted') {
          return (await trx.updateTable('channels').set({ deleted_at: ctx.now() }).where('guild_id', '=', change.guild_id)
            .where('id', '=', change.channel_id).where('deleted_at', 'is', null).returning('id').execute()).length;
        }
        return (await syncUsers(trx, [change.member.user])) + (await syncMembers(trx, change.guild_id, ctx.now(), [change.member], false));
      });
      if (changed > 0) ctx.changes.emit('guild', { guildId: change.guild_id });
      return changed > 0;
    },

    /**
     * Remembers the language a user's Discord client uses (every interaction says it): their ticket's
     * messages speak it. Writes only when it changed.
     */
    async rememberLocale(raw: z.input<typeof UserLocale>): Promise<boolean> {
      const parsed = UserLocale.safeParse(raw);
      if (!parsed.success) throw invalid(`The user's locale is malformed: ${parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}.`);
      return (await inTransaction(ctx.db, (trx) => syncUsers(trx, [parsed.data]))) > 0;
    },

    async applySync(raw: GuildSnapshot): Promise<SyncResult> {
      const parsed = GuildSnapshotSchema.safeParse(raw);
      if (!parsed.success) {
        const fields = parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(snapshot)', message: i.message }));
        throw invalid(`The guild snapshot is malformed: ${fields.slice(0, 5).map((f) => `${f.path}: ${f.message}`).join('; ')}. Build it from Discord's guild, channel, role and member objects.`, fields);
      }
      const snap = parsed.data;
      const result = await inTransaction(ctx.db, (trx) => applySnapshot(trx, ctx.now(), snap));
      ctx.changes.emit('guild', { guildId: result.guild_id });
      return result;
    },
  };
}

type Snapshot = z.output<typeof GuildSnapshotSchema>;

/** Last occurrence wins, so one statement never touches a row twice (Postgres refuses that). */
function uniqueBy<T>(items: readonly T[], key: (t: T) => string): T[] {
  return [...new Map(items.map((i) => [key(i), i])).values()];
}

async function applySnapshot(trx: Tx, now: Date, snap: Snapshot): Promise<SyncResult> {
  const g = snap.guild;
  const syncedAt = snap.fetched_at ? new Date(snap.fetched_at) : now;
  const changed = { guild: 0, channels: 0, roles: 0, emojis: 0, users: 0, members: 0 };

  // Insert-or-nothing first: the inserting transaction alone learns the guild is new, even under concurrency.
  const inserted = await trx.insertInto('guilds').values({
    id: g.id, name: g.name, icon: g.icon ?? null, owner_id: g.owner_id ?? null, premium_ends_at: null,
    default_group_id: null, synced_at: syncedAt, ...(g.joined_at ? { joined_at: new Date(g.joined_at) } : {}),
  }).onConflict((oc) => oc.column('id').doNothing()).returning('id').execute();
  const created = inserted.length > 0;
  if (created) changed.guild = 1;
  else {
    const updated = await trx.updateTable('guilds').set({
      name: g.name, icon: g.icon ?? null, owner_id: g.owner_id ?? null, updated_at: now,
      ...(g.joined_at ? { joined_at: new Date(g.joined_at) } : {}),
    }).where('id', '=', g.id)
      .where(sql<boolean>`(name, icon, owner_id, joined_at) IS DISTINCT FROM (${g.name}, ${g.icon ?? null}, ${g.owner_id ?? null}, ${g.joined_at ? new Date(g.joined_at) : sql`joined_at`})`)
      .returning('id').execute();
    changed.guild = updated.length;
    await trx.updateTable('guilds').set({ synced_at: syncedAt }).where('id', '=', g.id)
      .where(sql<boolean>`synced_at IS DISTINCT FROM ${syncedAt}`).execute();
  }

  if (g.preferred_locale !== undefined) changed.guild += await setPreferredLocale(trx, g.id, g.preferred_locale);
  changed.channels = await syncChannels(trx, g.id, syncedAt, uniqueBy(snap.channels, (c) => c.id));
  changed.roles = await syncRoles(trx, g.id, syncedAt, uniqueBy(snap.roles, (r) => r.id));
  changed.emojis = await syncEmojis(trx, g.id, uniqueBy(snap.emojis, (e) => e.id));
  const members = uniqueBy(snap.members, (m) => m.user.id);
  changed.users = await syncUsers(trx, members.map((m) => m.user));
  changed.members = await syncMembers(trx, g.id, syncedAt, members, snap.members_complete);

  let defaultGroupId: string | null;
  if (created) {
    const d = snap.defaults ?? {};
    // The driver wires these ids from the guild it just created them in; no reference check here,
    // so a half-configured guild still syncs.
    const group = await insertGroup(trx, now, {
      guild_id: g.id, name: d.group_name ?? 'Support', mode: d.mode ?? 'channel', is_default: true,
      opened_channel_id: d.opened_channel_id ?? null, opened_category_id: d.category_id ?? null,
      closed_category_id: d.closed_category_id ?? null, transcript_channel_id: d.transcript_channel_id ?? null,
      staff_role_ids: d.staff_role_ids ?? [],
    }, { checkRefs: false });
    defaultGroupId = group.id;
  } else {
    defaultGroupId = (await trx.selectFrom('guilds').select('default_group_id').where('id', '=', g.id).executeTakeFirstOrThrow()).default_group_id;
  }
  return { guild_id: g.id, created, default_group_id: defaultGroupId, changed };
}

async function setPreferredLocale(trx: Tx, guildId: string, locale: string | null): Promise<number> {
  return (await trx.updateTable('guilds').set({ preferred_locale: locale }).where('id', '=', guildId)
    .where(sql<boolean>`preferred_locale IS DISTINCT FROM ${locale}`).returning('id').execute()).length;
}

/** `column` is not one of `ids`, as one array parameter (a guild can have more members than a statement has parameters). */
function notAmong(column: 'id' | 'user_id', ids: string[]) {
  return sql<boolean>`NOT (${sql.ref(column)} = ANY(${ids}::text[]))`;
}

/** Marks rows of the guild missing from `ids` as deleted (once: an already deleted row keeps its time). */
async function markMissing(trx: Tx, table: 'channels' | 'roles', guildId: string, ids: string[], at: Date): Promise<number> {
  const q = trx.updateTable(table).set({ deleted_at: at }).where('guild_id', '=', guildId).where('deleted_at', 'is', null);
  return (await q.where(notAmong('id', ids)).returning('id').execute()).length;
}

async function syncChannels(trx: Tx, guildId: string, at: Date, channels: Snapshot['channels']): Promise<number> {
  return (await upsertChannels(trx, guildId, channels)) + (await markMissing(trx, 'channels', guildId, channels.map((c) => c.id), at));
}

/** Writes the channels that differ from what is stored; returns how many. */
async function upsertChannels(trx: Tx, guildId: string, channels: Snapshot['channels']): Promise<number> {
  let n = 0;
  for (const part of chunks(channels, 500)) {
    const rows = await trx.insertInto('channels').values(part.map((c) => ({
      id: c.id, guild_id: guildId, name: c.name, type: c.type, parent_id: c.parent_id ?? null, position: c.position ?? 0,
      topic: c.topic ?? null, permission_overwrites: json(c.permission_overwrites ?? []), deleted_at: null,
    }))).onConflict((oc) => oc.column('id').doUpdateSet((eb) => ({
      guild_id: eb.ref('excluded.guild_id'), name: eb.ref('excluded.name'), type: eb.ref('excluded.type'),
      parent_id: eb.ref('excluded.parent_id'), position: eb.ref('excluded.position'), topic: eb.ref('excluded.topic'),
      permission_overwrites: eb.ref('excluded.permission_overwrites'), deleted_at: null,
    })).where(sql<boolean>`(channels.guild_id, channels.name, channels.type, channels.parent_id, channels.position, channels.topic, channels.permission_overwrites, channels.deleted_at)
      IS DISTINCT FROM (excluded.guild_id, excluded.name, excluded.type, excluded.parent_id, excluded.position, excluded.topic, excluded.permission_overwrites, NULL::timestamptz)`))
      .returning('id').execute();
    n += rows.length;
  }
  return n;
}

async function syncRoles(trx: Tx, guildId: string, at: Date, roles: Snapshot['roles']): Promise<number> {
  let n = 0;
  for (const part of chunks(roles, 500)) {
    const rows = await trx.insertInto('roles').values(part.map((r) => ({
      id: r.id, guild_id: guildId, name: r.name, color: r.color ?? 0, position: r.position ?? 0, hoist: r.hoist ?? false,
      permissions: r.permissions ?? '0', deleted_at: null,
    }))).onConflict((oc) => oc.column('id').doUpdateSet((eb) => ({
      guild_id: eb.ref('excluded.guild_id'), name: eb.ref('excluded.name'), color: eb.ref('excluded.color'),
      position: eb.ref('excluded.position'), hoist: eb.ref('excluded.hoist'), permissions: eb.ref('excluded.permissions'), deleted_at: null,
    })).where(sql<boolean>`(roles.guild_id, roles.name, roles.color, roles.position, roles.hoist, roles.permissions, roles.deleted_at)
      IS DISTINCT FROM (excluded.guild_id, excluded.name, excluded.color, excluded.position, excluded.hoist, excluded.permissions, NULL::timestamptz)`))
      .returning('id').execute();
    n += rows.length;
  }
  return n + (await markMissing(trx, 'roles', guildId, roles.map((r) => r.id), at));
}

async function syncEmojis(trx: Tx, guildId: string, emojis: Snapshot['emojis']): Promise<number> {
  let n = 0;
  for (const part of chunks(emojis, 500)) {
    const rows = await trx.insertInto('emojis').values(part.map((e) => ({ id: e.id, guild_id: guildId, name: e.name, animated: e.animated ?? false })))
      .onConflict((oc) => oc.column('id').doUpdateSet((eb) => ({ guild_id: eb.ref('excluded.guild_id'), name: eb.ref('excluded.name'), animated: eb.ref('excluded.animated') }))
        .where(sql<boolean>`(emojis.guild_id, emojis.name, emojis.animated) IS DISTINCT FROM (excluded.guild_id, excluded.name, excluded.animated)`))
      .returning('id').execute();
    n += rows.length;
  }
  // Emojis are not referenced by history, so removed ones are simply dropped.
  const del = trx.deleteFrom('emojis').where('guild_id', '=', guildId).where(notAmong('id', emojis.map((e) => e.id)));
  return n + (await del.returning('id').execute()).length;
}

async function syncUsers(trx: Tx, users: Array<Snapshot['members'][number]['user']>): Promise<number> {
  let n = 0;
  for (const part of chunks(users, 500)) {
    const rows = await trx.insertInto('users').values(part.map((u) => ({
      id: u.id, username: u.username, global_name: u.global_name ?? null, discriminator: u.discriminator ?? '0',
      avatar: u.avatar ?? null, bot: u.bot ?? false, locale: u.locale ?? null,
    }))).onConflict((oc) => oc.column('id').doUpdateSet((eb) => ({
      username: eb.ref('excluded.username'), global_name: eb.ref('excluded.global_name'), discriminator: eb.ref('excluded.discriminator'),
      avatar: eb.ref('excluded.avatar'), bot: eb.ref('excluded.bot'),
      // Member payloads carry no locale; keep one learnt elsewhere (interactions).
      locale: sql<string | null>`coalesce(excluded.locale, users.locale)`,
    })).where(sql<boolean>`(users.username, users.global_name, users.discriminator, users.avatar, users.bot, users.locale)
      IS DISTINCT FROM (excluded.username, excluded.global_name, excluded.discriminator, excluded.avatar, excluded.bot, coalesce(excluded.locale, users.locale))`))
      .returning('id').execute();
    n += rows.length;
  }
  return n;
}

async function syncMembers(trx: Tx, guildId: string, at: Date, members: Snapshot['members'], complete: boolean): Promise<number> {
  let n = 0;
  for (const part of chunks(members, 500)) {
    const rows = await trx.insertInto('members').values(part.map((m) => ({
      guild_id: guildId, user_id: m.user.id, nick: m.nick ?? null, roles: json(m.roles), joined_at: m.joined_at ? new Date(m.joined_at) : null, left_at: null,
    }))).onConflict((oc) => oc.columns(['guild_id', 'user_id']).doUpdateSet((eb) => ({
      nick: eb.ref('excluded.nick'), roles: eb.ref('excluded.roles'), joined_at: eb.ref('excluded.joined_at'), left_at: null,
    })).where(sql<boolean>`(members.nick, members.roles, members.joined_at, members.left_at)
      IS DISTINCT FROM (excluded.nick, excluded.roles, excluded.joined_at, NULL::timestamptz)`))
      .returning('user_id').execute();
    n += rows.length;
  }
  if (complete) {
    const q = trx.updateTable('members').set({ left_at: at }).where('guild_id', '=', guildId).where('left_at', 'is', null);
    n += (await q.where(notAmong('user_id', members.map((m) => m.user.id))).returning('user_id').execute()).length;
  }
  return n;
}

