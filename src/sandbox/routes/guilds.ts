// Guild, roles, emojis and members.
import { z } from 'zod';
import type { SandboxContext } from '../context.js';
import { missingPermissions, unknownEmoji } from '../errors.js';
import { emitMemberRemove, emitMemberUpdate, emitRole } from '../events.js';
import { newId } from '../ids.js';
import type { GuildRec, RoleRec } from '../model.js';
import { P, basePermissions, has } from '../permissions.js';
import { param, route } from '../router.js';
import type { Req, Res, RouteDef } from '../router.js';
import { emojiJson, guildJson, memberJson, roleJson } from '../serialize.js';
import { maxChars, parseBody, permissionBits, queryInt, snowflake } from '../validation.js';

function botPerms(ctx: SandboxContext, g: GuildRec): bigint {
  return basePermissions(ctx.store.subject(g, ctx.store.botUserId));
}

function requireGuildPerm(ctx: SandboxContext, g: GuildRec, flag: bigint): void {
  if (!has(botPerms(ctx, g), flag)) throw missingPermissions();
}

function getGuild(req: Req, ctx: SandboxContext): Res {
  const g = ctx.store.guild(param(req, 'guild_id'));
  return { status: 200, body: guildJson(ctx.store, g, req.query.get('with_counts') === 'true') };
}

function getRoles(req: Req, ctx: SandboxContext): Res {
  const g = ctx.store.guild(param(req, 'guild_id'));
  return { status: 200, body: [...g.roles.values()].map(roleJson) };
}

function getRole(req: Req, ctx: SandboxContext): Res {
  const g = ctx.store.guild(param(req, 'guild_id'));
  return { status: 200, body: roleJson(ctx.store.role(g, param(req, 'role_id'))) };
}

const RoleBody = z.object({
  name: maxChars(100).nullish(),
  permissions: permissionBits.nullish(),
  color: z.number().int().min(0).max(0xffffff).nullish(),
  hoist: z.boolean().nullish(),
  mentionable: z.boolean().nullish(),
});

function createRole(req: Req, ctx: SandboxContext): Res {
  const g = ctx.store.guild(param(req, 'guild_id'));
  requireGuildPerm(ctx, g, P.ManageRoles);
  const body = parseBody(RoleBody, req.body);
  const perms = botPerms(ctx, g);
  if (body.permissions && (body.permissions & ~perms) !== 0n) throw missingPermissions();
  const r: RoleRec = {
    id: newId(),
    name: body.name ?? 'new role',
    color: body.color ?? 0,
    hoist: body.hoist ?? false,
    position: 1,
    permissions: body.permissions ?? (g.roles.get(g.id)?.permissions ?? 0n),
    managed: false,
    mentionable: body.mentionable ?? false,
  };
  g.roles.set(r.id, r);
  emitRole(ctx, 'CREATE', g.id, r.id);
  return { status: 200, body: roleJson(r) };
}

function modifyRole(req: Req, ctx: SandboxContext): Res {
  const g = ctx.store.guild(param(req, 'guild_id'));
  requireGuildPerm(ctx, g, P.ManageRoles);
  const r = ctx.store.role(g, param(req, 'role_id'));
  const body = parseBody(RoleBody, req.body);
  const perms = botPerms(ctx, g);
  if (body.permissions !== undefined && body.permissions !== null && ((body.permissions ^ r.permissions) & ~perms) !== 0n) {
    throw missingPermissions();
  }
  if (body.name) r.name = body.name;
  if (body.permissions !== undefined && body.permissions !== null) r.permissions = body.permissions;
  if (body.color !== undefined && body.color !== null) r.color = body.color;
  if (body.hoist !== undefined && body.hoist !== null) r.hoist = body.hoist;
  if (body.mentionable !== undefined && body.mentionable !== null) r.mentionable = body.mentionable;
  emitRole(ctx, 'UPDATE', g.id, r.id);
  return { status: 200, body: roleJson(r) };
}

function deleteRole(req: Req, ctx: SandboxContext): Res {
  const g = ctx.store.guild(param(req, 'guild_id'));
  requireGuildPerm(ctx, g, P.ManageRoles);
  const r = ctx.store.role(g, param(req, 'role_id'));
  if (r.id === g.id || r.managed) throw missingPermissions();
  g.roles.delete(r.id);
  for (const m of g.members.values()) m.roles = m.roles.filter((x) => x !== r.id);
  emitRole(ctx, 'DELETE', g.id, r.id);
  return { status: 204 };
}

function getEmojis(req: Req, ctx: SandboxContext): Res {
  const g = ctx.store.guild(param(req, 'guild_id'));
  return { status: 200, body: [...g.emojis.values()].map(emojiJson) };
}

function getEmoji(req: Req, ctx: SandboxContext): Res {
  const g = ctx.store.guild(param(req, 'guild_id'));
  const e = g.emojis.get(param(req, 'emoji_id'));
  if (!e) throw unknownEmoji();
  return { status: 200, body: emojiJson(e) };
}

function getMember(req: Req, ctx: SandboxContext): Res {
  const g = ctx.store.guild(param(req, 'guild_id'));
  const id = param(req, 'user_id');
  const m = ctx.store.member(g, id === '@me' ? ctx.store.botUserId : id);
  return { status: 200, body: memberJson(ctx.store, m) };
}

