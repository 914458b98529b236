/** Ticketeer's documented request and response shapes (documents 000/001), as zod schemas. */
import { z } from 'zod';

export const Id = z.string().regex(/^\d{17,20}$/, 'must be a Discord snowflake: 17 to 20 digits');
const Ts = z.string().describe('Timestamp, e.g. 2024-01-01T00:00:00.000000Z');

// ---- path parameters -------------------------------------------------------------------------
export const GuildParams = z.object({ guild_id: Id.describe('The ID of the guild.') });
export const TicketParams = GuildParams.extend({ ticket_id: Id.describe('The ID of the ticket.') });
export const ChannelParams = GuildParams.extend({ channel_id: Id.describe('The ID of the channel.') });
export const TicketSendParams = TicketParams.extend({ user_id: Id.describe('The ID of the user.') });
export const ChannelSendParams = GuildParams.extend({ channel: Id.describe('The channel.'), user_id: Id.describe('The ID of the user.') });
export const ChannelMessageParams = ChannelParams.extend({ message_id: Id.describe('The ID of the message.') });
const CustomMessageId = z.string().min(1).max(100).regex(/^[\w-]+$/, 'must be a custom message id (letters, digits, _ and -)');
export const CustomMessageParams = GuildParams.extend({ custom_message_id: CustomMessageId.describe('The ID of the custom message.'), channel_id: Id.describe('The ID of the channel.') });
export const CustomMessageEditParams = CustomMessageParams.extend({ message_id: Id.describe('The ID of the message.') });

export const PageQuery = z.object({
  page: z.coerce.number().int().min(1).max(1_000_000).optional().describe('Page number (default 1)'),
  per_page: z.coerce.number().int().min(1).max(100).optional().describe('Items per page (default 30, at most 100)'),
});

// ---- request bodies --------------------------------------------------------------------------
const Reason = z.string().max(1000).describe('Reason for performing the action on the ticket');
const Anonymous = z.boolean().describe('Perform action as bot, defaults to false');

export const ActionBody = z.object({ reason: Reason.nullable().optional(), anonymous: Anonymous.optional() });
export const UserActionBody = ActionBody.extend({ user_id: Id.describe('The ID of the user to perform the action on') });
export const MoveBody = z.object({ ticket_group_id: Id.describe('The ID of the target ticket group'), reason: Reason.nullable().optional() });
export const ExpireBody = ActionBody.extend({
  expire_at: z.string().max(64).nullable().describe('The expiry timestamp (ISO 8601) or null to remove expiry'),
  clearable: z.boolean().optional().describe('Whether user activity (sending messages) can clear the expiry'),
});
export const EternalBody = ActionBody.extend({ eternal: z.boolean().optional().describe('Whether the ticket is eternal (never expires); default true') });
export const NameBody = ActionBody.extend({ name: z.string().max(100).nullable().optional().describe('The new name for the ticket, optional to set to default') });
export const PriorityBody = ActionBody.extend({ priority: z.number().int().min(0).max(1000).nullable().describe('The priority level index') });

const FormValue = z.union([z.string().max(4000), z.number(), z.boolean()]);
export const CreateTicketBody = z.object({
  user_id: Id.describe('The ID of the user opening the ticket'),
  message: z.string().max(2000).nullable().optional().describe('Additional message the new ticket will include'),
  ticket_group_id: Id.nullable().optional().describe('The ID of the ticket group the new ticket will belong to'),
  form: z.array(z.object({
    type: z.union([z.number().int(), z.string().max(50)]).optional().describe('Follows the component type defined in the ticket group'),
    title: z.string().max(256).describe('The title of the form field'),
    value: FormValue.describe('The value of the form field'),
  })).max(25).nullable().optional().describe('The form data for the new ticket'),
  anonymous: z.boolean().optional().describe('Create the ticket anonymously (needs the anonymous ability)'),
});

const Json = z.record(z.string(), z.unknown());
export const ChannelMessageBody = z.object({
  username: z.string().min(1).max(80).optional().describe('Override the default username (sends as webhook)'),
  avatar_url: z.string().url().max(2048).optional().describe('Override the default avatar URL (sends as webhook)'),
  thread_name: z.string().min(1).max(100).optional().describe('Thread name, required for forum channels'),
  content: z.string().max(2000).optional().describe('The message content, up to 2000 characters'),
  tts: z.boolean().optional(),
  allowed_mentions: Json.optional(),
  embeds: z.array(Json).max(10).optional(),
  components: z.array(Json).max(5).optional(),
  flags: z.number().int().min(0).optional(),
  applied_tags: z.array(Id).max(5).optional(),
  poll: Json.optional(),
});
export const CustomMessageBody = z.object({
  username: z.string().min(1).max(80).optional(),
  avatar_url: z.string().url().max(2048).optional(),
  thread_name: z.string().min(1).max(100).optional(),
  context: Json.optional().describe('Context variables to pass to the custom message template'),
});

