// Application commands, global and per guild: list, create (upsert by name), get, edit, delete,
// bulk overwrite (ids kept for names that stay). Localized names and descriptions are checked as
// Discord checks them: keys are Discord locales, chat-input names (commands, subcommands, options)
// lowercase without spaces, 1–32 characters; context-menu names 1–32; descriptions 1–100.
import { z } from 'zod';
import type { SandboxContext } from '../context.js';
import { fieldError, maxGuildCommands, unknownApplication, unknownCommand } from '../errors.js';
import { newId } from '../ids.js';
import type { CommandRec } from '../model.js';
import { BUCKETS } from '../rate-limits.js';
import { param, route } from '../router.js';
import type { Req, Res, RouteDef } from '../router.js';
import { commandJson } from '../serialize.js';
import { DISCORD_LOCALE_CODES } from '../locales.js';
import { lengthBetween, parseBody } from '../validation.js';

const MAX_COMMANDS = 100;
const NAME = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

/** {locale: text}: only Discord's locale codes are keys. */
const Localizations = z.partialRecord(z.enum(DISCORD_LOCALE_CODES), z.string()).nullish();

const OptionSchema: z.ZodType<Record<string, unknown>> = z.lazy(() =>
  z.looseObject({
    type: z.number().int().min(1).max(11),
    name: z.string().regex(NAME),
    name_localizations: Localizations,
    description: lengthBetween(1, 100),
    description_localizations: Localizations,
    required: z.boolean().nullish(),
    choices: z.array(z.looseObject({ name: lengthBetween(1, 100), value: z.union([z.string(), z.number()]) })).max(25).nullish(),
    options: z.array(OptionSchema).max(25).nullish(),
  }),
);

const CommandSchema = z.looseObject({
  // chat-input names are checked against NAME in validate(); context-menu names may have spaces
  name: lengthBetween(1, 32),
  name_localizations: Localizations,
  type: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)]).nullish(),
  description: z.string().max(100).nullish(),
  description_localizations: Localizations,
  options: z.array(OptionSchema).max(25).nullish(),
  default_member_permissions: z.union([z.string(), z.number()]).nullish(),
  dm_permission: z.boolean().nullish(),
  nsfw: z.boolean().nullish(),
});

type CommandBody = z.output<typeof CommandSchema>;

function scope(req: Req, ctx: SandboxContext): string | null {
  if (param(req, 'application_id') !== ctx.store.applicationId) throw unknownApplication();
  const g = req.params.guild_id;
  if (g === undefined) return null;
  return ctx.store.guild(g).id;
}

function commandsIn(ctx: SandboxContext, guildId: string | null): CommandRec[] {
  return [...ctx.store.commands.values()].filter((c) => c.guildId === guildId);
}

const chatName = (name: string) => NAME.test(name) && name === name.toLowerCase();

