// A sandbox user clicks a button, picks from a select, submits a modal or runs a slash command:
// build the INTERACTION_CREATE Discord would send, dispatch it, and wait (3 s) for the bot's
// callback.
import { z } from 'zod';
import type { SandboxContext } from './context.js';
import { DiscordError, missingAccess, unknownCommand, unknownMember, unknownMessage } from './errors.js';
import { newId, newToken } from './ids.js';
import { findComponent } from './message-payload.js';
import { canView } from './messaging.js';
import type { ChannelRec, CommandRec, InteractionRec, MessageRec } from './model.js';
import { channelJson, memberJson, messageJson, roleJson, userJson } from './serialize.js';
import type { Json } from './serialize.js';
import { DISCORD_LOCALE_CODES } from './locales.js';
import { snowflake } from './validation.js';

export const ActInteractionInput = z.object({
  user_id: snowflake,
  channel_id: snowflake,
  type: z.enum(['button', 'select', 'modal', 'command']),
  custom_id: z.string().min(1).max(100).optional(),
  values: z.array(z.string()).max(25).optional(),
  /** Modal fields: {custom_id: value} or [{custom_id, value}]. */
  fields: z
    .union([z.record(z.string(), z.string()), z.array(z.object({ custom_id: z.string(), value: z.string() }))])
    .optional(),
  /** Slash command name; "ticket close" addresses a subcommand. */
  command: z.string().min(1).max(100).optional(),
  /** Command options: {name: value} or [{name, value}]. */
  options: z
    .union([
      z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
      z.array(z.object({ name: z.string(), value: z.union([z.string(), z.number(), z.boolean()]) })),
    ])
    .optional(),
  message_id: snowflake.optional(),
  /** User or message context-menu commands: the user or message right-clicked. */
  target_id: snowflake.optional(),
  /** The language of the user's Discord client (interaction.locale); default en-US. */
  locale: z.enum(DISCORD_LOCALE_CODES).optional(),
  /** How long to wait for the bot's callback (default: the 3-second deadline). */
  timeout_ms: z.number().int().min(0).max(60_000).optional(),
  /** After a deferred answer (type 5 or 6), wait up to this long for the edit or follow-up. */
  settle_ms: z.number().int().min(0).max(60_000).optional(),
});
export type ActInteractionInputT = z.input<typeof ActInteractionInput>;

export interface ActInteractionResult {
  interaction_id: string;
  token: string;
  outcome: 'responded' | 'timeout';
  /** The callback the bot sent: {type, data}. */
  response: { type: number; data: Record<string, unknown> | null } | null;
  /** The message the response created or updated, when there is one (after settling: its final form). */
  message: Json | null;
  /** Follow-up messages sent so far. */
  followups: Json[];
}

const bad = (message: string): DiscordError => new DiscordError(400, 50035, message);

function componentMessage(ctx: SandboxContext, channel: ChannelRec, customId: string, messageId: string | undefined): MessageRec {
  if (messageId) {
    const m = ctx.store.message(channel.id, messageId);
    if (!findComponent(m.components, customId)) throw bad(`Message ${messageId} has no component with custom_id "${customId}"`);
    return m;
  }
  const list = ctx.store.channelMessages(channel.id);
  for (let i = list.length - 1; i >= 0; i--) {
    const m = list[i];
    if (m && findComponent(m.components, customId)) return m;
  }
  throw unknownMessage();
}

