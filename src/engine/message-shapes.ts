/**
 * Discord message parts with Discord's limits, shared by custom messages and channel messages.
 * Objects are loose (Discord adds fields over time); the limits that make Discord reject a message are checked.
 */
import { z } from 'zod';
import { invalid } from './errors.js';

const snowflake = z.string().regex(/^\d{17,20}$/, 'must be a Discord snowflake: a string of 17 to 20 digits');
const url = z.string().max(2048).regex(/^(https?|attachment):\/\//, 'must be an http(s) or attachment:// URL');

export const EmbedSchema = z.looseObject({
  title: z.string().max(256).optional().describe('Title (up to 256 characters)'),
  description: z.string().max(4096).optional().describe('Main text (up to 4096 characters, Markdown)'),
  url: url.optional().describe('Link of the title'),
  color: z.number().int().min(0).max(0xffffff).optional().describe('Colour of the left bar as an integer, e.g. 5793266 for #5865F2'),
  timestamp: z.string().optional().describe('ISO-8601 time shown in the footer'),
  footer: z.looseObject({
    text: z.string().min(1).max(2048).describe('Footer text (up to 2048 characters)'),
    icon_url: url.optional().describe('Small icon before the footer text'),
  }).optional().describe('Footer line'),
  image: z.looseObject({ url: url.describe('Image URL') }).optional().describe('Large image under the text'),
  thumbnail: z.looseObject({ url: url.describe('Image URL') }).optional().describe('Small image at the top right'),
  author: z.looseObject({
    name: z.string().min(1).max(256).describe('Author name (up to 256 characters)'),
    url: url.optional().describe('Link of the author name'),
    icon_url: url.optional().describe('Small icon before the author name'),
  }).optional().describe('Author line above the title'),
  fields: z.array(z.looseObject({
    name: z.string().min(1).max(256).describe('Field heading (up to 256 characters)'),
    value: z.string().min(1).max(1024).describe('Field text (up to 1024 characters)'),
    inline: z.boolean().optional().describe('Whether the field may sit beside others'),
  })).max(25).optional().describe('Up to 25 name/value fields'),
}).describe('A Discord embed object (title ≤256, description ≤4096, ≤25 fields)');

export const EmbedsSchema = z.array(EmbedSchema).max(10).describe('Up to 10 Discord embed objects (6000 characters in total)');

export const ComponentSchema = z.looseObject({ type: z.number().int().min(1).max(40).describe('Discord component type: 1 action row, 2 button, 3 string select, 10 text display, 17 container …') })
  .describe('A Discord message component (action row, button, select, or a components-v2 block)');
export const ComponentsSchema = z.array(ComponentSchema).max(40).describe('Discord message components (action rows, or components v2 with the IS_COMPONENTS_V2 flag)');

export const AllowedMentionsSchema = z.object({
  parse: z.array(z.enum(['roles', 'users', 'everyone'])).optional().describe('Kinds of mentions in the text that may ping'),
  roles: z.array(snowflake).max(100).optional().describe('Role IDs that may be pinged'),
  users: z.array(snowflake).max(100).optional().describe('User IDs that may be pinged'),
  replied_user: z.boolean().optional().describe('Whether a reply pings the author of the message replied to'),
}).strict().describe('Which mentions may ping (Discord allowed_mentions)');

export const PollSchema = z.object({
  question: z.object({ text: z.string().min(1).max(300).describe('The question (up to 300 characters)') }).strict().describe('What is asked'),
  answers: z.array(z.object({
    poll_media: z.object({
      text: z.string().min(1).max(55).describe('The answer (up to 55 characters)'),
      emoji: z.looseObject({}).optional().describe('Discord emoji shown with the answer: {id} or {name}'),
    }).strict().describe('What the answer shows'),
  }).strict()).min(1).max(10).describe('1 to 10 answers'),
  duration: z.number().int().min(1).max(768).optional().describe('Hours the poll stays open (default 24)'),
  allow_multiselect: z.boolean().optional().describe('Whether a voter may pick several answers (default false)'),
  layout_type: z.number().int().optional().describe('Discord poll layout (1, the default, is the only one)'),
}).strict().describe('A Discord poll: a question and 1–10 answers');

/** Flags a bot may set when sending: SUPPRESS_EMBEDS, SUPPRESS_NOTIFICATIONS, IS_VOICE_MESSAGE, IS_COMPONENTS_V2. */
export const SENDABLE_FLAGS = (1 << 2) | (1 << 12) | (1 << 13) | (1 << 15);

export function checkFlags(flags: number | undefined, path = 'flags'): void {
  if (flags === undefined) return;
  if ((flags & ~SENDABLE_FLAGS) !== 0) {
    throw invalid(`${path} may only combine SUPPRESS_EMBEDS (4), SUPPRESS_NOTIFICATIONS (4096), IS_VOICE_MESSAGE (8192) and IS_COMPONENTS_V2 (32768).`, [{ path, message: 'unsupported flag bits' }]);
  }
}

type Embed = z.output<typeof EmbedSchema>;

/** Discord rejects a message whose embeds hold more than 6000 characters together. */
export function checkEmbedTotal(embeds: readonly Embed[] | undefined, path = 'embeds'): void {
  if (!embeds) return;
  let total = 0;
  for (const e of embeds) {
    total += (e.title?.length ?? 0) + (e.description?.length ?? 0) + (e.footer?.text.length ?? 0) + (e.author?.name.length ?? 0);
    for (const f of e.fields ?? []) total += f.name.length + f.value.length;
  }
  if (total > 6000) throw invalid(`The embeds hold ${total} characters; Discord allows 6000 in total per message. Shorten them or split the message.`, [{ path, message: 'more than 6000 characters' }]);
}
