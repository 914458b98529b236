/**
 * Custom messages: named message templates of a guild (content, embeds, components) with {variables}
 * filled from a context when rendered or sent.
 */
import type { CustomMessageRow, GuildRow } from '../db/schema.js';
import type { Actor } from './actor.js';
import type { EngineContext } from './context.js';
import { invalid, notFound } from './errors.js';
import { requireGuild } from './guards.js';
import { newId } from './ids.js';
import { checkEmbedTotal } from './message-shapes.js';
import { pageWindow, type PageInput } from './paging.js';
import { flattenContext, renderTemplate, templateVariables, type TemplateContext } from './templates.js';
import { inTransaction, json, type Db, type Tx } from './tx.js';

type Embed = Record<string, unknown> & { title?: string | undefined; description?: string | undefined };

export interface CustomMessageFields {
  name?: string | undefined;
  content?: string | null | undefined;
  embeds?: Embed[] | undefined;
  components?: Array<Record<string, unknown>> | undefined;
  /** Words or phrases that make the message an auto reply in tickets ([] = none). */
  auto_keywords?: string[] | undefined;
}

export interface CustomMessageView {
  id: string; guild_id: string; name: string; content: string | null; embeds: Array<Record<string, unknown>>; components: Array<Record<string, unknown>>;
  /** The {variables} the message uses: what a context must define to render it. */
  variables: string[];
  auto_keywords: string[];
  created_at: string; updated_at: string;
}

export interface RenderedMessage {
  custom_message_id: string; content: string | null; embeds: Array<Record<string, unknown>>; components: Array<Record<string, unknown>>;
}

export function customMessageView(row: CustomMessageRow): CustomMessageView {
  // Every stored embed and component was checked as an object on the way in (create and update).
  return {
    id: row.id, guild_id: row.guild_id, name: row.name, content: row.content,
    embeds: row.embeds as Array<Record<string, unknown>>, components: row.components as Array<Record<string, unknown>>,
    variables: [...templateVariables([row.content, row.embeds, row.components])],
    auto_keywords: row.auto_keywords,
    created_at: row.created_at.toISOString(), updated_at: row.updated_at.toISOString(),
  };
}

/** What an auto reply is filled in with: the ticket's owner and the ticket (the guild's own are always there). */
export const AUTO_REPLY_VARIABLES: ReadonlySet<string> = new Set(['guild.id', 'guild.name', 'user', 'ticket.id', 'ticket.number', 'ticket.topic']);

/** An auto reply must render with what a ticket knows: no variables only a person sending it could give. */
function checkAutoReply(m: { content: string | null; embeds: unknown[]; components: unknown[]; auto_keywords: string[] }): void {
  if (m.auto_keywords.length === 0) return;
  const missing = [...templateVariables([m.content, m.embeds, m.components])].filter((v) => !AUTO_REPLY_VARIABLES.has(v));
  if (missing.length) {
    throw invalid(`An auto reply is filled in with {user}, {ticket.id}, {ticket.number}, {ticket.topic} and {guild.name} only, but this message uses {${missing.join('}, {')}}. Remove those, or leave auto_keywords empty.`, [{ path: 'auto_keywords', message: 'message uses variables an auto reply cannot fill' }]);
  }
}

function checkBody(m: { content: string | null; embeds: Embed[] | unknown[]; components: unknown[] }): void {
  if (!m.content?.trim() && m.embeds.length === 0 && m.components.length === 0) {
    throw invalid('A custom message needs content, embeds or components; give at least one.', [{ path: 'content', message: 'message is empty' }]);
  }
  checkEmbedTotal(m.embeds as Parameters<typeof checkEmbedTotal>[0]);
}

export async function loadCustomMessage(db: Db | Tx, guildId: string, id: string): Promise<CustomMessageRow> {
  const row = await db.selectFrom('custom_messages').selectAll().where('id', '=', id).where('guild_id', '=', guildId).executeTakeFirst();
  if (!row) throw notFound(`No custom message ${id} in guild ${guildId}. List them with list_custom_messages.`);
  return row;
}

/** Renders a stored message: the guild's own {guild.id}/{guild.name} are always defined; the context adds to or overrides them. */
export function renderCustomMessage(guild: Pick<GuildRow, 'id' | 'name'>, row: CustomMessageRow, context: TemplateContext = {}): RenderedMessage {
  const vars = flattenContext({ guild: { id: guild.id, name: guild.name } });
  for (const [k, v] of flattenContext(context)) vars.set(k, v);
  const rendered = renderTemplate({ content: row.content, embeds: row.embeds, components: row.components }, vars, `Custom message "${row.name}"`);
  if (rendered.content && rendered.content.length > 2000) {
    throw invalid(`Rendered with this context, custom message "${row.name}" is ${rendered.content.length} characters long; Discord allows 2000. Use shorter context values.`, [{ path: 'context', message: 'rendered content too long' }]);
  }
  checkEmbedTotal(rendered.embeds as Parameters<typeof checkEmbedTotal>[0]);
  return {
    custom_message_id: row.id, content: rendered.content,
    embeds: rendered.embeds as Array<Record<string, unknown>>, components: rendered.components as Array<Record<string, unknown>>,
  };
}

