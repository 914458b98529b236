/**
 * Ticket groups (Ticketeer's groups; Husqy panel ticket settings map onto them): where tickets open,
 * who staffs them, their form, working hours and levels. Exactly one live group per guild is the
 * default, and guilds.default_group_id always names it.
 */
import type { Updateable } from 'kysely';
import type { ClaimMode, FormField, GroupRow, GroupTranslations, Level, TicketGroupsTable, TicketMode, WeekSchedule } from '../db/schema.js';
import type { Actor } from './actor.js';
import type { Locale } from './locales.js';
import type { EngineContext } from './context.js';
import { conflict, invalid, type FieldIssue } from './errors.js';
import { requireTicketsModule } from './guards.js';
import { checkChannelRefs, checkRoleRefs, type ChannelRefCheck } from './guild-refs.js';
import { newId } from './ids.js';
import { pageWindow, type PageInput } from './paging.js';
import { loadGroup } from './tickets/lookup.js';
import { inTransaction, json, type Db, type Tx } from './tx.js';
import { groupView, type GroupView } from './views.js';

export const GROUP_CHANNEL_FIELDS = [
  'opened_channel_id', 'opened_category_id', 'closed_category_id', 'locked_category_id', 'assigned_category_id',
  'transcript_channel_id', 'form_channel_id', 'feedback_channel_id',
] as const;
type ChannelField = (typeof GROUP_CHANNEL_FIELDS)[number];

export interface GroupFields extends Partial<Record<ChannelField, string | null | undefined>> {
  name?: string | undefined;
  mode?: TicketMode | undefined;
  staff_role_ids?: string[] | undefined;
  name_template?: string | undefined;
  opening_message?: string | null | undefined;
  form_title?: string | null | undefined;
  form_fields?: FormField[] | undefined;
  schedule?: WeekSchedule | null | undefined;
  schedule_timezone?: string | null | undefined;
  priority_levels?: Level[] | undefined;
  rating_levels?: Level[] | undefined;
  per_user_limit?: number | null | undefined;
  private?: boolean | undefined;
  /** Close the owner's open tickets of this group when they leave the guild. */
  close_on_leave?: boolean | undefined;
  /** Close open tickets after this many hours without a message (null: never). */
  auto_close_hours?: number | null | undefined;
  /** Warn the owner this many hours before that close (null: no warning). */
  stale_warning_hours?: number | null | undefined;
  /** Seconds a member waits between opening tickets here (null: no wait). */
  cooldown_seconds?: number | null | undefined;
  /** Roles of which a member needs one to open a ticket here (empty: anyone may). */
  required_role_ids?: string[] | undefined;
  /** What other staff keep of a claimed channel ticket: everything (open), reading (read_only), nothing (private). */
  claim_mode?: ClaimMode | undefined;
  /** The language of the group's tickets when their owner's is unknown (null: the guild's). */
  locale?: Locale | null | undefined;
  /** The group's own texts per locale (opening message, form title and fields), for members of that locale. */
  translations?: GroupTranslations | undefined;
  is_default?: boolean | undefined;
}

/** A group as operations return it: the shared view plus settings only groups carry. */
export type GroupDetail = GroupView & {
  close_on_leave: boolean; auto_close_hours: number | null; stale_warning_hours: number | null; cooldown_seconds: number | null; required_role_ids: string[]; claim_mode: ClaimMode;
  locale: Locale | null; translations: GroupTranslations;
};
const detail = (row: GroupRow, count: number): GroupDetail => ({
  ...groupView(row, count), close_on_leave: row.close_on_leave, auto_close_hours: row.auto_close_hours, stale_warning_hours: row.stale_warning_hours,
  cooldown_seconds: row.cooldown_seconds, required_role_ids: row.required_role_ids, claim_mode: row.claim_mode,
  locale: row.locale as Locale | null, translations: row.translations,
});

