/**
 * Ticket panels: the Discord message with buttons or a dropdown that users open tickets from, and
 * its options (Husqy's "ticket types"), each optionally pointing at a ticket group.
 *
 * Husqy keeps ticket settings (opened name, support role, categories, threads, form, opening message)
 * on the panel. Here those settings live in a ticket group the panel owns, so tickets opened from the
 * panel follow the same rules as every other ticket; the panel echoes the Husqy values back as given.
 * Every change that alters the Discord message writes a panel.post / panel.remove job in its transaction.
 */
import type { PanelOptionRow, PanelRow } from '../db/schema.js';
import type { Actor } from './actor.js';
import type { EngineContext } from './context.js';
import { EngineError, conflict, invalid, notFound } from './errors.js';
import { DEFAULT_FORM, FormFieldsSchema } from './forms.js';
import { requireTicketsModule } from './guards.js';
import { checkChannelRefs, checkRoleRefs, type ChannelRefCheck } from './guild-refs.js';
import { insertGroup, patchGroup, removeGroup, type GroupFields } from './groups.js';
import { newId } from './ids.js';
import { enqueueJobs, type JobInput } from './jobs.js';
import { pageWindow, type PageInput } from './paging.js';
import { loadGroup } from './tickets/lookup.js';
import { inTransaction, json, type Db, type Tx } from './tx.js';

export const PANEL_TYPES = ['create_button', 'ticket_type_button', 'dropdown'] as const;
export type PanelType = (typeof PANEL_TYPES)[number];
/** Discord allows 25 buttons (5 rows of 5) or 25 select options per message. */
export const PANEL_OPTION_LIMIT = 25;

/** A channel, category or role id, or 'create' to have the bot create a default one. */
export type IdOrCreate = string | 'create';

/** Husqy's per-panel ticket settings; stored on the panel and applied to the panel's own group. */
export interface PanelTicketSettings {
  form_enabled?: boolean | undefined;
  form_content?: string | null | undefined;
  ticket_opened_message_is_embed?: boolean | undefined;
  ticket_opened_message_content?: string | undefined;
  ticket_opened_name?: string | undefined;
  support_engineer_role_id?: IdOrCreate | null | undefined;
  open_tickets_categories?: string[] | undefined;
  closed_tickets_categories?: string[] | undefined;
  threads_enabled?: boolean | undefined;
}
const TICKET_KEYS = [
  'form_enabled', 'form_content', 'ticket_opened_message_is_embed', 'ticket_opened_message_content', 'ticket_opened_name',
  'support_engineer_role_id', 'open_tickets_categories', 'closed_tickets_categories', 'threads_enabled',
] as const satisfies ReadonlyArray<keyof PanelTicketSettings>;

export interface PanelFields extends PanelTicketSettings {
  name?: string | undefined;
  panel_type?: PanelType | undefined;
  channel_id?: IdOrCreate | null | undefined;
  category_id?: IdOrCreate | null | undefined;
  create_message_is_embed?: boolean | undefined;
  create_message_content?: string | undefined;
  title?: string | null | undefined;
  description?: string | null | undefined;
  color?: string | null | undefined;
  image_url?: string | null | undefined;
  thumbnail_url?: string | null | undefined;
  footer?: string | null | undefined;
  placeholder?: string | null | undefined;
  group_id?: string | null | undefined;
}

export type CreatePanelInput = PanelFields & { guild_id: string; name: string };
export type UpdatePanelInput = PanelFields & { guild_id: string; panel_id: string };

export interface PanelOptionInput {
  guild_id: string; panel_id: string; title: string; description?: string | null | undefined;
  emoji_name?: string | null | undefined; emoji_id?: string | null | undefined; group_id?: string | null | undefined;
  style?: number | undefined; position?: number | undefined;
}

/** What panels.settings holds beside the columns. */
interface PanelSettings {
  panel_type: PanelType;
  category_id: IdOrCreate | null;
  create_channel: boolean;
  create_message_is_embed: boolean;
  create_message_content: string;
  group_id: string | null;
  owns_group: boolean;
  ticket: PanelTicketSettings;
}

