/** Reading tickets: get one, list with filters and two kinds of pagination, list its events. */
import { sql } from 'kysely';
import type { TicketStatus } from '../../db/schema.js';
import type { EngineContext } from '../context.js';
import { invalid } from '../errors.js';
import { requireTicketsModule } from '../guards.js';
import { ticketView, type TicketView } from '../views.js';
import { findTicket, type TicketRef } from './lookup.js';

export interface ListTicketsInput {
  guild_id: string;
  status?: TicketStatus | undefined;
  owner_id?: string | undefined;
  assigned_id?: string | undefined;
  group_id?: string | undefined;
  priority?: number | undefined;
  created_after?: string | undefined;
  created_before?: string | undefined;
  q?: string | undefined;
  include_deleted?: boolean | undefined;
  sort?: 'number' | 'created_at' | 'last_activity' | undefined;
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

function decodeCursor(cursor: string): Cursor {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Cursor;
    if (typeof value.n === 'number' && (value.o === 'asc' || value.o === 'desc')) return value;
  } catch { /* fall through */ }
  throw invalid('cursor is not one this server handed out; pass the next_cursor of a previous page, or omit it.', [{ path: 'cursor', message: 'invalid cursor' }]);
}
const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString('base64url');


export function createTicketQueries(ctx: EngineContext) {
  return {
    async get(input: { guild_id: string; ticket: TicketRef }): Promise<TicketView> {
      // The module check and the read are independent: run them side by side (one round trip of latency).
      const [, { name_template, ...row }] = await Promise.all([requireTicketsModule(ctx.db, input.guild_id), findTicket(ctx.db, input.guild_id, input.ticket, { withTemplate: true })]);
      return ticketView(row, name_template ?? undefined);
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
      if (input.created_after) q = q.where('created_at', '>=', new Date(input.created_after));
      if (input.created_before) q = q.where('created_at', '<', new Date(input.created_before));
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
      // The module check, the page and the total are independent reads: run them side by side.
      const [, rows, total] = await Promise.all([
        requireTicketsModule(ctx.db, input.guild_id),
        pageQ.limit(perPage + 1).execute(),
        q.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow().then((r) => Number(r.n)),
      ]);
      const more = rows.length > perPage;
      const pageRows = rows.slice(0, perPage);
      const last = pageRows.at(-1);
      return {
        tickets: pageRows.map(({ name_template, ...row }) => ticketView(row, name_template ?? undefined)),
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
      if (input.after_id) q = q.where(sql<string>`id`, '>', sql<string>`${input.after_id}::bigint`);
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