export type CreateGroupInput = GroupFields & { guild_id: string; name: string };
export type UpdateGroupInput = GroupFields & { guild_id: string; group_id: string };

const NAME_VARIABLES = new Set(['number', 'id', 'owner_id']);
const DAYS = ['mo', 'tu', 'we', 'th', 'fr', 'sa', 'su'] as const;

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Rules on the group as it will be after the change (so an update is checked in full, not just its patch). */
export function checkGroupRules(g: {
  name_template: string; schedule: WeekSchedule | null; schedule_timezone: string | null;
  priority_levels: Level[]; rating_levels: Level[]; auto_close_hours: number | null; stale_warning_hours: number | null;
}): void {
  const issues: FieldIssue[] = [];
  if (g.stale_warning_hours !== null) {
    if (g.auto_close_hours === null) issues.push({ path: 'stale_warning_hours', message: 'a warning needs an inactivity close; set auto_close_hours too' });
    else if (g.stale_warning_hours >= g.auto_close_hours) issues.push({ path: 'stale_warning_hours', message: `must be less than auto_close_hours (${g.auto_close_hours})` });
  }
  for (const m of g.name_template.matchAll(/\{([^}]*)\}/g)) {
    if (!NAME_VARIABLES.has(m[1] as string)) issues.push({ path: 'name_template', message: `unknown variable {${m[1]}}; use {number}, {id} or {owner_id}` });
  }
  if (g.schedule_timezone !== null && !isTimeZone(g.schedule_timezone)) {
    issues.push({ path: 'schedule_timezone', message: `"${g.schedule_timezone}" is not an IANA time zone (for example Europe/Amsterdam or UTC)` });
  }
  if (g.schedule) {
    if (g.schedule_timezone === null) issues.push({ path: 'schedule_timezone', message: 'working hours need a time zone; set schedule_timezone (for example UTC)' });
    for (const day of DAYS) {
      const ranges = g.schedule[day] ?? [];
      ranges.forEach(([from, to], i) => {
        if (minutes(from) >= minutes(to)) issues.push({ path: `schedule.${day}.${i}`, message: `${from}–${to} must start before it ends (split a range that crosses midnight over two days)` });
      });
      const sorted = [...ranges].sort((a, b) => minutes(a[0]) - minutes(b[0]));
      for (let i = 1; i < sorted.length; i++) {
        if (minutes(sorted[i]![0]) < minutes(sorted[i - 1]![1])) issues.push({ path: `schedule.${day}`, message: 'ranges of one day must not overlap' });
      }
    }
  }
  for (const key of ['priority_levels', 'rating_levels'] as const) {
    if (g[key].filter((l) => l.default).length > 1) issues.push({ path: key, message: 'at most one level may be the default' });
  }
  if (issues.length) throw invalid(`${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}.`, issues);
}

function channelChecks(g: Partial<Record<ChannelField, string | null | undefined>>, mode: TicketMode): ChannelRefCheck[] {
  return GROUP_CHANNEL_FIELDS.map((field) => ({
    path: field, id: g[field],
    kind: field.endsWith('_category_id') ? 'category' : field === 'opened_channel_id' && mode === 'thread' ? 'thread-parent' : 'text',
  }));
}

