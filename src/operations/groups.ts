/** Ticket group operations: where a kind of ticket opens, who staffs it, its form, hours and levels. */
import { z } from 'zod';
import { FormFieldsSchema } from '../engine/forms.js';
import { LOCALES } from '../engine/locales.js';
import { defineOperation } from './define.js';
import { destructive, idempotentWrite, read, write } from './annotations.js';
import { FormFieldOut, GuildId, Level, Paging, Snowflake, Timestamp } from './schemas.js';

const HHMM = z.string().regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'must be a time of day as HH:MM (00:00 to 24:00)');
const Range = z.tuple([HHMM, HHMM]).describe('[from, to] as HH:MM, e.g. ["09:00", "17:30"]');
const Day = z.array(Range).max(10).optional().describe('That weekday\'s working hours: up to 10 [from, to] ranges');

export const Schedule = z.object({ mo: Day, tu: Day, we: Day, th: Day, fr: Day, sa: Day, su: Day }).strict()
  .describe('Working hours per weekday (mo … su), each a list of [from, to] ranges in schedule_timezone; a day left out has no hours');

const Locale = z.enum(LOCALES);
/** A group's own texts for members of one locale; what is left out falls back to the group's own. */
const GroupTexts = z.object({
  opening_message: z.string().max(2000).nullable().optional().describe('Opening message in this language'),
  form_title: z.string().min(1).max(45).optional().describe('Form title in this language'),
  form_fields: z.array(z.object({
    label: z.string().min(1).max(45).describe("The field's label in this language"),
    placeholder: z.string().max(100).optional().describe("The field's placeholder in this language"),
  }).strict()).max(5).optional()
    .describe("Form fields' labels (and placeholders) in this language, in the order of form_fields"),
}).strict();
const Translations = z.partialRecord(Locale, GroupTexts);

const channel = (what: string) => Snowflake.nullable().optional().describe(`${what} (null clears it)`);

/** Every settable field of a group; create requires name, update takes any subset. */
export const groupFields = {
  mode: z.enum(['channel', 'thread']).optional().describe('channel: each ticket gets a private channel; thread: a private thread in opened_channel_id'),
  opened_channel_id: channel('Thread mode: the channel whose private threads are the tickets'),
  opened_category_id: channel('Channel mode: the category new ticket channels are created in'),
  closed_category_id: channel('Category closed ticket channels move to'),
  locked_category_id: channel('Category locked ticket channels move to'),
  assigned_category_id: channel('Category assigned ticket channels move to'),
  transcript_channel_id: channel('Channel transcripts are posted to when a ticket closes'),
  form_channel_id: channel('Channel form answers are posted to'),
  feedback_channel_id: channel('Channel ratings and feedback are posted to'),
  staff_role_ids: z.array(Snowflake).max(25).optional().describe('Roles that can see and handle these tickets'),
  name_template: z.string().min(1).max(100).optional().describe('Ticket channel name; variables {number} (zero-padded), {id} and {owner_id}. Default ticket-{number}'),
  opening_message: z.string().max(2000).nullable().optional().describe('Message posted when a ticket opens'),
  form_title: z.string().max(45).nullable().optional().describe('Title of the form (modal) shown when a ticket is opened'),
  form_fields: FormFieldsSchema.optional(),
  schedule: Schedule.nullable().optional(),
  schedule_timezone: z.string().max(64).nullable().optional().describe('IANA time zone of schedule, e.g. Europe/Amsterdam'),
  priority_levels: z.array(Level).max(25).optional().describe('Priority levels, lowest first; a ticket priority is an index into this list'),
  rating_levels: z.array(Level).max(10).optional().describe('Rating levels offered for feedback; a rating is 1..length (1..5 when empty)'),
  per_user_limit: z.number().int().min(1).max(100).nullable().optional().describe('Most open tickets one user may have in this group (null: no limit)'),
  private: z.boolean().optional().describe('Whether only the owner, added members and staff see the ticket (default true)'),
  close_on_leave: z.boolean().optional().describe("Close the owner's open tickets of this group when they leave the server (default false)"),
  auto_close_hours: z.number().int().min(1).max(2160).nullable().optional().describe('Close open tickets after this many hours without a message from a person (null: never; eternal tickets never)'),
  stale_warning_hours: z.number().int().min(1).max(2159).nullable().optional().describe('Warn the owner in the ticket this many hours before that close (less than auto_close_hours; null: no warning)'),
  cooldown_seconds: z.number().int().min(1).max(86_400).nullable().optional().describe('Seconds a member must wait after opening a ticket here before opening another (null: no wait)'),
  claim_mode: z.enum(['open', 'read_only', 'private']).optional().describe('What other staff keep of a claimed channel ticket: everything (open, default), reading only, or nothing (private)'),
  required_role_ids: z.array(Snowflake).max(25).optional().describe('Roles of which a member needs one to open a ticket here ([]: anyone may); staff opening for a member are not held'),
  locale: Locale.nullable().optional().describe(`Language of this group's ticket messages when the owner's language is unknown (null: the server's preferred locale). One of ${LOCALES.join(', ')}`),
  translations: Translations.optional().describe('The group\'s own texts per language (opening message, form title and field labels) for members using that language, e.g. {"de": {"form_title": "Erzähl uns mehr"}}; ticketbridge never translates staff texts itself'),
  is_default: z.boolean().optional().describe("Make this the guild's default group (the previous default stops being it)"),
};

