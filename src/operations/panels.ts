/** Panel operations: the Discord messages users open tickets from, and their ticket types (options). */
import { z } from 'zod';
import { PANEL_OPTION_LIMIT, PANEL_TYPES } from '../engine/panels.js';
import { defineOperation } from './define.js';
import { destructive, idempotentWrite, read, write } from './annotations.js';
import { GuildId, Paging, Snowflake, Timestamp } from './schemas.js';

const IdOrCreate = z.union([Snowflake, z.literal('create')]);
const url = z.url({ protocol: /^https?$/ }).max(2048);

const panelFields = {
  panel_type: z.enum(PANEL_TYPES).optional().describe("create_button: one button to open a ticket; ticket_type_button: one button per ticket type; dropdown: a select menu of ticket types (default ticket_type_button)"),
  channel_id: IdOrCreate.nullable().optional().describe("Channel the panel is posted in, 'create' to have the bot create one, or null to keep it unposted"),
  category_id: IdOrCreate.nullable().optional().describe("Category of the panel channel, or 'create' for a new one"),
  create_message_is_embed: z.boolean().optional().describe('Whether the panel message is an embed (default true)'),
  create_message_content: z.string().min(1).max(4000).optional().describe("Text of the panel message, or 'default' for the built-in one"),
  title: z.string().max(256).nullable().optional().describe('Embed title'),
  description: z.string().max(4096).nullable().optional().describe('Embed description'),
  color: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a hex color like #5865F2').nullable().optional().describe('Embed color, #RRGGBB'),
  image_url: url.nullable().optional().describe('Embed image: an http(s) URL shown large under the text (null removes it)'),
  thumbnail_url: url.nullable().optional().describe('Embed thumbnail: an http(s) URL shown small at the top right (null removes it)'),
  footer: z.string().max(2048).nullable().optional().describe('Embed footer text'),
  placeholder: z.string().max(150).nullable().optional().describe('Placeholder of the dropdown'),
  group_id: Snowflake.nullable().optional().describe("Ticket group for tickets opened from this panel (null: the guild default). Leave out when giving the ticket settings below, which give the panel its own group"),
  form_enabled: z.boolean().optional().describe('Ticket settings: ask a form before opening'),
  form_content: z.string().max(8000).nullable().optional().describe("Ticket settings: 'default', or JSON: [fields] or {title, fields}, each field {label, style 1|2, required, placeholder, min_length, max_length}; at most 5"),
  ticket_opened_message_is_embed: z.boolean().optional().describe('Ticket settings: send the opening message as an embed'),
  ticket_opened_message_content: z.string().min(1).max(2000).optional().describe("Ticket settings: message posted in a new ticket, or 'default'"),
  ticket_opened_name: z.string().min(1).max(100).optional().describe('Ticket settings: name of new ticket channels; variables {number}, {id}, {owner_id}'),
  support_engineer_role_id: IdOrCreate.nullable().optional().describe("Ticket settings: staff role that handles these tickets, or 'create'"),
  open_tickets_categories: z.array(Snowflake).max(10).optional().describe('Ticket settings: categories new ticket channels open in (the first is used; the rest are overflow)'),
  closed_tickets_categories: z.array(Snowflake).max(10).optional().describe('Ticket settings: categories closed ticket channels move to'),
  threads_enabled: z.boolean().optional().describe("Ticket settings: open tickets as private threads in the panel's channel instead of channels"),
};

export const PanelOption = z.object({
  id: Snowflake, panel_id: Snowflake, guild_id: Snowflake,
  title: z.string(), description: z.string().nullable(), emoji_name: z.string().nullable(), emoji_id: Snowflake.nullable(),
  group_id: Snowflake.nullable().describe('Ticket group of tickets opened with this type (null: the panel group or guild default)'),
  style: z.number().int(), position: z.number().int(), created_at: Timestamp,
});

export const Panel = z.object({
  id: Snowflake, guild_id: Snowflake, name: z.string(), panel_type: z.enum(PANEL_TYPES), component: z.enum(['buttons', 'select']),
  channel_id: IdOrCreate.nullable(), category_id: IdOrCreate.nullable(),
  message_id: Snowflake.nullable().describe('The posted panel message; null until Discord has it'),
  create_message_is_embed: z.boolean(), create_message_content: z.string(),
  title: z.string().nullable(), description: z.string().nullable(), color: z.string().nullable(), image_url: z.string().nullable(),
  thumbnail_url: z.string().nullable(), footer: z.string().nullable(), placeholder: z.string().nullable(),
  group_id: Snowflake.nullable(), owns_group: z.boolean().describe('true when the ticket settings live in a group made for this panel'),
  form_enabled: z.boolean().nullable(), form_content: z.string().nullable(), ticket_opened_message_is_embed: z.boolean().nullable(),
  ticket_opened_message_content: z.string().nullable(), ticket_opened_name: z.string().nullable(),
  support_engineer_role_id: IdOrCreate.nullable(), open_tickets_categories: z.array(Snowflake).nullable(),
  closed_tickets_categories: z.array(Snowflake).nullable(), threads_enabled: z.boolean().nullable(),
  options: z.array(PanelOption).describe('The ticket types, in display order'),
  created_at: Timestamp, updated_at: Timestamp,
});

const PanelRef = { guild_id: GuildId, panel_id: Snowflake.describe('The panel ID') };
const OptionRef = { ...PanelRef, option_id: Snowflake.describe('The ticket type (panel option) ID') };

