/** Reading tickets: get one, list with filters and two kinds of pagination, list its events. */
import { sql } from 'kysely';
import type { TicketRow, TicketStatus, WaitingOn } from '../../db/schema.js';
import type { EngineContext } from '../context.js';
import { invalid, moduleDisabled } from '../errors.js';
import { requireTicketsModule, unknownGuild } from '../guards.js';
import { ticketLocaleOf, type Locale, type LocaleSource } from '../locales.js';
import { ticketView, type TicketView } from '../views.js';
import { findTicket, findTicketForRead, ticketNotFound, type TicketRef } from './lookup.js';

export interface ListTicketsInput {
  guild_id: string;
  status?: TicketStatus | undefined;
  owner_id?: string | undefined;
  assigned_id?: string | undefined;
  group_id?: string | undefined;
  priority?: number | undefined;
  /** Only open tickets whose turn it is: staff's (unanswered) or the owner's. */
  waiting_on?: WaitingOn | undefined;
  created_after?: string | undefined;
  created_before?: string | undefined;
  q?: string | undefined;
  include_deleted?: boolean | undefined;
  sort?: 'number' | 'created_at' | 'last_activity' | 'waiting_since' | undefined;
  order?: 'asc' | 'desc' | undefined;
  page?: number | undefined;
  per_page?: number | undefined;
  cursor?: string | undefined;
}

export interface TicketPage {
  tickets: TicketView[];
  total: number;
  page: number;
  per_page: number;
  next_cursor: string | null;
}

interface Cursor { n: number; o: 'asc' | 'desc' }

/** A date filter as a Date; a value that is no date is the caller's mistake, not a database error. */
function timestampFilter(path: string, value: string): Date {
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) throw invalid(`${path} must be an ISO-8601 timestamp such as 2030-01-31T00:00:00Z.`, [{ path, message: 'not a timestamp' }]);
  return at;
}

const MAX_BIGINT = 9223372036854775807n;

function decodeCursor(cursor: string): Cursor {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<Cursor> | null;
    // A ticket number is a positive integer column: anything else would reach the database as a type error.
    if (value && Number.isSafeInteger(value.n) && (value.n as number) >= 0 && (value.o === 'asc' || value.o === 'desc')) return value as Cursor;
  } catch { /* fall through */ }
  throw invalid('cursor is not one this server handed out; pass the next_cursor of a previous page, or omit it.', [{ path: 'cursor', message: 'invalid cursor' }]);
}
const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString('base64url');

interface GuildCounters { open_count: string | null; closed_count: string | null; total_count: string | null; deleted_count: string | null }

/** Totals from guild_stats. Deleted tickets are always closed, so they only ever leave the closed count. */
function totalFromStats(c: GuildCounters, status: TicketStatus | undefined, includeDeleted: boolean): number {
  const deleted = includeDeleted ? 0 : Number(c.deleted_count ?? 0);
  if (status === 'open') return Number(c.open_count ?? 0);
  if (status === 'closed') return Number(c.closed_count ?? 0) - deleted;
  return Number(c.total_count ?? 0) - deleted;
}


