/**
 * What the Discord gateway hands the transcript store. Parsed with zod at the engine boundary, so a
 * malformed gateway payload is refused with a field-level `invalid` error instead of half-written rows.
 */
import { z } from 'zod';
import { invalid } from '../errors.js';

const Id = z.string().regex(/^\d{1,20}$/, 'must be a snowflake (digits)');
const When = z.union([z.date(), z.iso.datetime({ offset: true })]).transform((v) => new Date(v));

export const MessageAuthorInput = z.object({
  id: Id,
  username: z.string().min(1).max(100),
  global_name: z.string().max(100).nullish(),
  avatar: z.string().max(200).nullish(),
  bot: z.boolean().optional(),
});

export const AttachmentInput = z.object({
  id: Id,
  filename: z.string().min(1).max(1024),
  content_type: z.string().max(255).nullish(),
  size: z.number().int().min(0),
  url: z.string().min(1).max(2048),
});

export const RecordMessageInput = z.object({
  guild_id: Id,
  channel_id: Id,
  message: z.object({
    id: Id,
    author: MessageAuthorInput,
    content: z.string().max(10_000).default(''),
    embeds: z.array(z.unknown()).max(25).default([]),
    attachments: z.array(AttachmentInput).max(50).default([]),
    created_at: When,
    /** Role ids of the author in this guild, when the gateway has them; otherwise `members` is read. */
    member_roles: z.array(Id).optional(),
  }),
});
export type RecordMessageInput = z.input<typeof RecordMessageInput>;

export const RecordEditInput = z.object({
  guild_id: Id,
  channel_id: Id,
  message_id: Id,
  /** Omitted when Discord's update event carried no content (e.g. only embeds resolved). */
  content: z.string().max(10_000).optional(),
  embeds: z.array(z.unknown()).max(25).optional(),
  edited_at: When.optional(),
});
export type RecordEditInput = z.input<typeof RecordEditInput>;

export const RecordDeleteInput = z.object({
  guild_id: Id,
  channel_id: Id,
  message_id: Id,
});
export type RecordDeleteInput = z.input<typeof RecordDeleteInput>;

export function parseInput<S extends z.ZodType>(schema: S, raw: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const fields = parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(input)', message: i.message }));
  throw invalid(`Invalid ${what}: ${fields.map((f) => `${f.path}: ${f.message}`).join('; ')}.`, fields);
}
