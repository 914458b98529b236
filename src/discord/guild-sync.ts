/**
 * Guild sync: channels, roles, emojis and members from Discord's REST API into the engine. A guild
 * seen for the first time gets a default ticket group wired to a support category, a closed
 * category and a transcripts channel — found by name, or created (staff-only) when missing.
 */
import { ChannelType, PermissionFlagsBits as F, Routes, type REST } from 'discord.js';
import { z } from 'zod';
import type { Engine } from '../engine/index.js';
import type { GuildSyncReport } from '../engine/outbox.js';
import { cancelled, isEngineError } from '../engine/errors.js';
import { t } from '../i18n/catalogue.js';
import { LOCALES, pickLocale } from '../i18n/locales.js';
import { abortableRest } from './abortable-rest.js';
import { staffOnlyOverwrites } from './permissions.js';

const Guild = z.looseObject({ id: z.string(), name: z.string(), icon: z.string().nullish(), owner_id: z.string().nullish(), preferred_locale: z.string().nullish() });
const Channel = z.looseObject({
  id: z.string(), name: z.string().nullish(), type: z.number(), parent_id: z.string().nullish(), position: z.number().optional(), topic: z.string().nullish(),
  permission_overwrites: z.array(z.looseObject({ id: z.string(), type: z.union([z.literal(0), z.literal(1)]), allow: z.string(), deny: z.string() })).optional(),
});
type Channel = z.infer<typeof Channel>;
const Role = z.looseObject({ id: z.string(), name: z.string(), color: z.number().optional(), position: z.number().optional(), hoist: z.boolean().optional(), permissions: z.string().optional(), managed: z.boolean().optional() });
const Emoji = z.looseObject({ id: z.string().nullable(), name: z.string().nullable(), animated: z.boolean().optional() });
const Member = z.looseObject({
  user: z.looseObject({ id: z.string(), username: z.string(), global_name: z.string().nullish(), discriminator: z.string().optional(), avatar: z.string().nullish(), bot: z.boolean().optional() }),
  nick: z.string().nullish(), roles: z.array(z.string()).default([]), joined_at: z.string().nullish(),
});

export type Progress = (done: number, total: number, message: string) => void;

/** Staff roles of a new guild: named like staff, or able to manage messages; never @everyone or bot roles. */
function guessStaffRoles(guildId: string, roles: Array<z.infer<typeof Role>>): string[] {
  return roles.filter((r) => r.id !== guildId && !r.managed && (
    /staff|support|moderator|helper/i.test(r.name) || (BigInt(r.permissions ?? '0') & F.ManageMessages) !== 0n
  )).map((r) => r.id);
}

async function fetchMembers(rest: REST, guildId: string): Promise<Array<z.infer<typeof Member>>> {
  const out: Array<z.infer<typeof Member>> = [];
  let after = '0';
  for (;;) {
    const page = Member.array().parse(await rest.get(Routes.guildMembers(guildId), { query: new URLSearchParams({ limit: '1000', after }) }));
    out.push(...page);
    const last = page.at(-1);
    if (page.length < 1000 || !last) return out;
    after = last.user.id;
  }
}

/**
 * A cancelled sync (`signal`) stops at its next step or Discord request and records nothing: the
 * snapshot is written in one call at the end. Channels it already created for a new guild are found
 * by name on the next sync.
 */
