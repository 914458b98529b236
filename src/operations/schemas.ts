/** Shared zod schemas: the vocabulary every operation's input and output is written in. */
import { z } from 'zod';

export const Snowflake = z.string().regex(/^\d{17,20}$/, 'must be a Discord snowflake: a string of 17 to 20 digits')
  .describe('A Discord-style snowflake ID, as a string of digits');

export const GuildId = Snowflake.describe('The guild (Discord server) ID');
export const UserId = Snowflake.describe('A Discord user ID');
export const Timestamp = z.string().describe('ISO-8601 timestamp');
export const Reason = z.string().max(1000).describe('Why, in a sentence; recorded in the ticket history');

/** A ticket is addressed by its id or by its channel (or thread) id. */
export const TicketRef = {
  ticket_id: Snowflake.optional().describe('The ticket ID. Give this or channel_id.'),
  channel_id: Snowflake.optional().describe('The ticket channel or thread ID. Give this or ticket_id.'),
};

/** Input object for an operation addressing one ticket; requires exactly one of ticket_id / channel_id. */
export function ticketInput<S extends z.ZodRawShape>(shape: S) {
  return z.object({ guild_id: GuildId, ...TicketRef, ...shape }).strict().superRefine((v, ctx) => {
    const value = v as { ticket_id?: string; channel_id?: string };
    if (!value.ticket_id && !value.channel_id) {
      ctx.addIssue({ code: 'custom', path: ['ticket_id'], message: 'give ticket_id or channel_id to say which ticket' });
    }
  });
}

export const refOf = (v: { ticket_id?: string | undefined; channel_id?: string | undefined }) =>
  ({ ticket_id: v.ticket_id, channel_id: v.channel_id });

/** A ticketInput's guild and ticket reference as the engine's TicketTarget. */
export const ticketTarget = (v: { guild_id: string; ticket_id?: string | undefined; channel_id?: string | undefined }) =>
  ({ guild_id: v.guild_id, ticket: refOf(v) });

export const FormAnswer = z.object({
  title: z.string().max(256).describe('The question'),
  value: z.string().max(4000).describe('The answer'),
  type: z.union([z.number().int(), z.string()]).optional().describe('Component type of the form field'),
});

export const Level = z.object({
  label: z.string().min(1).max(100).describe('Name of the level, e.g. High'),
  description: z.string().max(200).nullish().describe('What the level means'),
  emoji: z.string().max(100).nullish().describe('Emoji shown with it'),
  default: z.boolean().optional().describe('The level used when none is chosen (at most one)'),
  color: z.string().max(20).nullish().describe('Colour, e.g. #ED4245'),
  _uid: z.string().max(64).optional().describe('Stable id of the level, kept as given'),
});

/** Stored form fields, as read back (looser than the input rules, so older rows always serialize). */
export const FormFieldOut = z.object({
  label: z.string(), type: z.number().int().optional(), placeholder: z.string().optional(), required: z.boolean().optional(),
  min_length: z.number().int().optional(), max_length: z.number().int().optional(), style: z.number().int().optional(),
  options: z.array(z.object({ label: z.string(), value: z.string() })).optional(),
});

export const Ticket = z.object({
  id: Snowflake, uuid: z.string(), guild_id: Snowflake, group_id: Snowflake,
  number: z.number().int().describe('Ticket number within the guild (1, 2, 3 …)'),
  status: z.enum(['open', 'closed']),
  name: z.string().describe('Channel/thread name'),
  topic: z.string().nullable(),
  owner_id: Snowflake, assigned_id: Snowflake.nullable(),
  channel_id: Snowflake.nullable().describe('The Discord channel (channel mode) or thread (thread mode); null until Discord has created it'),
  thread_id: Snowflake.nullable(), channel_parent_id: Snowflake.nullable(), notes_thread_id: Snowflake.nullable(),
  priority: z.number().int().nullable().describe("Index into the group's priority_levels"),
  rating: z.number().int().nullable(), rating_comment: z.string().nullable(),
  form: z.array(FormAnswer),
  anonymous: z.boolean(),
  closed_reason: z.string().nullable(), closed_by: Snowflake.nullable(), summary: z.string().nullable(),
  created_at: Timestamp, opened_at: Timestamp, closed_at: Timestamp.nullable(), deleted_at: Timestamp.nullable(),
  locked_at: Timestamp.nullable(), expire_at: Timestamp.nullable(), expiry_clearable: z.boolean(), eternal: z.boolean(),
  last_activity: Timestamp.nullable(), first_response_at: Timestamp.nullable(), transcript_saved_at: Timestamp.nullable(),
  waiting_on: z.enum(['staff', 'owner']).nullable().describe("Whose turn: 'staff' = the owner awaits an answer; null when closed"),
  waiting_since: Timestamp.nullable(),
  close_request: z.object({ requested_by: Snowflake.nullable(), reason: z.string().nullable(), requested_at: Timestamp, closes_at: Timestamp.nullable() }).nullable()
    .describe("A close request awaiting the owner's answer, or null"),
  discord: z.object({ status: z.string(), error: z.string().nullable() }).describe('State of the Discord side: pending, ok, or dead with the error'),
});

export const Paging = {
  page: z.number().int().min(1).optional().describe('Page number, from 1'),
  per_page: z.number().int().min(1).max(100).optional().describe('Items per page (1–100, default 25)'),
};