export const Group = z.object({
  id: Snowflake, guild_id: Snowflake, name: z.string(), is_default: z.boolean(), mode: z.enum(['channel', 'thread']),
  opened_channel_id: Snowflake.nullable(), opened_category_id: Snowflake.nullable(), closed_category_id: Snowflake.nullable(),
  locked_category_id: Snowflake.nullable(), assigned_category_id: Snowflake.nullable(), transcript_channel_id: Snowflake.nullable(),
  form_channel_id: Snowflake.nullable(), feedback_channel_id: Snowflake.nullable(),
  staff_role_ids: z.array(Snowflake), name_template: z.string(), opening_message: z.string().nullable(),
  form_title: z.string().nullable(), form_fields: z.array(FormFieldOut),
  schedule: Schedule.nullable(), schedule_timezone: z.string().nullable(),
  priority_levels: z.array(Level), rating_levels: z.array(Level), per_user_limit: z.number().int().nullable(), private: z.boolean(),
  close_on_leave: z.boolean(), auto_close_hours: z.number().int().nullable(), stale_warning_hours: z.number().int().nullable(), cooldown_seconds: z.number().int().nullable(), required_role_ids: z.array(Snowflake), claim_mode: z.enum(['open', 'read_only', 'private']),
  locale: Locale.nullable(), translations: Translations,
  count: z.number().int().describe('Tickets opened in this group so far'),
  created_at: Timestamp, updated_at: Timestamp,
});

const GroupRef = { guild_id: GuildId, group_id: Snowflake.describe('The ticket group ID') };

export const createTicketGroup = defineOperation({
  name: 'create_ticket_group', title: 'Create a ticket group', toolset: 'groups', ability: 'guild:admin', annotations: write,
  description: "Create a ticket group: a kind of ticket with its own categories or thread channel, staff roles, form, working hours and priority/rating levels. The guild's first group (or one created with is_default) becomes the default group.",
  input: z.object({ guild_id: GuildId, name: z.string().min(1).max(100).describe('Group name, e.g. Support'), ...groupFields }).strict(),
  output: Group,
  run: (ctx, input) => ctx.engine.groups.create(ctx.actor, input),
});

export const getTicketGroup = defineOperation({
  name: 'get_ticket_group', title: 'Get a ticket group', toolset: 'groups', ability: 'tickets:read', annotations: read,
  description: 'Fetch one ticket group with all its settings (channels, staff roles, form, schedule, priority and rating levels) and its ticket count.',
  input: z.object(GroupRef).strict(), output: Group,
  run: (ctx, input) => ctx.engine.groups.get(input),
});

export const listTicketGroups = defineOperation({
  name: 'list_ticket_groups', title: 'List ticket groups', toolset: 'groups', ability: 'tickets:read', annotations: read,
  description: "List a guild's ticket groups, oldest first, with their settings and ticket counts: use it to pick ticket_group_id for create_ticket/move_ticket or to read a group's priority levels.",
  input: z.object({ guild_id: GuildId, ...Paging }).strict(),
  output: z.object({ groups: z.array(Group), total: z.number().int(), page: z.number().int(), per_page: z.number().int() }),
  run: (ctx, input) => ctx.engine.groups.list(input),
});

export const updateTicketGroup = defineOperation({
  name: 'update_ticket_group', title: 'Update a ticket group', toolset: 'groups', ability: 'guild:admin', annotations: idempotentWrite,
  description: 'Change settings of a ticket group; fields left out stay as they are, null clears a channel. Setting is_default makes it the guild default. The mode cannot change while the group has open tickets.',
  input: z.object({ ...GroupRef, name: z.string().min(1).max(100).optional().describe('New name'), ...groupFields }).strict(),
  output: Group,
  run: (ctx, input) => ctx.engine.groups.update(ctx.actor, input),
});

export const deleteTicketGroup = defineOperation({
  name: 'delete_ticket_group', title: 'Delete a ticket group', toolset: 'groups', ability: 'guild:admin', annotations: destructive,
  description: 'Delete a ticket group. Closed tickets keep their history; panel ticket types that used the group fall back to the default group. Refused for the default group and for a group with open tickets.',
  input: z.object(GroupRef).strict(), output: Group,
  run: (ctx, input) => ctx.engine.groups.delete(ctx.actor, input),
});

export const groupOperations = [createTicketGroup, getTicketGroup, listTicketGroups, updateTicketGroup, deleteTicketGroup];
