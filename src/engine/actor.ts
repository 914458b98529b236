/** Who performs an operation: a token's user, the operator over stdio, or the bot on Discord's behalf. */
export const ABILITIES = [
  'tickets:read', 'tickets:write', 'transcripts:read', 'guild:read', 'guild:admin', 'channels:write', 'anonymous', 'tokens:admin',
  'action_items:read', 'action_items:write',
] as const;
export type Ability = (typeof ABILITIES)[number];
/**
 * What an operation or route needs: an ability, or null when any valid token may call it because it
 * only shows the token what the token already covers (the guilds it may use).
 */
export type Requirement = Ability | null;

export interface Actor {
  /** The Discord user the actor stands for (events record it); null for a system actor. */
  userId: string | null;
  tokenId: string | null;
  /** 'all' for admin tokens and the local operator. */
  abilities: ReadonlySet<Ability> | 'all';
  /** null = every guild. */
  guilds: readonly string[] | null;
  /** true when the change is made by the bot itself (Discord interactions, schedulers). */
  asBot: boolean;
}

export function hasAbility(actor: Actor, ability: Requirement): boolean {
  return ability === null || actor.abilities === 'all' || actor.abilities.has(ability);
}

export function canAccessGuild(actor: Actor, guildId: string): boolean {
  return actor.guilds === null || actor.guilds.includes(guildId);
}

export const systemActor: Actor = { userId: null, tokenId: null, abilities: 'all', guilds: null, asBot: true };

export function operatorActor(userId: string | null = null): Actor {
  return { userId, tokenId: null, abilities: 'all', guilds: null, asBot: false };
}
