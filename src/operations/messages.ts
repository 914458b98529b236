/** Custom messages (named templates) and sending messages to guild channels. */
import { z } from 'zod';
import { AllowedMentionsSchema, ComponentsSchema, EmbedsSchema, PollSchema } from '../engine/message-shapes.js';
import { defineOperation } from './define.js';
import { destructive, idempotentWrite, read, write } from './annotations.js';
import { GuildId, Paging, Snowflake, Timestamp } from './schemas.js';

const Context = z.record(z.string().max(100), z.unknown())
  .describe('Values for the {variables} of the message, e.g. {"user": "<@849383430663776372>", "ticket": {"number": 12}}; {guild.id} and {guild.name} are always defined');

export const CustomMessage = z.object({
  id: Snowflake, guild_id: Snowflake, name: z.string(), content: z.string().nullable(),
  // Stored embeds and components passed EmbedsSchema / ComponentsSchema: objects (a bare {} would
  // describe "any value" in the output schema, which strict clients flag).
  embeds: z.array(z.record(z.string(), z.unknown())), components: z.array(z.record(z.string(), z.unknown())),
  variables: z.array(z.string()).describe('The {variables} used, which a context must define'),
  auto_keywords: z.array(z.string()).describe('Words that post it as an auto reply; [] = none'),
  created_at: Timestamp, updated_at: Timestamp,
});

const MessageRef = { guild_id: GuildId, custom_message_id: Snowflake.describe('The custom message ID') };
export const customMessageBody = {
  content: z.string().max(2000).nullable().optional().describe('Message text (up to 2000 characters); may use {variables}'),
  embeds: EmbedsSchema.optional(),
  components: ComponentsSchema.optional(),
  auto_keywords: z.array(z.string().trim().min(2).max(100)).max(20).optional()
    .describe("Words or phrases (any case) that make this an auto reply: posted once in a ticket when its owner writes one"),
};

export const createCustomMessage = defineOperation({
  name: 'create_custom_message', title: 'Create a custom message', toolset: 'messages', ability: 'guild:admin', annotations: write,
  description: 'Save a reusable message (content, embeds, components) for a guild. Text may hold {variables} such as {user}, {ticket.number} or {guild.name}, filled in when it is rendered or sent (send_custom_message).',
  input: z.object({ guild_id: GuildId, name: z.string().min(1).max(100).describe('Name staff know it by'), ...customMessageBody }).strict(),
  output: CustomMessage,
  run: (ctx, input) => ctx.engine.customMessages.create(ctx.actor, input),
});

export const getCustomMessage = defineOperation({
  name: 'get_custom_message', title: 'Get a custom message', toolset: 'messages', ability: 'guild:read', annotations: read,
  description: 'Fetch one custom message of a guild with its content, embeds, components and the variables it needs.',
  input: z.object(MessageRef).strict(), output: CustomMessage,
  run: (ctx, input) => ctx.engine.customMessages.get(input),
});

export const listCustomMessages = defineOperation({
  name: 'list_custom_messages', title: 'List custom messages', toolset: 'messages', ability: 'guild:read', annotations: read,
  description: "List a guild's custom messages, oldest first.",
  input: z.object({ guild_id: GuildId, ...Paging }).strict(),
  output: z.object({ messages: z.array(CustomMessage), total: z.number().int(), page: z.number().int(), per_page: z.number().int() }),
  run: (ctx, input) => ctx.engine.customMessages.list(input),
});

export const updateCustomMessage = defineOperation({
  name: 'update_custom_message', title: 'Update a custom message', toolset: 'messages', ability: 'guild:admin', annotations: idempotentWrite,
  description: 'Change the name, content, embeds or components of a custom message; fields left out stay. Messages already sent are not changed.',
  input: z.object({ ...MessageRef, name: z.string().min(1).max(100).optional().describe('New name staff know it by'), ...customMessageBody }).strict(),
  output: CustomMessage,
  run: (ctx, input) => ctx.engine.customMessages.update(ctx.actor, input),
});

export const deleteCustomMessage = defineOperation({
  name: 'delete_custom_message', title: 'Delete a custom message', toolset: 'messages', ability: 'guild:admin', annotations: destructive,
  description: 'Delete a custom message. Messages already sent from it stay in Discord.',
  input: z.object(MessageRef).strict(), output: CustomMessage,
  run: (ctx, input) => ctx.engine.customMessages.delete(ctx.actor, input),
});

