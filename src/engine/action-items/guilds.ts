/** The guilds as the NoteTicketing API lists them: member count, the bot's permissions, monitoring on or off. */
import type { Actor } from '../actor.js';
import type { EngineContext } from '../context.js';
import { iso } from './views.js';

export interface GuildSummary {
  id: string; name: string; icon: string | null; member_count: number;
  /** The bot's guild-level permission bits (@everyone plus its roles), decimal; '0' before a sync. */
  bot_permission_bits: string; active: boolean; created_at: string;
}

const iconUrl = (id: string, icon: string | null) => (icon ? `https://cdn.discordapp.com/icons/${id}/${icon}.${icon.startsWith('a_') ? 'gif' : 'png'}` : null);

export function createMonitorGuilds(ctx: EngineContext, botUserId: () => string | null) {
  return {
    /** The guilds the actor may use, by id. */
    async summaries(actor: Actor): Promise<GuildSummary[]> {
      const guilds = await ctx.db.selectFrom('guilds').leftJoin('monitor_configs as m', 'm.guild_id', 'guilds.id')
        .select(['guilds.id', 'guilds.name', 'guilds.icon', 'guilds.joined_at', 'm.active'])
        .$if(actor.guilds !== null, (q) => q.where('guilds.id', 'in', actor.guilds!.length ? [...actor.guilds!] : ['']))
        .orderBy('guilds.id').execute();
      if (guilds.length === 0) return [];
      const ids = guilds.map((g) => g.id);
      const counts = new Map((await ctx.db.selectFrom('members').select(['guild_id', (eb) => eb.fn.countAll<string>().as('n')])
        .where('guild_id', 'in', ids).where('left_at', 'is', null).groupBy('guild_id').execute()).map((r) => [r.guild_id, Number(r.n)]));
      const bot = botUserId();
      const botRoles = new Map(bot
        ? (await ctx.db.selectFrom('members').select(['guild_id', 'roles']).where('guild_id', 'in', ids).where('user_id', '=', bot).execute()).map((r) => [r.guild_id, r.roles])
        : []);
      const roles = await ctx.db.selectFrom('roles').select(['id', 'guild_id', 'permissions']).where('guild_id', 'in', ids).where('deleted_at', 'is', null).execute();
      const bits = (g: string): string => {
        if (!bot || !botRoles.has(g)) return '0';
        const mine = new Set([g, ...(botRoles.get(g) ?? [])]);
        return roles.filter((r) => r.guild_id === g && mine.has(r.id)).reduce((acc, r) => acc | BigInt(r.permissions || '0'), 0n).toString();
      };
      return guilds.map((g) => ({
        id: g.id, name: g.name, icon: iconUrl(g.id, g.icon), member_count: counts.get(g.id) ?? 0, bot_permission_bits: bits(g.id),
        active: g.active ?? true, created_at: iso(g.joined_at),
      }));
    },
  };
}