export interface PanelOptionView {
  id: string; panel_id: string; guild_id: string; title: string; description: string | null;
  emoji_name: string | null; emoji_id: string | null; group_id: string | null; style: number; position: number; created_at: string;
}

export interface PanelView {
  id: string; guild_id: string; name: string; panel_type: PanelType; component: 'buttons' | 'select';
  channel_id: IdOrCreate | null; category_id: IdOrCreate | null; message_id: string | null;
  create_message_is_embed: boolean; create_message_content: string;
  title: string | null; description: string | null; color: string | null; image_url: string | null;
  thumbnail_url: string | null; footer: string | null; placeholder: string | null;
  group_id: string | null; owns_group: boolean;
  form_enabled: boolean | null; form_content: string | null; ticket_opened_message_is_embed: boolean | null;
  ticket_opened_message_content: string | null; ticket_opened_name: string | null;
  support_engineer_role_id: IdOrCreate | null; open_tickets_categories: string[] | null; closed_tickets_categories: string[] | null;
  threads_enabled: boolean | null;
  options: PanelOptionView[];
  created_at: string; updated_at: string;
}

function settingsOf(row: PanelRow): PanelSettings {
  const s = row.settings as Partial<PanelSettings>;
  return {
    panel_type: s.panel_type ?? (row.component === 'select' ? 'dropdown' : 'ticket_type_button'),
    category_id: s.category_id ?? null, create_channel: s.create_channel ?? false,
    create_message_is_embed: s.create_message_is_embed ?? true, create_message_content: s.create_message_content ?? 'default',
    group_id: s.group_id ?? null, owns_group: s.owns_group ?? false, ticket: s.ticket ?? {},
  };
}

export function optionView(row: PanelOptionRow): PanelOptionView {
  const s = row.settings as { emoji_id?: string | null };
  return {
    id: row.id, panel_id: row.panel_id, guild_id: row.guild_id, title: row.label, description: row.description,
    emoji_name: row.emoji, emoji_id: s.emoji_id ?? null, group_id: row.group_id, style: row.style, position: row.position,
    created_at: row.created_at.toISOString(),
  };
}

export function panelView(row: PanelRow, options: PanelOptionRow[]): PanelView {
  const s = settingsOf(row);
  const t = s.ticket;
  return {
    id: row.id, guild_id: row.guild_id, name: row.name, panel_type: s.panel_type, component: row.component,
    channel_id: row.channel_id ?? (s.create_channel ? 'create' : null), category_id: s.category_id, message_id: row.message_id,
    create_message_is_embed: s.create_message_is_embed, create_message_content: s.create_message_content,
    title: row.title, description: row.description, color: row.color, image_url: row.image_url,
    thumbnail_url: row.thumbnail_url, footer: row.footer, placeholder: row.placeholder,
    group_id: s.group_id, owns_group: s.owns_group,
    form_enabled: t.form_enabled ?? null, form_content: t.form_content ?? null,
    ticket_opened_message_is_embed: t.ticket_opened_message_is_embed ?? null,
    ticket_opened_message_content: t.ticket_opened_message_content ?? null, ticket_opened_name: t.ticket_opened_name ?? null,
    support_engineer_role_id: t.support_engineer_role_id ?? null,
    open_tickets_categories: t.open_tickets_categories ?? null, closed_tickets_categories: t.closed_tickets_categories ?? null,
    threads_enabled: t.threads_enabled ?? null,
    options: options.map(optionView),
    created_at: row.created_at.toISOString(), updated_at: row.updated_at.toISOString(),
  };
}

/** The Husqy ticket settings a create/update names (keys left undefined are not given); null when it names none. */
function givenTicketSettings(f: PanelTicketSettings): PanelTicketSettings | null {
  const given = Object.fromEntries(TICKET_KEYS.map((k) => [k, f[k]]).filter(([, v]) => v !== undefined)) as PanelTicketSettings;
  return Object.keys(given).length > 0 ? given : null;
}
const snowflakeOrNull = (v: IdOrCreate | null | undefined) => (v && v !== 'create' ? v : null);