export async function syncGuild(opts: { rest: REST; engine: Engine; botUserId: string; guildId: string; progress?: Progress; signal?: AbortSignal }): Promise<GuildSyncReport> {
  const { engine, guildId, signal } = opts;
  // Each request gets a signal of its own tied to the sync's (abortable-rest.ts): discord.js keeps
  // a listener on the signal it is given, and a shard's sync-on-ready shares one for many guilds.
  const rest = signal ? abortableRest(opts.rest, signal) : opts.rest;
  const report: Progress = opts.progress ?? (() => {});
  const progress: Progress = (done, total, message) => {
    if (signal?.aborted) throw cancelled();
    report(done, total, message);
    if (signal?.aborted) throw cancelled();
  };
  const get = (route: `/${string}`) => rest.get(route);
  const steps = 6;
  progress(0, steps, 'Fetching the guild');
  const guild = Guild.parse(await get(Routes.guild(guildId)));
  progress(1, steps, 'Fetching channels');
  let channels = Channel.array().parse(await get(Routes.guildChannels(guildId)));
  // Active threads too (forum posts, ticket threads): messages can be sent to them by id.
  const active = z.object({ threads: Channel.array().default([]) }).parse(await get(Routes.guildActiveThreads(guildId)));
  channels = [...channels, ...active.threads];
  progress(2, steps, 'Fetching roles and emojis');
  const roles = Role.array().parse(await get(Routes.guildRoles(guildId)));
  const emojis = Emoji.array().parse(await get(Routes.guildEmojis(guildId))).filter((e): e is { id: string; name: string; animated?: boolean } => e.id !== null && e.name !== null);
  progress(3, steps, 'Fetching members');
  const members = await fetchMembers(rest, guildId);

  const known = await engine.guilds.get(guildId).then(() => true, (err: unknown) => {
    if (isEngineError(err) && err.code === 'not_found') return false;
    throw err;
  });
  let defaults: Record<string, unknown> | undefined;
  if (!known) {
    progress(4, steps, 'Setting up the support category and transcripts channel');
    const staff = guessStaffRoles(guildId, roles);
    const made: Channel[] = [];
    const create = async (body: Record<string, unknown>) => {
      if (signal?.aborted) throw cancelled();
      const ch = Channel.parse(await rest.post(Routes.guildChannels(guildId), { body }));
      made.push(ch);
      return ch;
    };
    const byName = (type: number, re: RegExp) => channels.find((c) => c.type === type && re.test(c.name ?? ''));
    // Members see this category over their ticket channels, and the group's name in our messages:
    // both take the server's language. Found again under any language's name (a retried first sync).
    const locale = pickLocale(guild.preferred_locale);
    const ourNames = LOCALES.flatMap((l) => [t(l, 'setup.category.support'), t(l, 'setup.category.tickets')]).map((n) => n.toLowerCase());
    const support = byName(ChannelType.GuildCategory, /support|tickets?/i) ?? channels.find((c) => c.type === ChannelType.GuildCategory && ourNames.includes((c.name ?? '').toLowerCase()))
      ?? await create({ name: t(locale, 'setup.category.support'), type: ChannelType.GuildCategory, permission_overwrites: staffOnlyOverwrites(guildId, opts.botUserId, staff) });
    const transcripts = byName(ChannelType.GuildText, /transcript/i)
      ?? await create({ name: 'transcripts', type: ChannelType.GuildText, parent_id: support.id, permission_overwrites: staffOnlyOverwrites(guildId, opts.botUserId, staff) });
    const closed = byName(ChannelType.GuildCategory, /closed/i);
    const opened = channels.find((c) => c.type === ChannelType.GuildText && c.parent_id === support.id && /^tickets?$/i.test(c.name ?? ''));
    channels = [...channels, ...made];
    defaults = {
      group_name: t(locale, 'setup.group.default'), mode: 'channel', category_id: support.id, transcript_channel_id: transcripts.id,
      closed_category_id: closed?.id ?? null, opened_channel_id: opened?.id ?? null, staff_role_ids: staff,
    };
  }
  progress(5, steps, 'Recording the snapshot');
  const result = await engine.guilds.applySync({
    guild: { id: guild.id, name: guild.name, icon: guild.icon ?? null, owner_id: guild.owner_id ?? null, preferred_locale: guild.preferred_locale ?? null },
    channels: channels.map((c) => ({
      id: c.id, name: c.name ?? '', type: c.type, parent_id: c.parent_id ?? null, position: c.position ?? 0, topic: c.topic ?? null,
      permission_overwrites: c.permission_overwrites ?? [],
    })),
    roles: roles.map((r) => ({ id: r.id, name: r.name, color: r.color ?? 0, position: r.position ?? 0, hoist: r.hoist ?? false, permissions: r.permissions ?? '0' })),
    emojis: emojis.map((e) => ({ id: e.id, name: e.name, animated: e.animated ?? false })),
    members: members.map((m) => ({
      user: { id: m.user.id, username: m.user.username, global_name: m.user.global_name ?? null, avatar: m.user.avatar ?? null, bot: m.user.bot ?? false, ...(m.user.discriminator ? { discriminator: m.user.discriminator.slice(0, 4) } : {}) },
      nick: m.nick ?? null, roles: m.roles, joined_at: m.joined_at ?? null,
    })),
    members_complete: true,
    ...(defaults ? { defaults } : {}),
  });
  report(steps, steps, 'Guild synced'); // recorded: too late to cancel
  return {
    guild_id: guild.id, name: guild.name, channels: channels.length, roles: roles.length, emojis: emojis.length, members: members.length,
    created_default_group: result.created,
  };
}