function flattenModalInputs(components: readonly unknown[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const walk = (list: readonly unknown[]): void => {
    for (const c of list) {
      if (c === null || typeof c !== 'object') continue;
      const o = c as Record<string, unknown>;
      if (typeof o.custom_id === 'string') out.push(o);
      if (Array.isArray(o.components)) walk(o.components);
      if (o.component) walk([o.component]);
    }
  };
  walk(components);
  return out;
}

/** Mirror the modal's layout (action rows or labels) with the submitted values. */
function modalSubmission(modal: readonly unknown[], fields: Record<string, string>): unknown[] {
  const known = new Set(flattenModalInputs(modal).map((c) => c.custom_id as string));
  for (const k of Object.keys(fields)) if (!known.has(k)) throw bad(`The modal has no field "${k}"`);
  const answer = (c: Record<string, unknown>): Record<string, unknown> => {
    const id = c.custom_id as string;
    if (c.type === 4) return { type: 4, id: c.id ?? 0, custom_id: id, value: fields[id] ?? '' };
    return { type: c.type, id: c.id ?? 0, custom_id: id, values: fields[id] ? [fields[id]] : [] };
  };
  return modal.flatMap((c) => {
    if (c === null || typeof c !== 'object') return [];
    const o = c as Record<string, unknown>;
    if (o.type === 1 && Array.isArray(o.components)) {
      return [{ type: 1, id: o.id ?? 0, components: (o.components as Record<string, unknown>[]).map(answer) }];
    }
    if (o.type === 18 && o.component && typeof o.component === 'object') {
      return [{ type: 18, id: o.id ?? 0, component: answer(o.component as Record<string, unknown>) }];
    }
    if (o.type === 10) return [{ type: 10, id: o.id ?? 0 }];
    return [];
  });
}

function findCommand(ctx: SandboxContext, guildId: string | null, name: string): CommandRec {
  const all = [...ctx.store.commands.values()].filter((c) => c.name === name && (c.type === 1 || c.type === 2 || c.type === 3));
  const cmd = all.find((c) => guildId !== null && c.guildId === guildId) ?? all.find((c) => c.guildId === null);
  if (!cmd) throw unknownCommand();
  return cmd;
}

interface OptionDef {
  type: number;
  name: string;
  options?: OptionDef[];
}

function commandData(ctx: SandboxContext, cmd: CommandRec, path: string[], input: ActInteractionInputT['options'], guildId: string | null): Json {
  const given: [string, string | number | boolean][] = Array.isArray(input)
    ? input.map((o) => [o.name, o.value])
    : Object.entries(input ?? {});
  const resolved: Record<string, Record<string, Json>> = {};
  const build = (defs: OptionDef[]): Json[] =>
    given.map(([name, value]) => {
      const def = defs.find((d) => d.name === name);
      if (!def) throw bad(`The command has no option "${name}"`);
      const addResolved = (kind: string, id: string, obj: Json): void => {
        (resolved[kind] ??= {})[id] = obj;
      };
      const v = String(value);
      if (def.type === 6) {
        const u = ctx.store.user(v);
        addResolved('users', v, userJson(u));
        const m = guildId ? ctx.store.guilds.get(guildId)?.members.get(v) : undefined;
        if (m) addResolved('members', v, memberJson(ctx.store, m, false));
      } else if (def.type === 7) {
        addResolved('channels', v, channelJson(ctx.store, ctx.store.channel(v)));
      } else if (def.type === 8 && guildId) {
        const g = ctx.store.guild(guildId);
        addResolved('roles', v, roleJson(ctx.store.role(g, v)));
      }
      const coerced = def.type === 4 ? Math.trunc(Number(value)) : def.type === 10 ? Number(value) : def.type === 5 ? value === true || value === 'true' : value;
      return { name, type: def.type, value: coerced };
    });
  let defs = cmd.options as OptionDef[];
  const wrap: { name: string; type: number }[] = [];
  for (const sub of path) {
    const d = defs.find((o) => o.name === sub && (o.type === 1 || o.type === 2));
    if (!d) throw bad(`The command has no subcommand "${sub}"`);
    wrap.push({ name: sub, type: d.type });
    defs = d.options ?? [];
  }
  let options: Json[] = build(defs);
  for (const w of wrap.reverse()) options = [{ name: w.name, type: w.type, options }];
  const data: Json = { id: cmd.id, name: cmd.name, type: cmd.type, options };
  if (cmd.guildId) data.guild_id = cmd.guildId;
  if (Object.keys(resolved).length > 0) data.resolved = resolved;
  return data;
}

export async function actInteraction(ctx: SandboxContext, raw: ActInteractionInputT): Promise<ActInteractionResult> {
  const input = ActInteractionInput.parse(raw);
  const { store } = ctx;
  const user = store.user(input.user_id);
  const channel = store.channel(input.channel_id);
  const guild = channel.guildId ? store.guild(channel.guildId) : null;
  const member = guild ? guild.members.get(user.id) : undefined;
  if (guild && !member) throw unknownMember();
  if (!canView(ctx, channel, user.id)) throw missingAccess();
  if (ctx.gateway.sessionCount === 0) {
    throw new DiscordError(409, 0, 'No bot session is connected to the sandbox gateway');
  }

  let type: number;
  let data: Json;
  let message: MessageRec | null = null;
  let customId: string | null = null;
  switch (input.type) {
    case 'button':
    case 'select': {
      if (!input.custom_id) throw bad('custom_id is required');
      customId = input.custom_id;
      message = componentMessage(ctx, channel, input.custom_id, input.message_id);
      const comp = findComponent(message.components, input.custom_id) ?? {};
      const ctype = Number(comp.type ?? 2);
      if (input.type === 'button' && ctype !== 2) throw bad(`"${input.custom_id}" is not a button`);
      if (input.type === 'select' && ![3, 5, 6, 7, 8].includes(ctype)) throw bad(`"${input.custom_id}" is not a select menu`);
      if (comp.disabled === true) throw bad(`"${input.custom_id}" is disabled`);
      type = 3;
      data = { custom_id: input.custom_id, component_type: ctype };
      if (input.type === 'select') {
        const values = input.values ?? [];
        const opts = Array.isArray(comp.options) ? (comp.options as { value?: string }[]).map((o) => o.value) : null;
        if (ctype === 3 && opts && values.some((v) => !opts.includes(v))) throw bad('values must be among the select menu options');
        data.values = values;
      }
      break;
    }
    case 'modal': {
      if (!input.custom_id) throw bad('custom_id is required');
      customId = input.custom_id;
      const idx = store.modals.findLastIndex((m) => m.userId === user.id && m.customId === input.custom_id);
      const modal = idx >= 0 ? store.modals[idx] : undefined;
      if (!modal) throw bad(`No modal "${input.custom_id}" is open for user ${user.id}`);
      store.modals.splice(idx, 1);
      const fields = Array.isArray(input.fields)
        ? Object.fromEntries(input.fields.map((f) => [f.custom_id, f.value]))
        : (input.fields ?? {});
      type = 5;
      data = { custom_id: modal.customId, components: modalSubmission(modal.components, fields) };
      if (modal.messageId) message = store.messageIndex.get(modal.messageId) ?? null;
      break;
    }
    case 'command': {
      if (!input.command) throw bad('command is required');
      // Context-menu names may contain spaces; chat-input "a b c" is command a, group/subcommand b c.
      const full = input.command.trim();
      const menu = [...store.commands.values()].some((c) => c.name === full && (c.type === 2 || c.type === 3));
      const [name = '', ...path] = menu ? [full] : full.split(/\s+/);
      const cmd = findCommand(ctx, guild?.id ?? null, name);
      type = 2;
      if (cmd.type === 2 || cmd.type === 3) {
        if (!input.target_id) throw bad('target_id is required for a context-menu command');
        data = { id: cmd.id, name: cmd.name, type: cmd.type, target_id: input.target_id };
        if (cmd.guildId) data.guild_id = cmd.guildId;
        if (cmd.type === 2) {
          const target = store.user(input.target_id);
          const tm = guild?.members.get(target.id);
          data.resolved = { users: { [target.id]: userJson(target) }, ...(tm ? { members: { [target.id]: memberJson(store, tm, false) } } : {}) };
        } else {
          const target = store.message(channel.id, input.target_id);
          data.resolved = { messages: { [target.id]: messageJson(store, target, { baseUrl: ctx.baseUrl() }) } };
        }
      } else {
        data = commandData(ctx, cmd, path, input.options, guild?.id ?? null);
      }
      break;
    }
  }

  const rec: InteractionRec = {
    id: newId(),
    token: `aW50ZXJhY3Rpb24.${newToken(48)}`,
    kind: input.type,
    type,
    userId: user.id,
    channelId: channel.id,
    guildId: guild?.id ?? null,
    messageId: message?.id ?? null,
    createdAt: Date.now(),
    customId,
    payload: {},
    response: null,
    respondedAt: null,
    originalMessageId: null,
    followupIds: [],
    ephemeral: false,
    callbackAttempts: 0,
  };
  const payload: Json = {
    id: rec.id,
    application_id: store.applicationId,
    type,
    data,
    channel: channelJson(store, channel),
    channel_id: channel.id,
    token: rec.token,
    version: 1,
    locale: input.locale ?? 'en-US',
    entitlements: [],
    authorizing_integration_owners: guild ? { '0': guild.id } : { '1': user.id },
    context: guild ? 0 : 1,
    attachment_size_limit: 10 * 1024 * 1024,
    app_permissions: (guild ? store.permissionsIn(channel, store.botUserId) : 0n).toString(),
  };
  if (guild && member) {
    payload.guild_id = guild.id;
    payload.guild = { id: guild.id, locale: guild.preferredLocale ?? 'en-US', features: ['COMMUNITY'] };
    payload.guild_locale = guild.preferredLocale ?? 'en-US';
    payload.member = { ...memberJson(store, member), permissions: store.permissionsIn(channel, user.id).toString() };
  } else {
    payload.user = userJson(user);
  }
  if (message) payload.message = messageJson(store, message, { baseUrl: ctx.baseUrl() });
  rec.payload = payload;
  store.interactions.set(rec.id, rec);
  store.interactionsByToken.set(rec.token, rec);

  const answered = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), input.timeout_ms ?? ctx.interactionDeadlineMs + 100);
    timer.unref(); // never keeps a closing process alive
    ctx.interactionWaiters.set(rec.id, () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
  ctx.gateway.dispatch('INTERACTION_CREATE', payload, { guildId: guild?.id ?? null });
  const ok = await answered;
  ctx.interactionWaiters.delete(rec.id);
  const deferred = rec.response?.type === 5 || rec.response?.type === 6;
  if (ok && deferred && (input.settle_ms ?? 0) > 0 && rec.followupIds.length === 0) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, input.settle_ms);
      timer.unref();
      ctx.settleWaiters.set(rec.id, () => {
        clearTimeout(timer);
        resolve();
      });
    });
    ctx.settleWaiters.delete(rec.id);
  }
  const shown = rec.originalMessageId ? store.messageIndex.get(rec.originalMessageId) : undefined;
  return {
    interaction_id: rec.id,
    token: rec.token,
    outcome: ok ? 'responded' : 'timeout',
    response: rec.response,
    message: shown ? messageJson(store, shown, { baseUrl: ctx.baseUrl() }) : null,
    followups: rec.followupIds.flatMap((id) => {
      const m = store.messageIndex.get(id);
      return m ? [messageJson(store, m, { baseUrl: ctx.baseUrl() })] : [];
    }),
  };
}