// ---- responses -------------------------------------------------------------------------------
export const TtTicket = z.object({
  id: z.string(), uuid: z.string(), group_id: z.string(), guild_id: z.string(),
  channel_id: z.string().nullable(),
  channel_parent_id: z.string().nullable().describe("The parent of the ticket's channel: its category, or for a thread ticket the channel the thread is in"),
  owner_id: z.string().nullable(), assigned_id: z.string().nullable(),
  number: z.number().int().nullable(), status: z.string().nullable(), rating: z.number().int().nullable(),
  priority: z.number().int().nullable(),
  form: z.array(z.object({ type: z.string(), title: z.string(), value: z.string() })).nullable(),
  closed_reason: z.string().nullable(), created_at: Ts, opened_at: Ts.nullable(), closed_at: Ts.nullable(),
  deleted_at: Ts.nullable(), last_activity: Ts.nullable(),
});

export const TtGuild = z.object({
  id: z.string(), name: z.string(), premium: z.boolean(),
  premium_ends_at: Ts.nullable(), joined_at: Ts.nullable(),
});

export const TtUser = z.object({
  id: z.string(), name: z.string().nullable(), username: z.string(), discriminator: z.string(), avatar: z.string(),
  locale: z.string().nullable(), bot: z.boolean(), verified: z.boolean(), joined_at: Ts.nullable(),
});

export const TtGroup = z.object({
  id: z.string(), name: z.string(), count: z.number().int(),
  opened_channel_id: z.string().nullable(), closed_category_id: z.string().nullable(), locked_category_id: z.string().nullable(),
  assigned_category_id: z.string().nullable(), transcript_channel_id: z.string().nullable(),
  form_channel_id: z.string().nullable(), feedback_channel_id: z.string().nullable(),
});
export const TtNamed = z.object({ id: z.string(), name: z.string() });

export function paginator<T extends z.ZodType>(item: T) {
  return z.object({
    data: z.array(item), current_page: z.number().int(), first_page_url: z.string(), from: z.number().int().nullable(),
    last_page: z.number().int(), last_page_url: z.string(), next_page_url: z.string().nullable(), path: z.string(),
    per_page: z.number().int(), prev_page_url: z.string().nullable(), to: z.number().int().nullable(), total: z.number().int(),
  });
}

const Member = z.object({ id: z.string(), avatar: z.string(), name: z.string(), bot: z.boolean(), joined_at: Ts.nullable(), roles: z.array(z.string()), rating: z.number().int().nullable() });
const Attachment = z.object({ id: z.string(), name: z.string(), hash: z.string(), mime: z.string(), size: z.number().int(), url: z.string(), encrypted: z.boolean() });
const Level = z.object({ label: z.string(), color: z.string().nullable().optional() }).passthrough();
export const TtTranscript = z.object({
  guild: z.object({
    id: z.string(), name: z.string(), premium: z.boolean(),
    roles: z.array(z.object({ id: z.string(), name: z.string(), color: z.string(), position: z.number().int(), hoist: z.boolean() })),
    channels: z.array(z.object({ id: z.string(), name: z.string(), type: z.number().int(), parent_id: z.string().nullable(), position: z.number().int().nullable() })),
  }),
  group: z.object({
    id: z.string(), name: z.string(), form_title: z.string().nullable(), form_fields: z.array(z.unknown()),
    schedule: z.unknown(), schedule_timezone: z.string().nullable(), priority_levels: z.array(Level), rating_levels: z.array(Level),
  }),
  ticket: z.object({
    id: z.string(), uuid: z.string(), status: z.string(), owner_id: z.string(), channel_id: z.string().nullable(),
    thread_id: z.string().nullable(), assigned_id: z.string().nullable(), number: z.number().int(), priority: z.number().int().nullable(),
    rating: z.number().int().nullable(), private: z.boolean(), form: z.array(z.unknown()).nullable(), locked_at: Ts.nullable(),
    opened_at: Ts.nullable(), closed_reason: z.string().nullable(), closed_at: Ts.nullable(), created_at: Ts,
    deleted_at: Ts.nullable(), transcript_saved_at: Ts.nullable(),
  }),
  channel_members: z.array(Member), channel_messages: z.array(z.unknown()), channel_message_attachments: z.array(Attachment),
  thread_members: z.array(Member), thread_messages: z.array(z.unknown()), thread_message_attachments: z.array(Attachment),
});

/** Laravel-style error body: a message, and per-field messages for validation failures. */
export const TtError = z.object({
  message: z.string(),
  errors: z.record(z.string(), z.array(z.string())).optional(),
});
export const TtUnavailable = z.object({ success: z.literal(false), status: z.literal(503), message: z.string() });
export const TtAck = z.object({ success: z.boolean(), message: z.string() }).passthrough();
export const TtAny = z.record(z.string(), z.unknown());
export const TtQueuedTranscript = z.object({ queued: z.boolean(), user_id: z.string(), ticket: TtTicket });