/** Husqy form_content: 'default', or JSON — an array of fields or {title, fields}. */
function parseForm(content: string | null | undefined): { title: string | null; fields: GroupFields['form_fields'] } {
  if (content === undefined || content === null || content.trim() === '' || content === 'default') return { title: null, fields: DEFAULT_FORM };
  let parsed: unknown;
  try { parsed = JSON.parse(content); } catch {
    throw invalid('form_content must be "default" or JSON: an array of up to 5 fields, or {"title": "...", "fields": [...]}, each field like {"label": "Your question", "style": 2}.', [{ path: 'form_content', message: 'not JSON' }]);
  }
  const obj = Array.isArray(parsed) ? { fields: parsed } : (parsed as { title?: unknown; fields?: unknown });
  const fields = FormFieldsSchema.safeParse(obj?.fields);
  if (!fields.success || fields.data.length === 0 || (obj.title !== undefined && (typeof obj.title !== 'string' || obj.title.length > 45))) {
    const why = fields.success ? (fields.data.length === 0 ? 'it has no fields' : 'its title must be a string of at most 45 characters') : fields.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw invalid(`form_content is not a usable form (${why}). Give 1 to 5 fields, each with a label of at most 45 characters.`, [{ path: 'form_content', message: why }]);
  }
  return { title: typeof obj.title === 'string' ? obj.title : null, fields: fields.data };
}

/** Husqy ticket settings → the fields of the panel's own ticket group (only the keys that were given). */
function ticketSettingsToGroup(t: PanelTicketSettings, merged: PanelTicketSettings, panelChannel: string | null): GroupFields {
  const g: GroupFields = {};
  if (t.threads_enabled !== undefined) {
    g.mode = t.threads_enabled ? 'thread' : 'channel';
    // Husqy opens ticket threads in the panel's channel.
    if (t.threads_enabled && panelChannel) g.opened_channel_id = panelChannel;
  }
  if (t.ticket_opened_name !== undefined) g.name_template = t.ticket_opened_name;
  if (t.ticket_opened_message_content !== undefined) {
    g.opening_message = t.ticket_opened_message_content === 'default' ? null : t.ticket_opened_message_content;
  }
  if (t.support_engineer_role_id !== undefined) g.staff_role_ids = snowflakeOrNull(t.support_engineer_role_id) ? [t.support_engineer_role_id as string] : [];
  if (t.open_tickets_categories !== undefined) g.opened_category_id = t.open_tickets_categories[0] ?? null;
  if (t.closed_tickets_categories !== undefined) g.closed_category_id = t.closed_tickets_categories[0] ?? null;
  if (t.form_enabled !== undefined || t.form_content !== undefined) {
    if (merged.form_enabled) {
      const form = parseForm(merged.form_content);
      g.form_fields = form.fields;
      g.form_title = form.title;
    } else {
      g.form_fields = [];
      g.form_title = null;
    }
  }
  return g;
}

function refChecks(f: PanelFields): ChannelRefCheck[] {
  return [
    { path: 'channel_id', id: snowflakeOrNull(f.channel_id), kind: 'text' },
    { path: 'category_id', id: snowflakeOrNull(f.category_id), kind: 'category' },
    ...(f.open_tickets_categories ?? []).map((id, i) => ({ path: `open_tickets_categories.${i}`, id, kind: 'category' as const })),
    ...(f.closed_tickets_categories ?? []).map((id, i) => ({ path: `closed_tickets_categories.${i}`, id, kind: 'category' as const })),
  ];
}

async function checkPanelRefs(trx: Tx, guildId: string, f: PanelFields, channelId: string | null, categoryId: string | null): Promise<void> {
  await checkChannelRefs(trx, guildId, refChecks(f));
  const role = snowflakeOrNull(f.support_engineer_role_id);
  if (role) await checkRoleRefs(trx, guildId, 'support_engineer_role_id', [role]);
  // Husqy: the panel channel must sit in the panel category.
  if (channelId && categoryId && (f.channel_id !== undefined || f.category_id !== undefined)) {
    const ch = await trx.selectFrom('channels').select('parent_id').where('id', '=', channelId).where('guild_id', '=', guildId).executeTakeFirst();
    if (ch && ch.parent_id !== categoryId) {
      throw invalid(`channel_id ${channelId} is not in category ${categoryId}. Pick a channel inside that category, or set category_id to its category (${ch.parent_id ?? 'none'}).`, [{ path: 'channel_id', message: 'not in category_id' }]);
    }
  }
}

