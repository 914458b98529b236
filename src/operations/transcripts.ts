/** Transcript operations: read a ticket's transcript (whole or paged), save it to Discord, send it by DM. */
import { z } from 'zod';
import { read, write } from './annotations.js';
import { defineOperation } from './define.js';
import { FormAnswer, FormFieldOut, Snowflake, Ticket, Timestamp, UserId, ticketInput, ticketTarget } from './schemas.js';

/** Levels as stored on the group; lenient on output so old rows still serialize. */
const LevelOut = z.object({
  label: z.string(), description: z.string().nullish(), emoji: z.string().nullish(),
  default: z.boolean().optional(), color: z.string().nullish(), _uid: z.string().optional(),
});

const Member = z.object({
  id: Snowflake, avatar: z.string().describe('Avatar URL (the Discord default avatar when the user has none)'),
  name: z.string(), bot: z.boolean(), joined_at: Timestamp.nullable().describe('When they joined the ticket, when known'),
  roles: z.array(Snowflake).describe('Role ids of the member in the guild'), rating: z.number().int().nullable().describe("The owner's rating of the ticket; null for others"),
});

const Attachment = z.object({
  id: Snowflake, message_id: Snowflake, name: z.string(), hash: z.string(), mime: z.string(), size: z.number().int(), url: z.string(), encrypted: z.boolean(),
});

const Message = z.object({
  id: Snowflake, channel_id: Snowflake, author_id: Snowflake,
  author: z.object({ id: Snowflake, name: z.string(), avatar: z.string(), bot: z.boolean() }),
  content: z.string(), embeds: z.array(z.unknown()), attachments: z.array(Snowflake).describe('Ids of this message\'s attachments in the *_message_attachments list'),
  created_at: Timestamp, edited_at: Timestamp.nullable(), deleted: z.boolean().describe('Deleted in Discord; kept in the transcript'), deleted_at: Timestamp.nullable(),
});

/** Ticketeer's transcript document; "thread" is the ticket's staff notes thread. */
export const TicketeerTranscript = z.object({
  guild: z.object({
    id: Snowflake, name: z.string(), premium: z.boolean(),
    roles: z.array(z.object({ id: Snowflake, name: z.string(), color: z.string().describe('#rrggbb'), position: z.number().int(), hoist: z.boolean() })),
    channels: z.array(z.object({ id: Snowflake, name: z.string(), type: z.number().int(), parent_id: Snowflake.nullable(), position: z.number().int().nullable() })),
  }),
  group: z.object({
    id: Snowflake, name: z.string(), form_title: z.string(), form_fields: z.array(FormFieldOut),
    schedule: z.record(z.string(), z.array(z.unknown())).describe('Working hours per weekday (mo … su)'),
    schedule_timezone: z.string(), priority_levels: z.array(LevelOut), rating_levels: z.array(LevelOut),
  }),
  ticket: z.object({
    id: Snowflake, uuid: z.string(), status: z.enum(['open', 'closed']), owner_id: Snowflake,
    channel_id: Snowflake.nullable().describe('null until Discord has created the channel'), thread_id: Snowflake.nullable(),
    assigned_id: Snowflake.nullable(), number: z.number().int(), priority: z.number().int().nullable(), rating: z.number().int().nullable(),
    private: z.boolean(), form: z.array(FormAnswer), locked_at: Timestamp.nullable(), opened_at: Timestamp.nullable(),
    closed_reason: z.string().nullable(), closed_at: Timestamp.nullable(), created_at: Timestamp, deleted_at: Timestamp.nullable(),
    transcript_saved_at: Timestamp.nullable(),
  }),
  channel_members: z.array(Member),
  channel_messages: z.array(Message),
  channel_message_attachments: z.array(Attachment),
  thread_members: z.array(Member),
  thread_messages: z.array(Message),
  thread_message_attachments: z.array(Attachment),
});

export const getTranscript = defineOperation({
  name: 'get_transcript', title: 'Get a ticket transcript', toolset: 'transcripts', ability: 'transcripts:read', annotations: read,
  description: "The full transcript of a ticket in Ticketeer's shape: guild roles and channels, the ticket group, the ticket, and the members, messages (edits and deletions marked) and attachments of its channel and of its staff notes thread. Large; page with list_transcript_messages instead when you only need messages.",
  input: ticketInput({}),
  output: TicketeerTranscript,
  run: (ctx, input) => ctx.engine.transcripts.get(ticketTarget(input), { signal: ctx.signal, onProgress: ctx.progress }),
});

export const listTranscriptMessages = defineOperation({
  name: 'list_transcript_messages', title: 'Page through a transcript', toolset: 'transcripts', ability: 'transcripts:read', annotations: read,
  description: "A page of a ticket's recorded messages, oldest first, with authors, attachments, edits and deletions. scope picks the ticket channel, the staff notes thread, or both; pass next_cursor back to get the next page.",
  input: ticketInput({
    scope: z.enum(['all', 'channel', 'notes']).optional().describe('channel = the ticket channel/thread, notes = the staff notes thread, all = both (default)'),
    cursor: z.string().max(200).optional().describe('next_cursor of the previous page'),
    limit: z.number().int().min(1).max(500).optional().describe('Messages per page (default 100)'),
  }),
  output: z.object({
    ticket_id: Snowflake,
    total: z.number().int().describe('Messages in this scope'),
    messages: z.array(z.object({
      id: Snowflake, ticket_id: Snowflake, channel_id: Snowflake, in_notes: z.boolean(),
      author: z.object({ id: Snowflake, name: z.string(), avatar: z.string().nullable(), bot: z.boolean() }),
      content: z.string(), embeds: z.array(z.unknown()),
      attachments: z.array(z.object({ id: Snowflake, message_id: Snowflake, filename: z.string(), content_type: z.string().nullable(), size: z.number().int(), url: z.string() })),
      created_at: Timestamp, edited_at: Timestamp.nullable(), deleted_at: Timestamp.nullable(),
    })),
    next_cursor: z.string().nullable(),
  }),
  run: (ctx, input) => ctx.engine.transcripts.listMessages({ ...ticketTarget(input), scope: input.scope, cursor: input.cursor, limit: input.limit }),
});

export const saveTranscript = defineOperation({
  name: 'save_transcript', title: 'Save a ticket transcript', toolset: 'transcripts', ability: 'tickets:write', annotations: write,
  description: "Save the ticket's transcript now: marks it saved and has the bot fetch the channel's whole history from Discord and post the transcript file to the group's transcript channel. Returns the updated transcript; reports progress while reading it.",
  input: ticketInput({}),
  output: TicketeerTranscript,
  run: (ctx, input) => ctx.engine.transcripts.save(ctx.actor, ticketTarget(input), { signal: ctx.signal, onProgress: ctx.progress }),
});

export const sendTranscript = defineOperation({
  name: 'send_transcript', title: 'Send a transcript by DM', toolset: 'transcripts', ability: 'tickets:write', annotations: write,
  description: "Queue a direct message to a user with the ticket's transcript file. Works for deleted tickets too; the DM fails quietly in Discord if the user does not accept DMs from the server.",
  input: ticketInput({ user_id: UserId.describe('Who receives the transcript') }),
  output: z.object({ queued: z.literal(true), user_id: Snowflake, ticket: Ticket }),
  run: (ctx, input) => ctx.engine.transcripts.send(ctx.actor, { ...ticketTarget(input), user_id: input.user_id }, { signal: ctx.signal }),
});

export const transcriptOperations = [getTranscript, listTranscriptMessages, saveTranscript, sendTranscript];