/** Columns of a group insert/update from fields (undefined = leave as is). */
function columns(f: GroupFields): Updateable<TicketGroupsTable> {
  const out: Updateable<TicketGroupsTable> = {};
  if (f.name !== undefined) out.name = f.name;
  if (f.mode !== undefined) out.mode = f.mode;
  for (const field of GROUP_CHANNEL_FIELDS) {
    const value = f[field];
    if (value !== undefined) out[field] = value;
  }
  if (f.staff_role_ids !== undefined) out.staff_role_ids = json(f.staff_role_ids);
  if (f.name_template !== undefined) out.name_template = f.name_template;
  if (f.opening_message !== undefined) out.opening_message = f.opening_message;
  if (f.form_title !== undefined) out.form_title = f.form_title;
  if (f.form_fields !== undefined) out.form_fields = json(f.form_fields);
  if (f.schedule !== undefined) out.schedule = f.schedule === null ? null : json(f.schedule);
  if (f.schedule_timezone !== undefined) out.schedule_timezone = f.schedule_timezone;
  if (f.priority_levels !== undefined) out.priority_levels = json(f.priority_levels);
  if (f.rating_levels !== undefined) out.rating_levels = json(f.rating_levels);
  if (f.per_user_limit !== undefined) out.per_user_limit = f.per_user_limit;
  if (f.private !== undefined) out.private = f.private;
  if (f.close_on_leave !== undefined) out.close_on_leave = f.close_on_leave;
  if (f.auto_close_hours !== undefined) out.auto_close_hours = f.auto_close_hours;
  if (f.stale_warning_hours !== undefined) out.stale_warning_hours = f.stale_warning_hours;
  if (f.cooldown_seconds !== undefined) out.cooldown_seconds = f.cooldown_seconds;
  if (f.required_role_ids !== undefined) out.required_role_ids = json(f.required_role_ids);
  if (f.claim_mode !== undefined) out.claim_mode = f.claim_mode;
  if (f.locale !== undefined) out.locale = f.locale;
  if (f.translations !== undefined) out.translations = json(f.translations);
  return out;
}

/** Locks the guild row (then checks its module): default-group changes of one guild are serialized on it. */
const lockGuild = (trx: Tx, guildId: string) => requireTicketsModule(trx, guildId, { forUpdate: true });

async function makeDefault(trx: Tx, guildId: string, groupId: string, now: Date): Promise<void> {
  await trx.updateTable('ticket_groups').set({ is_default: false, updated_at: now })
    .where('guild_id', '=', guildId).where('is_default', '=', true).where('id', '!=', groupId).execute();
  await trx.updateTable('ticket_groups').set({ is_default: true, updated_at: now }).where('id', '=', groupId).execute();
  await trx.updateTable('guilds').set({ default_group_id: groupId, updated_at: now }).where('id', '=', guildId).execute();
}

/**
 * Inserts a group inside the caller's transaction (used by create, guild sync and panels). The first
 * group of a guild without a live default becomes the default. Checks rules, not channel references.
 */