export interface CustomMessagePage { messages: CustomMessageView[]; total: number; page: number; per_page: number }

export function createCustomMessages(ctx: EngineContext) {
  const changed = (guildId: string) => ctx.changes.emit('guild', { guildId });
  return {
    async create(_actor: Actor, input: CustomMessageFields & { guild_id: string; name: string }): Promise<CustomMessageView> {
      const body = { content: input.content ?? null, embeds: input.embeds ?? [], components: input.components ?? [] };
      checkBody(body);
      checkAutoReply({ ...body, auto_keywords: input.auto_keywords ?? [] });
      const row = await inTransaction(ctx.db, async (trx) => {
        await requireGuild(trx, input.guild_id);
        const now = ctx.now();
        return trx.insertInto('custom_messages').values({
          id: newId(), guild_id: input.guild_id, name: input.name, content: body.content,
          embeds: json(body.embeds), components: json(body.components), auto_keywords: json(input.auto_keywords ?? []), created_at: now, updated_at: now,
        }).returningAll().executeTakeFirstOrThrow();
      });
      changed(row.guild_id);
      return customMessageView(row);
    },

    async get(input: { guild_id: string; custom_message_id: string }): Promise<CustomMessageView> {
      await requireGuild(ctx.db, input.guild_id);
      return customMessageView(await loadCustomMessage(ctx.db, input.guild_id, input.custom_message_id));
    },

    /** The custom message staff call by this name (any case; the newest when names repeat). */
    async findByName(guildId: string, name: string): Promise<CustomMessageView> {
      await requireGuild(ctx.db, guildId);
      const row = await ctx.db.selectFrom('custom_messages').selectAll().where('guild_id', '=', guildId)
        .where((eb) => eb(eb.fn('lower', ['name']), '=', name.trim().toLowerCase()))
        .orderBy('created_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
      if (!row) {
        const names = (await ctx.db.selectFrom('custom_messages').select('name').where('guild_id', '=', guildId).orderBy('name').limit(10).execute()).map((r) => r.name);
        throw notFound(`No saved message called "${name}" in this server.${names.length ? ` Saved messages: ${names.join(', ')}.` : ' Create one with create_custom_message.'}`);
      }
      return customMessageView(row);
    },

    async list(input: { guild_id: string } & PageInput): Promise<CustomMessagePage> {
      await requireGuild(ctx.db, input.guild_id);
      const w = pageWindow(input);
      const base = ctx.db.selectFrom('custom_messages').where('guild_id', '=', input.guild_id);
      const total = Number((await base.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
      const rows = await base.selectAll().orderBy('created_at', 'asc').orderBy('id', 'asc').limit(w.perPage).offset(w.offset).execute();
      return { messages: rows.map(customMessageView), total, page: w.page, per_page: w.perPage };
    },

    async update(_actor: Actor, input: CustomMessageFields & { guild_id: string; custom_message_id: string }): Promise<CustomMessageView> {
      const row = await inTransaction(ctx.db, async (trx) => {
        await requireGuild(trx, input.guild_id);
        const current = await loadCustomMessage(trx, input.guild_id, input.custom_message_id);
        const next = {
          content: input.content === undefined ? current.content : input.content,
          embeds: input.embeds ?? current.embeds, components: input.components ?? current.components,
          auto_keywords: input.auto_keywords ?? current.auto_keywords,
        };
        checkBody(next);
        checkAutoReply(next);
        return trx.updateTable('custom_messages').set({
          name: input.name ?? current.name, content: next.content, embeds: json(next.embeds), components: json(next.components),
          auto_keywords: json(next.auto_keywords), updated_at: ctx.now(),
        }).where('id', '=', current.id).returningAll().executeTakeFirstOrThrow();
      });
      changed(row.guild_id);
      return customMessageView(row);
    },

    async delete(_actor: Actor, input: { guild_id: string; custom_message_id: string }): Promise<CustomMessageView> {
      const row = await inTransaction(ctx.db, async (trx) => {
        await requireGuild(trx, input.guild_id);
        const current = await loadCustomMessage(trx, input.guild_id, input.custom_message_id);
        await trx.deleteFrom('custom_messages').where('id', '=', current.id).execute();
        return current;
      });
      changed(row.guild_id);
      return customMessageView(row);
    },

    async render(input: { guild_id: string; custom_message_id: string; context?: TemplateContext | undefined }): Promise<RenderedMessage> {
      const guild = await requireGuild(ctx.db, input.guild_id);
      const row = await loadCustomMessage(ctx.db, input.guild_id, input.custom_message_id);
      return renderCustomMessage(guild, row, input.context ?? {});
    },
  };
}
