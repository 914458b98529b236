/** Husqy's request fields (document 002) and the envelope every answer comes in. */
import { z } from 'zod';

const SNOWFLAKE = /^\d{17,20}$/;
/** Husqy sends ids as JSON integers (kept exact by the body parser) or strings. */
export const HqId = z.union([z.string(), z.number().int()]).transform(String)
  .pipe(z.string().regex(SNOWFLAKE, 'must be a Discord snowflake: 17 to 20 digits'));
/** An id, or 'create' to have the bot create the role/category/channel. */
export const HqIdOrCreate = z.union([z.literal('create'), HqId]);
const Nullable = z.union([z.string().max(500), z.number(), z.null()]).optional();
const IntQuery = (what: string) => z.string().regex(/^\d{1,9}$/, `${what} must be a positive integer`).transform(Number).pipe(z.number().int().min(1));

export const GuildQuery = z.object({ guild_id: HqId.describe('The ID of the guild') }).strict();
export const GuildBody = z.object({ guild_id: HqId.describe('The ID of the guild') }).strict();
export const PageQuery = GuildQuery.extend({
  page: IntQuery('page').optional().describe('The page number to get (default = 1)'),
  page_size: IntQuery('page_size').pipe(z.number().max(100)).optional().describe('The amount of entries to return in one page (default = 10)'),
}).strict();
export const Interaction = {
  application_id: Nullable.describe('The ID of the application interaction. Can be None'),
  token: Nullable.describe('The token of the application interaction. Can be None'),
};
export const EntryBody = GuildBody.extend(Interaction).strict();
export const TransferBody = EntryBody.extend({ new_engineer: HqId.describe('The ID of the new engineer') }).strict();

export const PanelType = z.enum(['create button', 'ticket type button', 'dropdown']);
const Categories = z.array(HqId).max(50);
export const PanelBody = GuildBody.extend({
  panel_type: PanelType.describe("The type of ticket panel: 'create button', 'ticket type button' or 'dropdown'"),
  create_message_is_embed: z.boolean(),
  create_message_content: z.string().max(6000).describe("The create message, a Husqy embed config, or 'default'"),
  form_enabled: z.boolean(),
  form_content: z.string().max(6000).nullable().describe("The Husqy modal config, 'default', or null when the form is off"),
  ticket_opened_message_is_embed: z.union([z.boolean(), z.enum(['true', 'false', 'True', 'False'])]).transform((v) => v === true || v === 'true' || v === 'True'),
  ticket_opened_message_content: z.string().max(6000),
  ticket_opened_name: z.string().min(1).max(100),
  support_engineer_role_id: HqIdOrCreate,
  create_message_category_id: HqIdOrCreate,
  create_message_channel_id: HqIdOrCreate,
  open_tickets_categories: Categories,
  closed_tickets_categories: Categories,
  threads_enabled: z.boolean(),
}).strict();
export const PanelUpdateBody = PanelBody.omit({ create_message_category_id: true, create_message_channel_id: true }).strict();
export const PanelParams = z.object({ panel_id: z.string().regex(SNOWFLAKE, 'must be a panel id (a snowflake)') });
export const TicketTypeParams = PanelParams.extend({ ticket_type_id: z.string().regex(SNOWFLAKE, 'must be a ticket type id (a snowflake)') });
export const TicketTypeBody = GuildBody.extend({
  title: z.string().min(1).max(80),
  description: z.string().max(100).nullable().optional(),
  emoji_name: z.string().max(100).nullable().optional(),
  emoji_id: HqId.nullable().optional(),
}).strict();
export const EntryParams = z.object({ ticket_id: z.string().regex(SNOWFLAKE, 'must be a ticket id (a snowflake)') });
export const CreateTicketEvent = GuildBody.extend({
  panel_id: HqId, ticket_type_id: HqId, ...Interaction, interaction_id: Nullable,
}).strict();
export const HandleFormEvent = CreateTicketEvent.extend({
  values: z.record(z.string().max(256), z.union([z.string().max(4000), z.number(), z.boolean(), z.null()])).describe('The values from the filled in form'),
}).strict();
export const MessagesQuery = GuildQuery.extend({ ticket_id: z.string().regex(SNOWFLAKE, 'must be a ticket id (a snowflake)') }).strict();
export const MessageLinkBody = GuildBody.extend({ channel_id: HqId, message_id: HqId }).strict();
export const PrivacyQuery = GuildQuery.extend({ privacy_member_id: HqId }).strict();
export const PrivacyBody = GuildBody.extend({ privacy_member_id: HqId }).strict();

export const HqError = z.object({
  success: z.literal(false),
  data: z.object({}),
  error: z.object({ code: z.number().int(), name: z.string(), message: z.string() }),
});
export function envelope<T extends z.ZodType>(data: T) {
  return z.object({ success: z.literal(true), data, error: z.object({}) });
}
export const HqEntry = z.object({
  id: z.string(), guild_id: z.string(), number: z.number().int(), user_id: z.string(), claimed_by: z.string().nullable(),
  status: z.string(), topic: z.string().nullable(), channel_id: z.string().nullable(), thread_id: z.string().nullable(),
  group_id: z.string(), created_at: z.string(), closed_at: z.string().nullable(), closed_by: z.string().nullable(),
  close_reason: z.string().nullable(),
});
export const HqAny = z.record(z.string(), z.unknown());
