/** Catalogue outputs → Ticketeer's documented fields; errors → Laravel-style bodies. */
import type { z } from 'zod';
import type { TicketView } from '../../engine/views.js';
import type { RenderedError } from '../kit/dialect.js';
import { defaultStatus, type Problem } from '../kit/problem.js';
import type { TtGroup, TtGuild, TtNamed, TtTicket, TtUser } from './schemas.js';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const str = (v: unknown): string | null => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null);
const int = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : null);

/** ISO-8601 with milliseconds → Laravel's microsecond form (2024-01-01T00:00:00.000000Z). */
export function ts(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  return v.replace(/\.(\d{3})Z$/, '.$1000Z');
}

export function ticket(t: TicketView): z.output<typeof TtTicket> {
  return {
    id: t.id, uuid: t.uuid, group_id: t.group_id, guild_id: t.guild_id,
    channel_id: t.channel_id ?? t.thread_id, channel_parent_id: t.channel_parent_id, owner_id: t.owner_id, assigned_id: t.assigned_id,
    number: t.number, status: t.status, rating: t.rating, priority: t.priority,
    form: t.form.map((f) => ({ type: String(f.type ?? 'text'), title: f.title, value: f.value })),
    closed_reason: t.closed_reason, created_at: ts(t.created_at) ?? t.created_at, opened_at: ts(t.opened_at),
    closed_at: ts(t.closed_at), deleted_at: ts(t.deleted_at), last_activity: ts(t.last_activity),
  };
}

export function guild(v: unknown): z.output<typeof TtGuild> {
  const g = obj(v);
  const endsAt = ts(g['premium_ends_at']);
  return {
    id: str(g['id']) ?? '', name: str(g['name']) ?? '',
    premium: typeof g['premium'] === 'boolean' ? g['premium'] : endsAt !== null && Date.parse(endsAt) > Date.now(),
    premium_ends_at: endsAt, joined_at: ts(g['joined_at']),
  };
}

export function user(v: unknown): z.output<typeof TtUser> {
  const u = obj(v);
  const id = str(u['id']) ?? '';
  const avatar = str(u['avatar_url']) ?? str(u['avatar']);
  return {
    id, name: str(u['global_name']) ?? str(u['name']), username: str(u['username']) ?? '',
    discriminator: str(u['discriminator']) ?? '0', avatar: avatar ?? '', locale: str(u['locale']),
    bot: u['bot'] === true, verified: u['verified'] !== false, joined_at: ts(u['joined_at']),
  };
}

export function group(v: unknown): z.output<typeof TtGroup> {
  const g = obj(v);
  return {
    id: str(g['id']) ?? '', name: str(g['name']) ?? '', count: int(g['count'] ?? g['ticket_count'] ?? g['open_count']) ?? 0,
    opened_channel_id: str(g['opened_channel_id']), closed_category_id: str(g['closed_category_id']),
    locked_category_id: str(g['locked_category_id']), assigned_category_id: str(g['assigned_category_id']),
    transcript_channel_id: str(g['transcript_channel_id']), form_channel_id: str(g['form_channel_id']),
    feedback_channel_id: str(g['feedback_channel_id']),
  };
}

export function named(v: unknown): z.output<typeof TtNamed> {
  const o = obj(v);
  return { id: str(o['id']) ?? '', name: str(o['name']) ?? str(o['title']) ?? '' };
}

/** The first array found in an operation's list output ({groups: […]}, {items: […]} or […]). */
export function itemsOf(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  for (const value of Object.values(obj(v))) if (Array.isArray(value)) return value;
  return [];
}

/** Laravel's length-aware paginator around one page of items (the operation did the paging). */
export function paginate<T>(data: T[], q: { page: number; per_page: number; explicitPerPage: boolean }, path: string, total: number) {
  const perPage = q.per_page;
  const page = q.page;
  const lastPage = Math.max(1, Math.ceil(total / perPage));
  const start = (page - 1) * perPage;
  const url = (p: number) => `${path}?page=${p}${q.explicitPerPage ? `&per_page=${perPage}` : ''}`;
  return {
    data, current_page: page, first_page_url: url(1), from: data.length ? start + 1 : null, last_page: lastPage,
    last_page_url: url(lastPage), next_page_url: page < lastPage ? url(page + 1) : null, path, per_page: perPage,
    prev_page_url: page > 1 ? url(page - 1) : null, to: data.length ? start + data.length : null, total,
  };
}

const statusOf: Partial<Record<Problem['kind'], number>> = { module_disabled: 409 };

export function renderError(p: Problem): RenderedError {
  if (p.kind === 'unavailable') return { status: 503, body: { success: false, status: 503, message: p.message } };
  if (p.kind === 'bad_request' && p.fields?.length) {
    const errors: Record<string, string[]> = {};
    for (const f of p.fields) (errors[f.path] ??= []).push(`The ${f.path} field ${f.message.replace(/^(must|is|was|expected)\b/i, (m) => m.toLowerCase())}.`.replace(/\.\.$/, '.'));
    return { status: 422, body: { message: p.message, errors } };
  }
  if (p.kind === 'invalid') {
    const errors: Record<string, string[]> = {};
    for (const f of p.fields ?? []) (errors[f.path] ??= []).push(f.message);
    return { status: 422, body: p.fields?.length ? { message: p.message, errors } : { message: p.message } };
  }
  if (p.kind === 'unauthorized') return { status: 401, body: { message: `Unauthenticated. ${p.message}` } };
  return { status: statusOf[p.kind] ?? defaultStatus[p.kind], body: { message: p.message } };
}