/** Localized names and descriptions of a command or option (`chat`: a chat-input name, held to NAME). */
function validateLocalized(node: Record<string, unknown>, path: (string | number)[], chat: boolean): void {
  const names = (node['name_localizations'] ?? {}) as Record<string, string>;
  for (const [locale, name] of Object.entries(names)) {
    if (chat ? !chatName(name) : name.length < 1 || name.length > 32) {
      throw fieldError([...path, 'name_localizations', locale], 'APPLICATION_COMMAND_INVALID_NAME', 'Command name is invalid');
    }
  }
  const descriptions = (node['description_localizations'] ?? {}) as Record<string, string>;
  for (const [locale, d] of Object.entries(descriptions)) {
    if (d.length < 1 || d.length > 100) throw fieldError([...path, 'description_localizations', locale], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.');
  }
  const options = (node['options'] ?? []) as Array<Record<string, unknown>>;
  options.forEach((o, i) => validateLocalized(o, [...path, 'options', i], true));
}

function validate(body: CommandBody, path: (string | number)[] = []): void {
  const type = body.type ?? 1;
  if (type === 1) {
    if (!body.description) throw fieldError([...path, 'description'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.');
    if (!chatName(body.name)) {
      throw fieldError([...path, 'name'], 'APPLICATION_COMMAND_INVALID_NAME', 'Command name is invalid');
    }
  }
  validateLocalized(body, path, type === 1);
}

function upsert(ctx: SandboxContext, guildId: string | null, body: CommandBody, existing: CommandRec | undefined): CommandRec {
  const rec: CommandRec = {
    id: existing?.id ?? newId(),
    applicationId: ctx.store.applicationId,
    guildId,
    name: body.name,
    description: body.description ?? '',
    type: body.type ?? 1,
    options: body.options ?? [],
    defaultMemberPermissions: body.default_member_permissions === undefined || body.default_member_permissions === null ? null : String(body.default_member_permissions),
    dmPermission: body.dm_permission ?? true,
    nsfw: body.nsfw ?? false,
    version: newId(),
    raw: body,
  };
  ctx.store.commands.set(rec.id, rec);
  return rec;
}

function list(req: Req, ctx: SandboxContext): Res {
  return { status: 200, body: commandsIn(ctx, scope(req, ctx)).map(commandJson) };
}

function create(req: Req, ctx: SandboxContext): Res {
  const guildId = scope(req, ctx);
  const body = parseBody(CommandSchema, req.body);
  validate(body);
  const existing = commandsIn(ctx, guildId).find((c) => c.name === body.name && c.type === (body.type ?? 1));
  if (!existing && commandsIn(ctx, guildId).length >= MAX_COMMANDS) throw maxGuildCommands();
  const rec = upsert(ctx, guildId, body, existing);
  return { status: existing ? 200 : 201, body: commandJson(rec) };
}

function find(req: Req, ctx: SandboxContext): CommandRec {
  const guildId = scope(req, ctx);
  const c = ctx.store.commands.get(param(req, 'command_id'));
  if (!c || c.guildId !== guildId) throw unknownCommand();
  return c;
}

function get(req: Req, ctx: SandboxContext): Res {
  return { status: 200, body: commandJson(find(req, ctx)) };
}

function edit(req: Req, ctx: SandboxContext): Res {
  const c = find(req, ctx);
  const body = parseBody(CommandSchema.partial(), req.body);
  const merged = parseBody(CommandSchema, { ...c.raw, ...body });
  validate(merged);
  return { status: 200, body: commandJson(upsert(ctx, c.guildId, merged, c)) };
}

function remove(req: Req, ctx: SandboxContext): Res {
  const c = find(req, ctx);
  ctx.store.commands.delete(c.id);
  return { status: 204 };
}

function bulk(req: Req, ctx: SandboxContext): Res {
  const guildId = scope(req, ctx);
  const bodies = parseBody(z.array(CommandSchema).max(MAX_COMMANDS), req.body);
  bodies.forEach((b, i) => validate(b, [i]));
  const before = commandsIn(ctx, guildId);
  for (const c of before) ctx.store.commands.delete(c.id);
  const out = bodies.map((b) => upsert(ctx, guildId, b, before.find((c) => c.name === b.name && c.type === (b.type ?? 1))));
  return { status: 200, body: out.map(commandJson) };
}

const base = '/applications/:application_id';
const guild = `${base}/guilds/:guild_id`;

export const commandRoutes: RouteDef[] = [
  route('GET', `${base}/commands`, list),
  route('POST', `${base}/commands`, create),
  route('PUT', `${base}/commands`, bulk, { bucket: BUCKETS.commandsBulk }),
  route('GET', `${base}/commands/:command_id`, get),
  route('PATCH', `${base}/commands/:command_id`, edit),
  route('DELETE', `${base}/commands/:command_id`, remove),
  route('GET', `${guild}/commands`, list),
  route('POST', `${guild}/commands`, create),
  route('PUT', `${guild}/commands`, bulk, { bucket: BUCKETS.commandsBulk }),
  route('GET', `${guild}/commands/:command_id`, get),
  route('PATCH', `${guild}/commands/:command_id`, edit),
  route('DELETE', `${guild}/commands/:command_id`, remove),
];
