// Gateway events that follow REST mutations, in one place so every mutation emits the same way.
import type { SandboxContext } from './context.js';
import type { ChannelRec, MessageRec } from './model.js';
import { isThreadType } from './model.js';
import { channelJson, memberJson, messageJson, roleJson, threadMemberJson, userJson } from './serialize.js';

const EPHEMERAL = 1 << 6;

export function emitChannel(ctx: SandboxContext, kind: 'CREATE' | 'UPDATE' | 'DELETE', c: ChannelRec, extra: Record<string, unknown> = {}): void {
  if (!c.guildId) return; // DM channels get no CHANNEL_* events for bots
  if (isThreadType(c.type)) {
    const d =
      kind === 'DELETE'
        ? { id: c.id, guild_id: c.guildId, parent_id: c.parentId, type: c.type }
        : { ...channelJson(ctx.store, c), ...extra };
    ctx.gateway.dispatch(`THREAD_${kind}`, d, { guildId: c.guildId });
    return;
  }
  ctx.gateway.dispatch(`CHANNEL_${kind}`, channelJson(ctx.store, c), { guildId: c.guildId });
}

export function emitMessage(ctx: SandboxContext, t: 'MESSAGE_CREATE' | 'MESSAGE_UPDATE', m: MessageRec): void {
  if ((m.flags & EPHEMERAL) !== 0) return; // ephemeral messages are never dispatched
  const c = ctx.store.channels.get(m.channelId);
  const d = messageJson(ctx.store, m, { baseUrl: ctx.baseUrl(), gateway: true });
  if (t === 'MESSAGE_CREATE' && c?.type === 1) d.channel_type = 1;
  ctx.gateway.dispatch(t, d, { guildId: c?.guildId ?? null, channelId: m.channelId, dm: c?.type === 1 });
}

export function emitMessageDelete(ctx: SandboxContext, m: MessageRec): void {
  if ((m.flags & EPHEMERAL) !== 0) return;
  const c = ctx.store.channels.get(m.channelId);
  const d: Record<string, unknown> = { id: m.id, channel_id: m.channelId };
  if (c?.guildId) d.guild_id = c.guildId;
  ctx.gateway.dispatch('MESSAGE_DELETE', d, { guildId: c?.guildId ?? null, channelId: m.channelId, dm: c?.type === 1 });
}

export function emitThreadMembers(ctx: SandboxContext, thread: ChannelRec, added: string[], removed: string[]): void {
  if (!thread.guildId) return;
  const members = thread.threadMembers ?? new Map<string, string>();
  ctx.gateway.dispatch(
    'THREAD_MEMBERS_UPDATE',
    {
      id: thread.id,
      guild_id: thread.guildId,
      member_count: Math.min(members.size, 50),
      added_members: added.map((u) => threadMemberJson(ctx.store, thread, u, members.get(u) ?? new Date().toISOString(), true)),
      removed_member_ids: removed,
    },
    { guildId: thread.guildId },
  );
  const bot = ctx.store.botUserId;
  if (added.includes(bot)) {
    ctx.gateway.dispatch(
      'THREAD_MEMBER_UPDATE',
      { ...threadMemberJson(ctx.store, thread, bot, members.get(bot) ?? new Date().toISOString(), false), guild_id: thread.guildId },
      { guildId: thread.guildId },
    );
  }
}

export function emitMemberUpdate(ctx: SandboxContext, guildId: string, userId: string): void {
  const g = ctx.store.guilds.get(guildId);
  const m = g?.members.get(userId);
  if (!g || !m) return;
  ctx.gateway.dispatch('GUILD_MEMBER_UPDATE', { guild_id: guildId, ...memberJson(ctx.store, m) }, { guildId });
}

export function emitMemberRemove(ctx: SandboxContext, guildId: string, userId: string): void {
  const u = ctx.store.users.get(userId);
  if (!u) return;
  ctx.gateway.dispatch('GUILD_MEMBER_REMOVE', { guild_id: guildId, user: userJson(u) }, { guildId });
}

export function emitRole(ctx: SandboxContext, kind: 'CREATE' | 'UPDATE' | 'DELETE', guildId: string, roleId: string): void {
  const r = ctx.store.guilds.get(guildId)?.roles.get(roleId);
  if (kind === 'DELETE') {
    ctx.gateway.dispatch('GUILD_ROLE_DELETE', { guild_id: guildId, role_id: roleId }, { guildId });
  } else if (r) {
    ctx.gateway.dispatch(`GUILD_ROLE_${kind}`, { guild_id: guildId, role: roleJson(r) }, { guildId });
  }
}