/** Group field → the Husqy panel field it came from. */
const PANEL_FIELD_OF: Record<string, string> = {
  name_template: 'ticket_opened_name', opening_message: 'ticket_opened_message_content', staff_role_ids: 'support_engineer_role_id',
  opened_category_id: 'open_tickets_categories', closed_category_id: 'closed_tickets_categories', form_fields: 'form_content', mode: 'threads_enabled',
};

function asPanelError(err: EngineError): EngineError {
  const rename = (path: string) => {
    const head = path.split('.')[0] ?? path;
    return PANEL_FIELD_OF[head] ?? path;
  };
  let message = err.message;
  for (const [from, to] of Object.entries(PANEL_FIELD_OF)) message = message.replaceAll(`${from}:`, `${to}:`);
  return new EngineError('invalid', message, { ...err.details, fields: (err.details.fields ?? []).map((f) => ({ ...f, path: rename(f.path) })) });
}

async function loadPanel(db: Db | Tx, guildId: string, panelId: string, forUpdate = false): Promise<PanelRow> {
  let q = db.selectFrom('panels').selectAll().where('id', '=', panelId).where('guild_id', '=', guildId);
  if (forUpdate) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  if (!row) throw notFound(`No panel ${panelId} in guild ${guildId}. List them with list_panels.`);
  return row;
}

async function loadOptions(db: Db | Tx, panelIds: string[]): Promise<Map<string, PanelOptionRow[]>> {
  const out = new Map<string, PanelOptionRow[]>(panelIds.map((id) => [id, []]));
  if (panelIds.length === 0) return out;
  const rows = await db.selectFrom('panel_options').selectAll().where('panel_id', 'in', panelIds)
    .orderBy('position', 'asc').orderBy('created_at', 'asc').orderBy('id', 'asc').execute();
  for (const r of rows) out.get(r.panel_id)?.push(r);
  return out;
}

/** The job that (re)posts a panel message; the driver reads the panel's current state when it runs. */
function postJob(row: PanelRow): JobInput | null {
  const s = settingsOf(row);
  if (!row.channel_id && !s.create_channel) return null;
  return {
    guildId: row.guild_id, kind: 'panel.post',
    payload: {
      panel_id: row.id, channel_id: row.channel_id, message_id: row.message_id, create_channel: s.create_channel,
      category_id: snowflakeOrNull(s.category_id), create_category: s.category_id === 'create',
      create_support_role: s.ticket.support_engineer_role_id === 'create',
    },
  };
}

const removeJob = (row: PanelRow): JobInput | null => (row.channel_id && row.message_id
  ? { guildId: row.guild_id, kind: 'panel.remove', payload: { panel_id: row.id, channel_id: row.channel_id, message_id: row.message_id } }
  : null);

export interface PanelPage { panels: PanelView[]; total: number; page: number; per_page: number }