export function createTicketQueries(ctx: EngineContext) {
  return {
    async get(input: { guild_id: string; ticket: TicketRef }): Promise<TicketView> {
      // One query on the hit path; only a miss needs to find out why (unknown guild, module off, no ticket).
      const found = await findTicketForRead(ctx.db, input.guild_id, input.ticket);
      if (!found) {
        await requireTicketsModule(ctx.db, input.guild_id);
        throw ticketNotFound(input.guild_id, input.ticket);
      }
      const { name_template, module_enabled, ...row } = found;
      if (!module_enabled) throw moduleDisabled(input.guild_id);
      return ticketView(row, name_template ?? undefined);
    },

    /** The language ticketbridge speaks in a ticket and where it came from (the rule the Discord face follows). */
    async locale(input: { guild_id: string; ticket: TicketRef }): Promise<{ ticket_id: string; locale: Locale; source: LocaleSource }> {
      const ticket = await findTicketForRead(ctx.db, input.guild_id, input.ticket);
      if (!ticket) {
        await requireTicketsModule(ctx.db, input.guild_id);
        throw ticketNotFound(input.guild_id, input.ticket);
      }
      if (!ticket.module_enabled) throw moduleDisabled(input.guild_id);
      const [owner, group, guild] = await Promise.all([
        ctx.db.selectFrom('users').select('locale').where('id', '=', ticket.owner_id).executeTakeFirst(),
        ctx.db.selectFrom('ticket_groups').select('locale').where('id', '=', ticket.group_id).executeTakeFirst(),
        ctx.db.selectFrom('guilds').select('preferred_locale').where('id', '=', ticket.guild_id).executeTakeFirst(),
      ]);
      const { locale, source } = ticketLocaleOf({ ownerLocale: owner?.locale ?? null, group: { locale: group?.locale ?? null }, guildLocale: guild?.preferred_locale ?? null });
      return { ticket_id: ticket.id, locale, source };
    },

    async list(input: ListTicketsInput): Promise<TicketPage> {
      const perPage = Math.min(Math.max(input.per_page ?? 25, 1), 100);
      const sort = input.sort ?? 'number';
      const order = input.order ?? 'desc';
      if (input.cursor && sort !== 'number') throw invalid('cursor pagination works with sort=number only; use page with other sorts.', [{ path: 'cursor', message: 'needs sort=number' }]);
      let q = ctx.db.selectFrom('tickets').where('guild_id', '=', input.guild_id);
      if (!input.include_deleted) q = q.where('deleted_at', 'is', null);
      if (input.status) q = q.where('status', '=', input.status);
      if (input.owner_id) q = q.where('owner_id', '=', input.owner_id);
      if (input.assigned_id) q = q.where('assigned_id', '=', input.assigned_id);
      if (input.group_id) q = q.where('group_id', '=', input.group_id);
      if (input.priority !== undefined) q = q.where('priority', '=', input.priority);
      if (input.waiting_on) q = q.where('status', '=', 'open').where('waiting_on', '=', input.waiting_on);
      if (input.created_after) q = q.where('created_at', '>=', timestampFilter('created_after', input.created_after));
      if (input.created_before) q = q.where('created_at', '<', timestampFilter('created_before', input.created_before));
      if (input.q) {
        const pattern = `%${input.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
        q = q.where((eb) => eb.or([
          eb('topic', 'ilike', pattern),
          eb('name', 'ilike', pattern),
          eb(sql`form::text`, 'ilike', pattern),
          eb('opening_message', 'ilike', pattern),
        ]));
      }
      let pageQ = q.selectAll('tickets')
        .select((eb) => eb.selectFrom('ticket_groups').select('name_template').whereRef('ticket_groups.id', '=', 'tickets.group_id').as('name_template'));
      let page = Math.max(input.page ?? 1, 1);
      if (input.cursor) {
        const c = decodeCursor(input.cursor);
        pageQ = pageQ.where('number', c.o === 'desc' ? '<' : '>', c.n);
        page = 0; // keyset pages have no page number
      } else {
        pageQ = pageQ.offset((page - 1) * perPage);
      }
      pageQ = pageQ.orderBy(sort, order);
      if (sort !== 'number') pageQ = pageQ.orderBy('number', order);
      // With no filter but status, the total comes from the trigger-kept counters read with the
      // module switch (one primary-key read); other filters need a count. The page rides on the
      // guild row as a lateral join: one statement, one round trip, and the guild row comes back
      // (with no ticket columns) even when the page is empty.
      const countedByStats = !(input.owner_id || input.assigned_id || input.group_id || input.priority !== undefined || input.waiting_on
        || input.created_after || input.created_before || input.q);
      const [joined, counted] = await Promise.all([
        ctx.db.selectFrom('guilds').leftJoin('guild_stats', 'guild_stats.guild_id', 'guilds.id')
          .leftJoinLateral(pageQ.limit(perPage + 1).as('t'), (join) => join.onTrue())
          .select(['guilds.module_enabled', 'guild_stats.open_count', 'guild_stats.closed_count', 'guild_stats.total_count', 'guild_stats.deleted_count'])
          .selectAll('t')
          .where('guilds.id', '=', input.guild_id)
          .orderBy(`t.${sort}`, order).$if(sort !== 'number', (qb) => qb.orderBy('t.number', order))
          .execute(),
        countedByStats ? undefined : q.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow().then((r) => Number(r.n)),
      ]);
      const guild = joined[0];
      if (!guild) throw unknownGuild(input.guild_id);
      if (!guild.module_enabled) throw moduleDisabled(input.guild_id);
      const total = counted ?? totalFromStats(guild, input.status, input.include_deleted === true);
      // A row without a ticket id is the guild alone (an empty page).
      const rows = joined.filter((r) => r.id !== null) as unknown as Array<TicketRow & { name_template: string | null }>;
      const more = rows.length > perPage;
      const pageRows = rows.slice(0, perPage);
      const last = pageRows.at(-1);
      return {
        tickets: pageRows.map((row) => ticketView(row, row.name_template ?? undefined)),
        total,
        page,
        per_page: perPage,
        next_cursor: more && last && sort === 'number' ? encodeCursor({ n: last.number, o: order }) : null,
      };
    },

    async events(input: { guild_id: string; ticket: TicketRef; limit?: number | undefined; after_id?: string | undefined }) {
      await requireTicketsModule(ctx.db, input.guild_id);
      const ticket = await findTicket(ctx.db, input.guild_id, input.ticket);
      let q = ctx.db.selectFrom('ticket_events').selectAll().where('ticket_id', '=', ticket.id);
      if (input.after_id) {
        if (!/^\d{1,19}$/.test(input.after_id) || BigInt(input.after_id) > MAX_BIGINT) {
          throw invalid('after_id must be the id of an event from a previous page (a whole number).', [{ path: 'after_id', message: 'not an event id' }]);
        }
        q = q.where(sql<string>`id`, '>', sql<string>`${input.after_id}::bigint`);
      }
      const rows = await q.orderBy(sql`id`, 'asc').limit(Math.min(input.limit ?? 100, 500)).execute();
      return {
        ticket_id: ticket.id,
        events: rows.map((e) => ({
          id: e.id, kind: e.kind, actor_id: e.actor_id, as_bot: e.as_bot, reason: e.reason,
          data: e.data, created_at: e.created_at.toISOString(),
        })),
      };
    },
  };
}
