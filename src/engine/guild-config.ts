/**
 * A guild's ticket configuration as one JSON document: its ticket groups, saved custom messages and
 * blocks. Export it to back a server up or to copy its setup; import it to restore or copy that
 * setup. Import matches by name (groups and messages) or target (blocks), updates what exists and
 * creates what does not, and runs every change in one transaction: all of it lands or none does.
 * Channel and role ids can be mapped (old → new) for a config exported from another server.
 */
import { EventEmitter } from 'node:events';
import type { GroupRow } from '../db/schema.js';
import type { Actor } from './actor.js';
import { createBlocks } from './blocks.js';
import type { ChangeEvents, EngineContext } from './context.js';
import { createCustomMessages, type CustomMessageFields } from './custom-messages.js';
import { cancelled, conflict, EngineError } from './errors.js';
import { requireTicketsModule } from './guards.js';
import { createGroups, GROUP_CHANNEL_FIELDS, type GroupFields } from './groups.js';
import type { Locale } from './locales.js';
import { inTransaction } from './tx.js';

export const GUILD_CONFIG_FORMAT = 'ticketbridge.guild_config';
export const GUILD_CONFIG_VERSION = 1;

export type GroupConfig = GroupFields & { name: string };
export type CustomMessageConfig = CustomMessageFields & { name: string };
export interface BlockConfig { user_id?: string | undefined; role_id?: string | undefined; reason?: string | null | undefined }

export interface GuildConfig {
  format: typeof GUILD_CONFIG_FORMAT;
  version: typeof GUILD_CONFIG_VERSION;
  guild_id: string;
  exported_at: string;
  groups: GroupConfig[];
  custom_messages: Array<{ name: string; content: string | null; embeds: unknown[]; components: unknown[]; auto_keywords: string[] }>;
  blocks: BlockConfig[];
}

export interface ImportInput {
  guild_id: string;
  config: { groups: GroupConfig[]; custom_messages: CustomMessageConfig[]; blocks: BlockConfig[] };
  /** Channel and role ids to replace (old → new) before importing. */
  id_map?: Record<string, string> | undefined;
  dry_run?: boolean | undefined;
}

export interface ImportSummary {
  dry_run: boolean;
  groups: { created: string[]; updated: string[] };
  custom_messages: { created: string[]; updated: string[] };
  blocks: { added: number };
}

function groupConfig(row: GroupRow): GroupConfig {
  const out: GroupConfig = {
    name: row.name, mode: row.mode, is_default: row.is_default,
    staff_role_ids: row.staff_role_ids, name_template: row.name_template, opening_message: row.opening_message,
    form_title: row.form_title, form_fields: row.form_fields, schedule: row.schedule, schedule_timezone: row.schedule_timezone,
    priority_levels: row.priority_levels, rating_levels: row.rating_levels, per_user_limit: row.per_user_limit, private: row.private,
    close_on_leave: row.close_on_leave, auto_close_hours: row.auto_close_hours, stale_warning_hours: row.stale_warning_hours,
    cooldown_seconds: row.cooldown_seconds, required_role_ids: row.required_role_ids, claim_mode: row.claim_mode,
    locale: row.locale as Locale | null, translations: row.translations,
  };
  for (const field of GROUP_CHANNEL_FIELDS) out[field] = row[field];
  return out;
}

/** Replaces mapped ids in every channel and role reference of a group or block. */
function remapGroup(g: GroupConfig, map: ReadonlyMap<string, string>): GroupConfig {
  const id = (v: string) => map.get(v) ?? v;
  const out: GroupConfig = { ...g };
  for (const field of GROUP_CHANNEL_FIELDS) {
    const v = g[field];
    if (typeof v === 'string') out[field] = id(v);
  }
  if (g.staff_role_ids) out.staff_role_ids = g.staff_role_ids.map(id);
  if (g.required_role_ids) out.required_role_ids = g.required_role_ids.map(id);
  return out;
}

/** An engine error raised for one entry, re-worded to say which entry and re-pathed under it. */
function inEntry(err: unknown, path: string, label: string): unknown {
  if (!(err instanceof EngineError)) return err;
  const fields = err.details.fields?.map((f) => ({ ...f, path: `${path}.${f.path}` }));
  return new EngineError(err.code, `${path} (${label}): ${err.message}`, { ...err.details, ...(fields ? { fields } : {}) });
}

class DryRunDone extends Error {
  constructor(readonly summary: ImportSummary) { super('dry run'); }
}

interface Named { id: string; name: string }

/**
 * Updates each entry's namesake (names compared without case) or creates it, recording which; an
 * entry's error names the entry. Two namesakes in the guild are a conflict: which one to update?
 */