export const renderCustomMessageOp = defineOperation({
  name: 'render_custom_message', title: 'Render a custom message', toolset: 'messages', ability: 'guild:read', annotations: read,
  description: 'Fill in the {variables} of a custom message from a context and return the result without sending it (a preview). Fails naming each variable the context lacks.',
  input: z.object({ ...MessageRef, context: Context.optional() }).strict(),
  output: z.object({
    custom_message_id: Snowflake, content: z.string().nullable(),
    embeds: z.array(z.record(z.string(), z.unknown())), components: z.array(z.record(z.string(), z.unknown())),
  }),
  run: (ctx, input) => ctx.engine.customMessages.render(input),
});

const delivery = {
  username: z.string().min(1).max(80).optional().describe('Post through a webhook under this name'),
  avatar_url: z.url({ protocol: /^https?$/ }).max(2048).optional().describe('Post through a webhook with this avatar'),
  thread_name: z.string().min(1).max(100).optional().describe('Forum channels: title of the post to create (required there)'),
  applied_tags: z.array(Snowflake).max(5).optional().describe('Forum channels: tag IDs for the new post'),
};

const Queued = z.object({
  job_id: z.string().describe('The queued Discord job; the bot performs it shortly'),
  status: z.literal('queued'),
  channel_id: Snowflake,
  message_id: Snowflake.nullable().describe('The edited message, or null for a new message (its id is known once sent)'),
});

const channelMessageShape = {
  guild_id: GuildId,
  channel_id: Snowflake.describe('Text, announcement, thread or forum channel of the guild'),
  content: z.string().max(2000).optional().describe('Message text, up to 2000 characters'),
  embeds: EmbedsSchema.optional(),
  components: ComponentsSchema.optional(),
  allowed_mentions: AllowedMentionsSchema.optional(),
  flags: z.number().int().min(0).optional().describe('Message flags: 4 suppress embeds, 4096 silent, 32768 components v2'),
  tts: z.boolean().optional().describe('Read the message aloud (text-to-speech)'),
  poll: PollSchema.optional(),
  ...delivery,
};

export const sendChannelMessage = defineOperation({
  name: 'send_channel_message', title: 'Send a message to a channel', toolset: 'channels', ability: 'channels:write', annotations: write,
  description: 'Post a message in a guild channel as the bot, or through a webhook when username/avatar_url are given. In a forum channel it starts a post named thread_name. With message_id it edits that message instead. Returns the queued job; the bot sends it shortly.',
  input: z.object({ ...channelMessageShape, message_id: Snowflake.optional().describe('Edit this message instead of sending a new one') }).strict(),
  output: Queued,
  run: (ctx, input) => ctx.engine.channelMessages.send(ctx.actor, input),
});

export const editChannelMessage = defineOperation({
  name: 'edit_channel_message', title: 'Edit a message in a channel', toolset: 'channels', ability: 'channels:write', annotations: idempotentWrite,
  description: 'Replace the content, embeds or components of a message the bot (or its webhook) sent in a guild channel. Returns the queued job.',
  input: z.object({ ...channelMessageShape, message_id: Snowflake.describe('The message to edit') }).strict(),
  output: Queued,
  run: (ctx, input) => ctx.engine.channelMessages.edit(ctx.actor, input),
});

export const sendCustomMessage = defineOperation({
  name: 'send_custom_message', title: 'Send a custom message', toolset: 'channels', ability: 'channels:write', annotations: write,
  description: 'Render a custom message with a context (its {variables}) and post it in a guild channel; with message_id it edits that message with the rendered result. Fails naming any variable the context lacks. Returns the queued job.',
  input: z.object({
    ...MessageRef,
    channel_id: Snowflake.describe('Channel to post in'),
    message_id: Snowflake.optional().describe('Edit this message instead of sending a new one'),
    context: Context.optional(),
    ...delivery,
  }).strict(),
  output: Queued,
  run: (ctx, input) => ctx.engine.channelMessages.sendCustom(ctx.actor, input),
});

export const messageOperations = [
  createCustomMessage, getCustomMessage, listCustomMessages, updateCustomMessage, deleteCustomMessage, renderCustomMessageOp,
  sendChannelMessage, editChannelMessage, sendCustomMessage,
];