function listMembers(req: Req, ctx: SandboxContext): Res {
  const g = ctx.store.guild(param(req, 'guild_id'));
  const limit = queryInt(req.query.get('limit'), 'limit', 1, 1000, 1);
  const after = BigInt(req.query.get('after') ?? '0');
  const list = [...g.members.values()]
    .filter((m) => BigInt(m.userId) > after)
    .sort((a, b) => (BigInt(a.userId) < BigInt(b.userId) ? -1 : 1))
    .slice(0, limit);
  return { status: 200, body: list.map((m) => memberJson(ctx.store, m)) };
}

function searchMembers(req: Req, ctx: SandboxContext): Res {
  const g = ctx.store.guild(param(req, 'guild_id'));
  const limit = queryInt(req.query.get('limit'), 'limit', 1, 1000, 1);
  const q = (req.query.get('query') ?? '').toLowerCase();
  const list = [...g.members.values()]
    .filter((m) => {
      const u = ctx.store.users.get(m.userId);
      return (u?.username.toLowerCase().startsWith(q) ?? false) || (m.nick?.toLowerCase().startsWith(q) ?? false) || (u?.global_name?.toLowerCase().startsWith(q) ?? false);
    })
    .slice(0, limit);
  return { status: 200, body: list.map((m) => memberJson(ctx.store, m)) };
}

const MemberBody = z.object({ nick: maxChars(32).nullish(), roles: z.array(snowflake).nullish() });

function modifyMember(req: Req, ctx: SandboxContext): Res {
  const g = ctx.store.guild(param(req, 'guild_id'));
  const id = param(req, 'user_id');
  const userId = id === '@me' ? ctx.store.botUserId : id;
  const m = ctx.store.member(g, userId);
  const body = parseBody(MemberBody, req.body);
  if (body.nick !== undefined) {
    requireGuildPerm(ctx, g, userId === ctx.store.botUserId ? P.ChangeNickname : P.ManageNicknames);
    m.nick = body.nick ?? null;
  }
  if (body.roles) {
    requireGuildPerm(ctx, g, P.ManageRoles);
    for (const r of body.roles) ctx.store.role(g, r);
    m.roles = [...new Set(body.roles)];
  }
  emitMemberUpdate(ctx, g.id, userId);
  return { status: 200, body: memberJson(ctx.store, m) };
}

function memberRole(add: boolean) {
  return (req: Req, ctx: SandboxContext): Res => {
    const g = ctx.store.guild(param(req, 'guild_id'));
    requireGuildPerm(ctx, g, P.ManageRoles);
    const m = ctx.store.member(g, param(req, 'user_id'));
    const r = ctx.store.role(g, param(req, 'role_id'));
    const had = m.roles.includes(r.id);
    if (add && !had) m.roles.push(r.id);
    if (!add && had) m.roles = m.roles.filter((x) => x !== r.id);
    if (add !== had) emitMemberUpdate(ctx, g.id, m.userId);
    return { status: 204 };
  };
}

function kick(req: Req, ctx: SandboxContext): Res {
  const g = ctx.store.guild(param(req, 'guild_id'));
  requireGuildPerm(ctx, g, P.KickMembers);
  const m = ctx.store.member(g, param(req, 'user_id'));
  if (m.userId === g.ownerId) throw missingPermissions();
  removeMember(ctx, g, m.userId);
  return { status: 204 };
}

/** A member leaves (or is kicked): gone from the guild and its threads, with the events. */
export function removeMember(ctx: SandboxContext, g: GuildRec, userId: string): void {
  g.members.delete(userId);
  for (const t of ctx.store.threadsOf(g.id)) {
    if (t.threadMembers?.delete(userId)) {
      ctx.gateway.dispatch(
        'THREAD_MEMBERS_UPDATE',
        { id: t.id, guild_id: g.id, member_count: t.threadMembers.size, removed_member_ids: [userId] },
        { guildId: g.id },
      );
    }
  }
  emitMemberRemove(ctx, g.id, userId);
}

export const guildRoutes: RouteDef[] = [
  route('GET', '/guilds/:guild_id', getGuild),
  route('GET', '/guilds/:guild_id/roles', getRoles),
  route('GET', '/guilds/:guild_id/roles/:role_id', getRole),
  route('POST', '/guilds/:guild_id/roles', createRole),
  route('PATCH', '/guilds/:guild_id/roles/:role_id', modifyRole),
  route('DELETE', '/guilds/:guild_id/roles/:role_id', deleteRole),
  route('GET', '/guilds/:guild_id/emojis', getEmojis),
  route('GET', '/guilds/:guild_id/emojis/:emoji_id', getEmoji),
  route('GET', '/guilds/:guild_id/members', listMembers),
  route('GET', '/guilds/:guild_id/members/search', searchMembers),
  route('GET', '/guilds/:guild_id/members/:user_id', getMember),
  route('PATCH', '/guilds/:guild_id/members/:user_id', modifyMember),
  route('DELETE', '/guilds/:guild_id/members/:user_id', kick),
  route('PUT', '/guilds/:guild_id/members/:user_id/roles/:role_id', memberRole(true)),
  route('DELETE', '/guilds/:guild_id/members/:user_id/roles/:role_id', memberRole(false)),
];