async function upsertByName<T extends { name: string }>(
  guildId: string, section: 'groups' | 'custom_messages', entries: readonly T[], existing: Named[], done: { created: string[]; updated: string[] },
  run: { update: (id: string, entry: T) => Promise<unknown>; create: (entry: T) => Promise<Named> },
): Promise<void> {
  for (const [i, entry] of entries.entries()) {
    const hits = existing.filter((r) => r.name.trim().toLowerCase() === entry.name.trim().toLowerCase());
    const what = section === 'groups' ? 'ticket groups' : 'custom messages';
    if (hits.length > 1) throw conflict(`Guild ${guildId} has ${hits.length} ${what} called "${entry.name}", so the import cannot tell which to update. Rename one of them first.`);
    try {
      if (hits[0]) {
        await run.update(hits[0].id, entry);
        done.updated.push(entry.name);
      } else {
        const made = await run.create(entry);
        existing.push({ id: made.id, name: made.name });
        done.created.push(entry.name);
      }
    } catch (err) { throw inEntry(err, `config.${section}.${i}`, entry.name); }
  }
}

export function createGuildConfig(ctx: EngineContext) {
  return {
    async export(input: { guild_id: string }, opts: { signal?: AbortSignal | undefined } = {}): Promise<GuildConfig> {
      if (opts.signal?.aborted) throw cancelled();
      await requireTicketsModule(ctx.db, input.guild_id);
      const [groups, messages, blocks] = await Promise.all([
        ctx.db.selectFrom('ticket_groups').selectAll().where('guild_id', '=', input.guild_id).where('deleted_at', 'is', null).orderBy('created_at').orderBy('id').execute(),
        ctx.db.selectFrom('custom_messages').selectAll().where('guild_id', '=', input.guild_id).orderBy('created_at').orderBy('id').execute(),
        ctx.db.selectFrom('ticket_blocks').selectAll().where('guild_id', '=', input.guild_id).orderBy('created_at').orderBy('target_type').orderBy('target_id').execute(),
      ]);
      if (opts.signal?.aborted) throw cancelled();
      return {
        format: GUILD_CONFIG_FORMAT, version: GUILD_CONFIG_VERSION, guild_id: input.guild_id, exported_at: ctx.now().toISOString(),
        groups: groups.map(groupConfig),
        custom_messages: messages.map((m) => ({ name: m.name, content: m.content, embeds: m.embeds, components: m.components, auto_keywords: m.auto_keywords })),
        blocks: blocks.map((b) => ({ ...(b.target_type === 'user' ? { user_id: b.target_id } : { role_id: b.target_id }), reason: b.reason })),
      };
    },

    /** All or nothing; a cancel (`signal`) between its steps rolls everything back. */
    async import(actor: Actor, input: ImportInput, opts: { signal?: AbortSignal | undefined } = {}): Promise<ImportSummary> {
      const step = () => { if (opts.signal?.aborted) throw cancelled(); };
      const map = new Map(Object.entries(input.id_map ?? {}));
      const summary: ImportSummary = { dry_run: input.dry_run === true, groups: { created: [], updated: [] }, custom_messages: { created: [], updated: [] }, blocks: { added: 0 } };
      try {
        await inTransaction(ctx.db, async (trx) => {
          step();
          await requireTicketsModule(trx, input.guild_id, { forUpdate: true });
          // The modules themselves, on this transaction (their own transactions join it); what
          // they announce waits for the commit.
          const scoped: EngineContext = { ...ctx, db: trx, changes: new EventEmitter<ChangeEvents>() };
          const groups = createGroups(scoped);
          const messages = createCustomMessages(scoped);
          const blocks = createBlocks(scoped);
          const existingGroups = await trx.selectFrom('ticket_groups').select(['id', 'name']).where('guild_id', '=', input.guild_id).where('deleted_at', 'is', null).execute();
          await upsertByName(input.guild_id, 'groups', input.config.groups.map((g) => remapGroup(g, map)), existingGroups, summary.groups, {
            update: (id, g) => groups.update(actor, { ...g, guild_id: input.guild_id, group_id: id }),
            create: (g) => groups.create(actor, { ...g, guild_id: input.guild_id }),
          });
          step();
          const existingMessages = await trx.selectFrom('custom_messages').select(['id', 'name']).where('guild_id', '=', input.guild_id).execute();
          await upsertByName(input.guild_id, 'custom_messages', input.config.custom_messages, existingMessages, summary.custom_messages, {
            update: (id, m) => messages.update(actor, { ...m, guild_id: input.guild_id, custom_message_id: id }),
            create: (m) => messages.create(actor, { ...m, guild_id: input.guild_id }),
          });
          step();
          for (const [i, b] of input.config.blocks.entries()) {
            const target = b.user_id ? { user_id: map.get(b.user_id) ?? b.user_id } : { role_id: b.role_id ? map.get(b.role_id) ?? b.role_id : undefined };
            try {
              await blocks.add(actor, { guild_id: input.guild_id, ...target, reason: b.reason });
              summary.blocks.added++;
            } catch (err) { throw inEntry(err, `config.blocks.${i}`, b.user_id ? `user ${b.user_id}` : `role ${b.role_id ?? '?'}`); }
          }
          step();
          if (input.dry_run) throw new DryRunDone(summary);
        });
      } catch (err) {
        if (err instanceof DryRunDone) return err.summary;
        throw err;
      }
      ctx.changes.emit('guild', { guildId: input.guild_id });
      return summary;
    },
  };
}

export type GuildConfigModule = ReturnType<typeof createGuildConfig>;