export function createPanels(ctx: EngineContext) {
  const commit = async <T>(guildId: string, fn: (trx: Tx, jobs: JobInput[]) => Promise<T>): Promise<T> => {
    const jobs: JobInput[] = [];
    const result = await inTransaction(ctx.db, async (trx) => {
      await requireTicketsModule(trx, guildId);
      const out = await fn(trx, jobs);
      await enqueueJobs(trx, jobs);
      return out;
    });
    ctx.changes.emit('guild', { guildId });
    if (jobs.length) ctx.changes.emit('jobs', { count: jobs.length });
    return result;
  };
  const full = async (db: Db | Tx, row: PanelRow) => panelView(row, (await loadOptions(db, [row.id])).get(row.id) ?? []);
  const push = (jobs: JobInput[], job: JobInput | null) => { if (job) jobs.push(job); };

  /** Creates or updates the panel's own group from its ticket settings, reporting problems under the panel's field names. */
  async function applyTicketSettings(trx: Tx, panel: { guild_id: string; name: string; channel: string | null }, s: PanelSettings, given: PanelTicketSettings): Promise<void> {
    try {
      await applyTicketSettingsRaw(trx, panel, s, given);
    } catch (err) {
      throw err instanceof EngineError && err.code === 'invalid' ? asPanelError(err) : err;
    }
  }

  async function applyTicketSettingsRaw(trx: Tx, panel: { guild_id: string; name: string; channel: string | null }, s: PanelSettings, given: PanelTicketSettings): Promise<void> {
    const merged: PanelTicketSettings = { ...s.ticket, ...given };
    const fields = ticketSettingsToGroup(given, merged, panel.channel);
    const now = ctx.now();
    if (s.owns_group && s.group_id) {
      const current = await trx.selectFrom('ticket_groups').selectAll().where('id', '=', s.group_id).where('deleted_at', 'is', null).executeTakeFirst();
      if (current) {
        await patchGroup(trx, now, current, fields, { checkRefs: false });
        s.ticket = merged;
        return;
      }
    }
    const all = ticketSettingsToGroup(merged, merged, panel.channel);
    const group = await insertGroup(trx, now, { ...all, guild_id: panel.guild_id, name: `${panel.name} tickets`.slice(0, 100) }, { checkRefs: false });
    s.group_id = group.id;
    s.owns_group = true;
    s.ticket = merged;
  }

  return {
    async create(_actor: Actor, input: CreatePanelInput): Promise<PanelView> {
      const ticket = givenTicketSettings(input);
      if (ticket && input.group_id) {
        throw invalid('Give either group_id (use an existing ticket group) or the ticket settings (form, ticket_opened_*, support_engineer_role_id, *_tickets_categories, threads_enabled), not both.', [{ path: 'group_id', message: 'conflicts with ticket settings' }]);
      }
      return commit(input.guild_id, async (trx, jobs) => {
        const channelId = snowflakeOrNull(input.channel_id);
        await checkPanelRefs(trx, input.guild_id, input, channelId, snowflakeOrNull(input.category_id));
        if (input.group_id) await loadGroup(trx, input.guild_id, input.group_id);
        const s: PanelSettings = {
          panel_type: input.panel_type ?? 'ticket_type_button', category_id: input.category_id ?? null,
          create_channel: input.channel_id === 'create', create_message_is_embed: input.create_message_is_embed ?? true,
          create_message_content: input.create_message_content ?? 'default', group_id: input.group_id ?? null, owns_group: false, ticket: {},
        };
        if (ticket) await applyTicketSettings(trx, { guild_id: input.guild_id, name: input.name, channel: channelId }, s, ticket);
        const now = ctx.now();
        const row = await trx.insertInto('panels').values({
          id: newId(), guild_id: input.guild_id, name: input.name, channel_id: channelId, message_id: null,
          title: input.title ?? null, description: input.description ?? null, color: input.color ?? null,
          image_url: input.image_url ?? null, thumbnail_url: input.thumbnail_url ?? null, footer: input.footer ?? null,
          component: s.panel_type === 'dropdown' ? 'select' : 'buttons', placeholder: input.placeholder ?? null,
          settings: json(s), created_at: now, updated_at: now,
        }).returningAll().executeTakeFirstOrThrow();
        push(jobs, postJob(row));
        return panelView(row, []);
      });
    },

    async get(input: { guild_id: string; panel_id: string }): Promise<PanelView> {
      await requireTicketsModule(ctx.db, input.guild_id);
      return full(ctx.db, await loadPanel(ctx.db, input.guild_id, input.panel_id));
    },

    async list(input: { guild_id: string } & PageInput): Promise<PanelPage> {
      await requireTicketsModule(ctx.db, input.guild_id);
      const w = pageWindow(input);
      const base = ctx.db.selectFrom('panels').where('guild_id', '=', input.guild_id);
      const total = Number((await base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
      const rows = await base.selectAll().orderBy('created_at', 'asc').orderBy('id', 'asc').limit(w.perPage).offset(w.offset).execute();
      const options = await loadOptions(ctx.db, rows.map((r) => r.id));
      return { panels: rows.map((r) => panelView(r, options.get(r.id) ?? [])), total, page: w.page, per_page: w.perPage };
    },

    async update(_actor: Actor, input: UpdatePanelInput): Promise<PanelView> {
      const { guild_id, panel_id, ...patch } = input;
      return commit(guild_id, async (trx, jobs) => {
        const old = await loadPanel(trx, guild_id, panel_id, true);
        const s = settingsOf(old);
        const ticket = givenTicketSettings(patch);
        if (ticket && patch.group_id) {
          throw invalid('Give either group_id or the ticket settings, not both: ticket settings configure the ticket group this panel owns.', [{ path: 'group_id', message: 'conflicts with ticket settings' }]);
        }
        if (ticket && patch.group_id === undefined && s.group_id && !s.owns_group) {
          throw invalid(`This panel opens tickets in the shared ticket group ${s.group_id}; change that group with update_ticket_group, or set group_id to null here to give the panel its own ticket settings.`, [{ path: 'group_id', message: 'panel uses a shared group' }]);
        }
        const channelId = patch.channel_id === undefined ? old.channel_id : snowflakeOrNull(patch.channel_id);
        const categoryId = snowflakeOrNull(patch.category_id === undefined ? s.category_id : patch.category_id);
        await checkPanelRefs(trx, guild_id, patch, channelId, categoryId);
        if (patch.group_id !== undefined) {
          if (patch.group_id) await loadGroup(trx, guild_id, patch.group_id);
          // The panel's own group (if any) stays as an ordinary group: it may hold tickets.
          s.group_id = patch.group_id;
          s.owns_group = false;
        }
        if (patch.panel_type !== undefined) s.panel_type = patch.panel_type;
        if (patch.category_id !== undefined) s.category_id = patch.category_id;
        if (patch.channel_id !== undefined) s.create_channel = patch.channel_id === 'create';
        if (patch.create_message_is_embed !== undefined) s.create_message_is_embed = patch.create_message_is_embed;
        if (patch.create_message_content !== undefined) s.create_message_content = patch.create_message_content;
        if (ticket) await applyTicketSettings(trx, { guild_id, name: patch.name ?? old.name, channel: channelId }, s, ticket);
        const moved = patch.channel_id !== undefined && channelId !== old.channel_id;
        const row = await trx.updateTable('panels').set({
          ...(patch.name !== undefined ? { name: patch.name } : {}),
          ...(patch.title !== undefined ? { title: patch.title } : {}),
          ...(patch.description !== undefined ? { description: patch.description } : {}),
          ...(patch.color !== undefined ? { color: patch.color } : {}),
          ...(patch.image_url !== undefined ? { image_url: patch.image_url } : {}),
          ...(patch.thumbnail_url !== undefined ? { thumbnail_url: patch.thumbnail_url } : {}),
          ...(patch.footer !== undefined ? { footer: patch.footer } : {}),
          ...(patch.placeholder !== undefined ? { placeholder: patch.placeholder } : {}),
          component: s.panel_type === 'dropdown' ? 'select' : 'buttons',
          channel_id: channelId, message_id: moved ? null : old.message_id,
          settings: json(s), updated_at: ctx.now(),
        }).where('id', '=', old.id).returningAll().executeTakeFirstOrThrow();
        if (moved) push(jobs, removeJob(old));
        push(jobs, postJob(row));
        return full(trx, row);
      });
    },

    async delete(_actor: Actor, input: { guild_id: string; panel_id: string }): Promise<PanelView> {
      return commit(input.guild_id, async (trx, jobs) => {
        const row = await loadPanel(trx, input.guild_id, input.panel_id, true);
        const view = await full(trx, row);
        await trx.deleteFrom('panels').where('id', '=', row.id).execute();
        // The panel's own ticket settings go with it, unless its group is the default or still has open tickets.
        const s = settingsOf(row);
        if (s.owns_group && s.group_id) {
          const group = await trx.selectFrom('ticket_groups').selectAll().where('id', '=', s.group_id).where('deleted_at', 'is', null).executeTakeFirst();
          if (group) await removeGroup(trx, ctx.now(), group).catch((err: unknown) => { if (!(err instanceof EngineError && err.code === 'conflict')) throw err; });
        }
        push(jobs, removeJob(row));
        return view;
      });
    },

    async addOption(_actor: Actor, input: PanelOptionInput): Promise<PanelOptionView> {
      return commit(input.guild_id, async (trx, jobs) => {
        const panel = await loadPanel(trx, input.guild_id, input.panel_id, true);
        if (input.group_id) await loadGroup(trx, input.guild_id, input.group_id);
        const existing = await trx.selectFrom('panel_options').select(['position']).where('panel_id', '=', panel.id).execute();
        if (existing.length >= PANEL_OPTION_LIMIT) {
          throw conflict(`Panel "${panel.name}" already has ${PANEL_OPTION_LIMIT} ticket types, the most one Discord message can show. Remove one (delete_panel_option) or create another panel.`);
        }
        if (panel.component === 'buttons' && input.title.length > 80) {
          throw invalid('title is longer than 80 characters, the most a Discord button label shows. Shorten it, or make the panel a dropdown.', [{ path: 'title', message: 'more than 80 characters for a button' }]);
        }
        const position = input.position ?? existing.reduce((max, o) => Math.max(max, o.position + 1), 0);
        const row = await trx.insertInto('panel_options').values({
          id: newId(), panel_id: panel.id, guild_id: panel.guild_id, group_id: input.group_id ?? null, label: input.title,
          description: input.description ?? null, emoji: input.emoji_name ?? null, style: input.style ?? 1, position,
          settings: json({ emoji_id: input.emoji_id ?? null }), created_at: ctx.now(),
        }).returningAll().executeTakeFirstOrThrow();
        await trx.updateTable('panels').set({ updated_at: ctx.now() }).where('id', '=', panel.id).execute();
        push(jobs, postJob(panel));
        return optionView(row);
      });
    },

    async listOptions(input: { guild_id: string; panel_id: string }): Promise<{ panel_id: string; options: PanelOptionView[] }> {
      await requireTicketsModule(ctx.db, input.guild_id);
      const panel = await loadPanel(ctx.db, input.guild_id, input.panel_id);
      return { panel_id: panel.id, options: ((await loadOptions(ctx.db, [panel.id])).get(panel.id) ?? []).map(optionView) };
    },

    async getOption(input: { guild_id: string; panel_id: string; option_id: string }): Promise<PanelOptionView> {
      await requireTicketsModule(ctx.db, input.guild_id);
      await loadPanel(ctx.db, input.guild_id, input.panel_id);
      return optionView(await loadOption(ctx.db, input));
    },

    async deleteOption(_actor: Actor, input: { guild_id: string; panel_id: string; option_id: string }): Promise<PanelOptionView> {
      return commit(input.guild_id, async (trx, jobs) => {
        const panel = await loadPanel(trx, input.guild_id, input.panel_id, true);
        const row = await loadOption(trx, input);
        await trx.deleteFrom('panel_options').where('id', '=', row.id).execute();
        await trx.updateTable('panels').set({ updated_at: ctx.now() }).where('id', '=', panel.id).execute();
        push(jobs, postJob(panel));
        return optionView(row);
      });
    },
  };
}

/** An option of a panel the caller has already loaded (so an unknown panel is reported as such first). */
async function loadOption(db: Db | Tx, input: { guild_id: string; panel_id: string; option_id: string }): Promise<PanelOptionRow> {
  const row = await db.selectFrom('panel_options').selectAll().where('id', '=', input.option_id)
    .where('panel_id', '=', input.panel_id).where('guild_id', '=', input.guild_id).executeTakeFirst();
  if (!row) throw notFound(`No ticket type ${input.option_id} on panel ${input.panel_id}. List them with list_panel_options.`);
  return row;
}