export const createPanel = defineOperation({
  name: 'create_panel', title: 'Create a ticket panel', toolset: 'panels', ability: 'guild:admin', annotations: write,
  description: 'Create a ticket panel: a message with buttons or a dropdown that users press to open tickets, posted in channel_id by the bot. Either point it at an existing ticket group (group_id) or give Husqy-style ticket settings (form, opening message, name, support role, categories, threads), which create a ticket group owned by the panel. Add ticket types with add_panel_option.',
  input: z.object({ guild_id: GuildId, name: z.string().min(1).max(100).describe('Panel name (shown to staff)'), ...panelFields }).strict(),
  output: Panel,
  run: (ctx, input) => ctx.engine.panels.create(ctx.actor, input),
});

export const getPanel = defineOperation({
  name: 'get_panel', title: 'Get a ticket panel', toolset: 'panels', ability: 'guild:read', annotations: read,
  description: 'Fetch one ticket panel with its message, ticket settings and ticket types.',
  input: z.object(PanelRef).strict(), output: Panel,
  run: (ctx, input) => ctx.engine.panels.get(input),
});

export const listPanels = defineOperation({
  name: 'list_panels', title: 'List ticket panels', toolset: 'panels', ability: 'guild:read', annotations: read,
  description: "List a guild's ticket panels, oldest first, each with its ticket types.",
  input: z.object({ guild_id: GuildId, ...Paging }).strict(),
  output: z.object({ panels: z.array(Panel), total: z.number().int(), page: z.number().int(), per_page: z.number().int() }),
  run: (ctx, input) => ctx.engine.panels.list(input),
});

export const updatePanel = defineOperation({
  name: 'update_panel', title: 'Update a ticket panel', toolset: 'panels', ability: 'guild:admin', annotations: idempotentWrite,
  description: "Change a ticket panel; fields left out stay. The bot re-posts the panel message (moving it when channel_id changes). Ticket settings update the panel's own ticket group.",
  input: z.object({ ...PanelRef, name: z.string().min(1).max(100).optional().describe('New name'), ...panelFields }).strict(),
  output: Panel,
  run: (ctx, input) => ctx.engine.panels.update(ctx.actor, input),
});

export const deletePanel = defineOperation({
  name: 'delete_panel', title: 'Delete a ticket panel', toolset: 'panels', ability: 'guild:admin', annotations: destructive,
  description: "Delete a ticket panel and its ticket types; the bot removes the panel message from Discord. Its own ticket group goes too unless it still has open tickets. Existing tickets are not affected.",
  input: z.object(PanelRef).strict(), output: Panel,
  run: (ctx, input) => ctx.engine.panels.delete(ctx.actor, input),
});

export const addPanelOption = defineOperation({
  name: 'add_panel_option', title: 'Add a ticket type to a panel', toolset: 'panels', ability: 'guild:admin', annotations: write,
  description: `Add a ticket type (a button, or an entry of the dropdown) to a panel, optionally opening tickets in its own ticket group; the bot updates the panel message. At most ${PANEL_OPTION_LIMIT} per panel.`,
  input: z.object({
    ...PanelRef,
    title: z.string().min(1).max(100).describe('Button label or dropdown entry (buttons show at most 80 characters)'),
    description: z.string().max(100).nullable().optional().describe('Dropdown entry description (shown for dropdown panels)'),
    emoji_name: z.string().min(1).max(100).nullable().optional().describe('A unicode emoji (😁) or the name of a custom guild emoji'),
    emoji_id: Snowflake.nullable().optional().describe('ID of the custom emoji; leave out for a unicode emoji'),
    group_id: Snowflake.nullable().optional().describe('Ticket group of tickets opened with this type; must be a group of this guild'),
    style: z.number().int().min(1).max(4).optional().describe('Button style: 1 blurple, 2 grey, 3 green, 4 red (default 1)'),
    position: z.number().int().min(0).max(1000).optional().describe('Display order (default: last)'),
  }).strict(),
  output: PanelOption,
  run: (ctx, input) => ctx.engine.panels.addOption(ctx.actor, input),
});

export const listPanelOptions = defineOperation({
  name: 'list_panel_options', title: 'List the ticket types of a panel', toolset: 'panels', ability: 'guild:read', annotations: read,
  description: 'List the ticket types (options) of a panel in display order.',
  input: z.object(PanelRef).strict(),
  output: z.object({ panel_id: Snowflake, options: z.array(PanelOption) }),
  run: (ctx, input) => ctx.engine.panels.listOptions(input),
});

export const getPanelOption = defineOperation({
  name: 'get_panel_option', title: 'Get a ticket type', toolset: 'panels', ability: 'guild:read', annotations: read,
  description: 'Fetch one ticket type (option) of a panel.',
  input: z.object(OptionRef).strict(), output: PanelOption,
  run: (ctx, input) => ctx.engine.panels.getOption(input),
});

export const deletePanelOption = defineOperation({
  name: 'delete_panel_option', title: 'Remove a ticket type from a panel', toolset: 'panels', ability: 'guild:admin', annotations: destructive,
  description: 'Remove a ticket type from a panel; the bot updates the panel message. Tickets already opened with it are not affected.',
  input: z.object(OptionRef).strict(), output: PanelOption,
  run: (ctx, input) => ctx.engine.panels.deleteOption(ctx.actor, input),
});

export const panelOperations = [
  createPanel, getPanel, listPanels, updatePanel, deletePanel, addPanelOption, listPanelOptions, getPanelOption, deletePanelOption,
];
