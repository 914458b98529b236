/** Rows → the objects operations return. Snowflakes stay strings; times become ISO-8601 strings. */
import type { FormAnswer, GroupRow, TicketRow, TicketMode, TicketStatus, WaitingOn } from '../db/schema.js';

export const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

/** Discord CDN URL of a user's avatar; the default avatar when they have none. */
export function avatarUrl(userId: string, avatar: string | null): string {
  if (avatar && /^https?:\/\//.test(avatar)) return avatar;
  if (avatar) return `https://cdn.discordapp.com/avatars/${userId}/${avatar}.${avatar.startsWith('a_') ? 'gif' : 'png'}`;
  let index = 0;
  try { index = Number((BigInt(userId) >> 22n) % 6n); } catch { /* not numeric: default 0 */ }
  return `https://cdn.discordapp.com/embed/avatars/${index}.png`;
}

export interface TicketView {
  id: string;
  uuid: string;
  guild_id: string;
  group_id: string;
  number: number;
  status: TicketStatus;
  name: string;
  topic: string | null;
  owner_id: string;
  assigned_id: string | null;
  channel_id: string | null;
  thread_id: string | null;
  channel_parent_id: string | null;
  notes_thread_id: string | null;
  priority: number | null;
  rating: number | null;
  rating_comment: string | null;
  form: FormAnswer[];
  anonymous: boolean;
  closed_reason: string | null;
  closed_by: string | null;
  summary: string | null;
  created_at: string;
  opened_at: string;
  closed_at: string | null;
  deleted_at: string | null;
  locked_at: string | null;
  expire_at: string | null;
  expiry_clearable: boolean;
  eternal: boolean;
  last_activity: string | null;
  first_response_at: string | null;
  /** Whose turn it is in an open ticket: 'staff' (the owner waits for an answer) or 'owner'; null when closed. */
  waiting_on: WaitingOn | null;
  /** Since when it has been that side's turn; null when closed. */
  waiting_since: string | null;
  transcript_saved_at: string | null;
  /** A close request waiting for the owner's answer, or null. */
  close_request: CloseRequestView | null;
  discord: { status: string; error: string | null };
}

export interface CloseRequestView { requested_by: string | null; reason: string | null; requested_at: string; closes_at: string | null }

export function defaultTicketName(template: string, t: Pick<TicketRow, 'number' | 'owner_id'>): string {
  return template
    .replaceAll('{number}', String(t.number).padStart(4, '0'))
    .replaceAll('{id}', String(t.number))
    .replaceAll('{owner_id}', t.owner_id)
    .slice(0, 100);
}

export function ticketView(row: TicketRow, nameTemplate = 'ticket-{number}'): TicketView {
  return {
    id: row.id,
    uuid: row.uuid,
    guild_id: row.guild_id,
    group_id: row.group_id,
    number: row.number,
    status: row.status,
    name: row.name ?? defaultTicketName(nameTemplate, row),
    topic: row.topic,
    owner_id: row.owner_id,
    assigned_id: row.assigned_id,
    channel_id: row.channel_id,
    thread_id: row.thread_id,
    channel_parent_id: row.channel_parent_id,
    notes_thread_id: row.notes_thread_id,
    priority: row.priority,
    rating: row.rating,
    rating_comment: row.rating_comment,
    form: row.form,
    anonymous: row.anonymous,
    closed_reason: row.closed_reason,
    closed_by: row.closed_by,
    summary: row.summary,
    created_at: row.created_at.toISOString(),
    opened_at: row.opened_at.toISOString(),
    closed_at: iso(row.closed_at),
    deleted_at: iso(row.deleted_at),
    locked_at: iso(row.locked_at),
    expire_at: iso(row.expire_at),
    expiry_clearable: row.expiry_clearable,
    eternal: row.eternal,
    last_activity: iso(row.last_activity),
    first_response_at: iso(row.first_response_at),
    waiting_on: row.status === 'open' ? row.waiting_on : null,
    waiting_since: row.status === 'open' ? row.waiting_since.toISOString() : null,
    transcript_saved_at: iso(row.transcript_saved_at),
    close_request: row.close_requested_at
      ? { requested_by: row.close_requested_by, reason: row.close_request_reason, requested_at: row.close_requested_at.toISOString(), closes_at: iso(row.close_request_deadline) }
      : null,
    discord: { status: row.discord_status, error: row.discord_error },
  };
}

export interface GroupView {
  id: string;
  guild_id: string;
  name: string;
  is_default: boolean;
  mode: TicketMode;
  opened_channel_id: string | null;
  opened_category_id: string | null;
  closed_category_id: string | null;
  locked_category_id: string | null;
  assigned_category_id: string | null;
  transcript_channel_id: string | null;
  form_channel_id: string | null;
  feedback_channel_id: string | null;
  staff_role_ids: string[];
  name_template: string;
  opening_message: string | null;
  form_title: string | null;
  form_fields: GroupRow['form_fields'];
  schedule: GroupRow['schedule'];
  schedule_timezone: string | null;
  priority_levels: GroupRow['priority_levels'];
  rating_levels: GroupRow['rating_levels'];
  per_user_limit: number | null;
  private: boolean;
  /** Tickets ever opened in this group (Ticketeer's `count`), from the incrementally kept stats. */
  count: number;
  created_at: string;
  updated_at: string;
}

export function groupView(row: GroupRow, count = 0): GroupView {
  return {
    id: row.id, guild_id: row.guild_id, name: row.name, is_default: row.is_default, mode: row.mode,
    opened_channel_id: row.opened_channel_id, opened_category_id: row.opened_category_id,
    closed_category_id: row.closed_category_id, locked_category_id: row.locked_category_id,
    assigned_category_id: row.assigned_category_id, transcript_channel_id: row.transcript_channel_id,
    form_channel_id: row.form_channel_id, feedback_channel_id: row.feedback_channel_id,
    staff_role_ids: row.staff_role_ids, name_template: row.name_template, opening_message: row.opening_message,
    form_title: row.form_title, form_fields: row.form_fields, schedule: row.schedule,
    schedule_timezone: row.schedule_timezone, priority_levels: row.priority_levels, rating_levels: row.rating_levels,
    per_user_limit: row.per_user_limit, private: row.private, count,
    created_at: row.created_at.toISOString(), updated_at: row.updated_at.toISOString(),
  };
}
