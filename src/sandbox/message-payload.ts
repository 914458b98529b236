// The message body Discord accepts on create/edit (REST, webhooks, interaction responses), with
// Discord's limits: content ≤ 2000, ≤ 10 embeds of ≤ 6000 characters, ≤ 5 action rows, nonce ≤ 25.
import { z } from 'zod';
import { validateComponents } from './components.js';
import { fieldError } from './errors.js';
import { maxChars, snowflake } from './validation.js';

export const IS_COMPONENTS_V2 = 1 << 15;
export const EPHEMERAL = 1 << 6;
export const SUPPRESS_EMBEDS = 1 << 2;
export const LOADING = 1 << 7;

const EmbedSchema = z.looseObject({
  title: maxChars(256).nullish(),
  description: maxChars(4096).nullish(),
  url: z.string().nullish(),
  timestamp: z.string().nullish(),
  color: z.number().int().min(0).max(0xffffff).nullish(),
  footer: z.looseObject({ text: maxChars(2048) }).nullish(),
  author: z.looseObject({ name: maxChars(256) }).nullish(),
  fields: z
    .array(z.looseObject({ name: maxChars(256), value: maxChars(1024), inline: z.boolean().nullish() }))
    .max(25)
    .nullish(),
});

export const AllowedMentionsSchema = z.object({
  parse: z.array(z.enum(['users', 'roles', 'everyone'])).nullish(),
  users: z.array(snowflake).max(100).nullish(),
  roles: z.array(snowflake).max(100).nullish(),
  replied_user: z.boolean().nullish(),
});
export type AllowedMentions = z.output<typeof AllowedMentionsSchema>;

const ComponentSchema = z.looseObject({ type: z.number().int(), custom_id: maxChars(100).nullish() });

export const MessagePayloadSchema = z.object({
  content: maxChars(2000).nullish(),
  embeds: z.array(EmbedSchema).max(10).nullish(),
  components: z.array(ComponentSchema).max(40).nullish(),
  allowed_mentions: AllowedMentionsSchema.nullish(),
  flags: z.number().int().min(0).nullish(),
  nonce: z.union([maxChars(25), z.number().int()]).nullish(),
  enforce_nonce: z.boolean().nullish(),
  tts: z.boolean().nullish(),
  message_reference: z
    .object({
      message_id: snowflake,
      channel_id: snowflake.nullish(),
      guild_id: snowflake.nullish(),
      fail_if_not_exists: z.boolean().nullish(),
      type: z.number().int().nullish(),
    })
    .nullish(),
  attachments: z
    .array(
      z.looseObject({
        id: z.union([z.string(), z.number()]).transform(String),
        filename: z.string().max(1024).nullish(),
        description: z.string().max(1024).nullish(),
      }),
    )
    .max(10)
    .nullish(),
  sticker_ids: z.array(snowflake).max(3).nullish(),
  poll: z.unknown().optional(),
  // webhook execute
  username: z.string().min(1).max(80).nullish(),
  avatar_url: z.string().nullish(),
  thread_name: z.string().min(1).max(100).nullish(),
  applied_tags: z.array(snowflake).max(5).nullish(),
});

export type MessagePayload = z.output<typeof MessagePayloadSchema>;

export type EmbedOut = Record<string, unknown>;

/** Checks zod cannot express: embed total size, action-row count without components v2. */
export function checkPayloadLimits(p: MessagePayload): void {
  if (p.embeds) {
    let total = 0;
    for (const e of p.embeds) {
      total += (e.title ?? '').length + (e.description ?? '').length;
      total += (e.footer?.text ?? '').length + (e.author?.name ?? '').length;
      for (const f of e.fields ?? []) total += f.name.length + f.value.length;
    }
    if (total > 6000) throw fieldError(['embeds'], 'BASE_TYPE_MAX_LENGTH', 'Embed size exceeds maximum size of 6000');
  }
  if (p.components && ((p.flags ?? 0) & IS_COMPONENTS_V2) === 0 && p.components.length > 5) {
    throw fieldError(['components'], 'BASE_TYPE_MAX_LENGTH', 'Must be 5 or fewer in length.');
  }
  const v2 = ((p.flags ?? 0) & IS_COMPONENTS_V2) !== 0;
  if (v2 && ((p.content ?? '').length > 0 || (p.embeds?.length ?? 0) > 0)) {
    throw fieldError([(p.content ?? '').length > 0 ? 'content' : 'embeds'], 'MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2', 'The \'content\' and \'embeds\' fields cannot be used when using MessageFlags.IS_COMPONENTS_V2');
  }
  if (p.components) validateComponents(p.components, v2);
  const am = p.allowed_mentions;
  if (am?.parse?.includes('users') && (am.users?.length ?? 0) > 0) {
    throw fieldError(['allowed_mentions'], 'MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE', 'parse:["users"] and users: [ids] are mutually exclusive.');
  }
  if (am?.parse?.includes('roles') && (am.roles?.length ?? 0) > 0) {
    throw fieldError(['allowed_mentions'], 'MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE', 'parse:["roles"] and roles: [ids] are mutually exclusive.');
  }
}

export function normaliseEmbeds(embeds: readonly Record<string, unknown>[]): EmbedOut[] {
  return embeds.map((e) => {
    const out: EmbedOut = { type: 'rich' };
    for (const [k, v] of Object.entries(e)) if (v !== null && v !== undefined) out[k] = v;
    return out;
  });
}

/** Find a component (any depth, incl. v2 containers and modal labels) by custom_id. */
export function findComponent(components: readonly unknown[], customId: string): Record<string, unknown> | null {
  for (const c of components) {
    if (c === null || typeof c !== 'object') continue;
    const o = c as Record<string, unknown>;
    if (o.custom_id === customId) return o;
    for (const key of ['components', 'component', 'accessory']) {
      const child = o[key];
      const list = Array.isArray(child) ? child : child ? [child] : [];
      const hit = findComponent(list, customId);
      if (hit) return hit;
    }
  }
  return null;
}