export async function insertGroup(trx: Tx, now: Date, input: CreateGroupInput, opts: { checkRefs?: boolean } = {}): Promise<GroupRow> {
  const mode = input.mode ?? 'channel';
  checkGroupRules({
    name_template: input.name_template ?? 'ticket-{number}', schedule: input.schedule ?? null,
    schedule_timezone: input.schedule_timezone ?? null, priority_levels: input.priority_levels ?? [], rating_levels: input.rating_levels ?? [],
    auto_close_hours: input.auto_close_hours ?? null, stale_warning_hours: input.stale_warning_hours ?? null,
  });
  if (opts.checkRefs !== false) {
    await checkChannelRefs(trx, input.guild_id, channelChecks(input, mode));
    await checkRoleRefs(trx, input.guild_id, 'staff_role_ids', input.staff_role_ids ?? []);
    await checkRoleRefs(trx, input.guild_id, 'required_role_ids', input.required_role_ids ?? []);
  }
  const guild = await trx.selectFrom('guilds').select('default_group_id').where('id', '=', input.guild_id).executeTakeFirstOrThrow();
  const liveDefault = guild.default_group_id
    ? await trx.selectFrom('ticket_groups').select('id').where('id', '=', guild.default_group_id).where('deleted_at', 'is', null).executeTakeFirst()
    : undefined;
  const id = newId();
  await trx.insertInto('ticket_groups').values({
    staff_role_ids: json([]), form_fields: json([]), priority_levels: json([]), rating_levels: json([]),
    opened_channel_id: null, opened_category_id: null, closed_category_id: null, locked_category_id: null,
    assigned_category_id: null, transcript_channel_id: null, form_channel_id: null, feedback_channel_id: null,
    opening_message: null, form_title: null, schedule_timezone: null, per_user_limit: null,
    ...columns({ ...input, mode }),
    id, guild_id: input.guild_id, name: input.name, is_default: false, created_at: now, updated_at: now,
  }).execute();
  if (input.is_default || !liveDefault) await makeDefault(trx, input.guild_id, id, now);
  return trx.selectFrom('ticket_groups').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

/**
 * Applies a patch inside the caller's transaction, with every rule checked against the merged group.
 * Returns the updated row (unchanged row when the patch changes nothing).
 */
export async function patchGroup(trx: Tx, now: Date, current: GroupRow, patch: GroupFields, opts: { checkRefs?: boolean } = {}): Promise<GroupRow> {
  const merged = {
    name_template: patch.name_template ?? current.name_template,
    schedule: patch.schedule === undefined ? current.schedule : patch.schedule,
    schedule_timezone: patch.schedule_timezone === undefined ? current.schedule_timezone : patch.schedule_timezone,
    priority_levels: patch.priority_levels ?? current.priority_levels,
    rating_levels: patch.rating_levels ?? current.rating_levels,
    auto_close_hours: patch.auto_close_hours === undefined ? current.auto_close_hours : patch.auto_close_hours,
    stale_warning_hours: patch.stale_warning_hours === undefined ? current.stale_warning_hours : patch.stale_warning_hours,
  };
  checkGroupRules(merged);
  const mode = patch.mode ?? current.mode;
  if (opts.checkRefs !== false) {
    const changed = channelChecks(patch, mode).filter((c) => c.id !== undefined);
    // A mode switch re-checks the opened channel against the new mode.
    if (patch.mode && patch.mode !== current.mode && patch.opened_channel_id === undefined) {
      changed.push({ path: 'opened_channel_id', id: current.opened_channel_id, kind: mode === 'thread' ? 'thread-parent' : 'text' });
    }
    await checkChannelRefs(trx, current.guild_id, changed);
    if (patch.staff_role_ids) await checkRoleRefs(trx, current.guild_id, 'staff_role_ids', patch.staff_role_ids);
    if (patch.required_role_ids) await checkRoleRefs(trx, current.guild_id, 'required_role_ids', patch.required_role_ids);
  }
  if (patch.is_default === false && current.is_default) {
    throw conflict(`Group "${current.name}" is the default group of guild ${current.guild_id}; a guild always has one. Make another group the default (is_default: true on it) instead.`);
  }
  if (patch.mode && patch.mode !== current.mode) {
    const open = await openTicketCount(trx, current.id);
    if (open > 0) {
      throw conflict(`Group "${current.name}" has ${open} open ticket(s) in ${current.mode} mode; its mode can change only when none are open. Close or move them first, or create a new ${patch.mode} group.`);
    }
  }
  const cols = columns(patch);
  if (Object.keys(cols).length > 0) {
    await trx.updateTable('ticket_groups').set({ ...cols, updated_at: now }).where('id', '=', current.id).execute();
  }
  if (patch.is_default && !current.is_default) await makeDefault(trx, current.guild_id, current.id, now);
  return trx.selectFrom('ticket_groups').selectAll().where('id', '=', current.id).executeTakeFirstOrThrow();
}

/** Soft-deletes a group (closed tickets keep pointing at it) and detaches panel options that used it. */
export async function removeGroup(trx: Tx, now: Date, group: GroupRow): Promise<void> {
  if (group.is_default) {
    throw conflict(`Group "${group.name}" is the default group of guild ${group.guild_id}. Make another group the default first (update_ticket_group with is_default: true), then delete this one.`);
  }
  const open = await openTicketCount(trx, group.id);
  if (open > 0) {
    throw conflict(`Group "${group.name}" still has ${open} open ticket(s). Close them or move them to another group (move_ticket) first.`);
  }
  await trx.updateTable('ticket_groups').set({ deleted_at: now, is_default: false, updated_at: now }).where('id', '=', group.id).execute();
  await trx.updateTable('panel_options').set({ group_id: null }).where('group_id', '=', group.id).execute();
}

async function openTicketCount(db: Db | Tx, groupId: string): Promise<number> {
  const row = await db.selectFrom('tickets').select((eb) => eb.fn.countAll<string>().as('n'))
    .where('group_id', '=', groupId).where('status', '=', 'open').where('deleted_at', 'is', null).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Tickets per group, from the stats the tickets trigger keeps (a primary-key range read, not a scan). */
async function ticketCounts(db: Db | Tx, guildId: string, groupIds: string[]): Promise<Map<string, number>> {
  if (groupIds.length === 0) return new Map();
  const rows = await db.selectFrom('guild_stat_counts').select(['key', 'total_count'])
    .where('guild_id', '=', guildId).where('dimension', '=', 'group').where('key', 'in', groupIds).execute();
  return new Map(rows.map((r) => [r.key, Number(r.total_count)]));
}

export interface GroupPage { groups: GroupDetail[]; total: number; page: number; per_page: number }

export function createGroups(ctx: EngineContext) {
  const view = async (db: Db | Tx, row: GroupRow) => detail(row, (await ticketCounts(db, row.guild_id, [row.id])).get(row.id) ?? 0);
  const changed = (guildId: string) => ctx.changes.emit('guild', { guildId });

  return {
    async create(_actor: Actor, input: CreateGroupInput): Promise<GroupDetail> {
      const row = await inTransaction(ctx.db, async (trx) => {
        await lockGuild(trx, input.guild_id);
        return insertGroup(trx, ctx.now(), input);
      });
      changed(row.guild_id);
      return detail(row, 0);
    },

    async get(input: { guild_id: string; group_id: string }): Promise<GroupDetail> {
      await requireTicketsModule(ctx.db, input.guild_id);
      return view(ctx.db, await loadGroup(ctx.db, input.guild_id, input.group_id));
    },

    async list(input: { guild_id: string } & PageInput): Promise<GroupPage> {
      await requireTicketsModule(ctx.db, input.guild_id);
      const w = pageWindow(input);
      const base = ctx.db.selectFrom('ticket_groups').where('guild_id', '=', input.guild_id).where('deleted_at', 'is', null);
      const total = Number((await base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
      const rows = await base.selectAll().orderBy('created_at', 'asc').orderBy('id', 'asc').limit(w.perPage).offset(w.offset).execute();
      const counts = await ticketCounts(ctx.db, input.guild_id, rows.map((r) => r.id));
      return { groups: rows.map((r) => detail(r, counts.get(r.id) ?? 0)), total, page: w.page, per_page: w.perPage };
    },

    async update(_actor: Actor, input: UpdateGroupInput): Promise<GroupDetail> {
      const { guild_id, group_id, ...patch } = input;
      const row = await inTransaction(ctx.db, async (trx) => {
        await lockGuild(trx, guild_id);
        const current = await loadGroup(trx, guild_id, group_id);
        const next = await patchGroup(trx, ctx.now(), current, patch);
        return { row: next, view: await view(trx, next) };
      });
      changed(guild_id);
      return row.view;
    },

    async delete(_actor: Actor, input: { guild_id: string; group_id: string }): Promise<GroupDetail> {
      const result = await inTransaction(ctx.db, async (trx) => {
        await lockGuild(trx, input.guild_id);
        const group = await loadGroup(trx, input.guild_id, input.group_id);
        await removeGroup(trx, ctx.now(), group);
        const row = await trx.selectFrom('ticket_groups').selectAll().where('id', '=', group.id).executeTakeFirstOrThrow();
        return view(trx, row);
      });
      changed(input.guild_id);
      return result;
    },
  };
}
