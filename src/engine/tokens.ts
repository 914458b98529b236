/** API tokens: shown once, stored as a SHA-256 hash, scoped by abilities and guilds. */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ABILITIES, type Ability, type Actor } from './actor.js';
import type { EngineContext } from './context.js';
import { invalid, notFound, unauthorized } from './errors.js';
import { newId } from './ids.js';
import { json } from './tx.js';

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export interface TokenView {
  id: string; name: string | null; user_id: string | null; guild_ids: string[] | null; abilities: string[];
  created_at: string; last_used_at: string | null; revoked_at: string | null;
}

export interface CreateTokenInput { name?: string | undefined; user_id?: string | null | undefined; guild_ids?: string[] | null | undefined; abilities: string[] }

export function createTokens(ctx: EngineContext, opts: { adminToken?: string | undefined } = {}) {
  const adminHash = opts.adminToken ? Buffer.from(hashToken(opts.adminToken), 'hex') : undefined;
  const view = (r: { id: string; name: string | null; user_id: string | null; guild_ids: string[] | null; abilities: string[]; created_at: Date; last_used_at: Date | null; revoked_at: Date | null }): TokenView => ({
    id: r.id, name: r.name, user_id: r.user_id, guild_ids: r.guild_ids, abilities: r.abilities,
    created_at: r.created_at.toISOString(), last_used_at: r.last_used_at?.toISOString() ?? null, revoked_at: r.revoked_at?.toISOString() ?? null,
  });

  return {
    async create(input: CreateTokenInput): Promise<{ token: string; info: TokenView }> {
      const unknown = input.abilities.filter((a) => a !== '*' && !(ABILITIES as readonly string[]).includes(a));
      if (unknown.length) throw invalid(`Unknown abilities: ${unknown.join(', ')}. Known: *, ${ABILITIES.join(', ')}.`, [{ path: 'abilities', message: 'unknown ability' }]);
      if (input.abilities.length === 0) throw invalid('Give at least one ability (or * for all).', [{ path: 'abilities', message: 'empty' }]);
      const id = newId();
      const token = `tb_${randomBytes(24).toString('base64url')}`;
      const row = await ctx.db.insertInto('api_tokens').values({
        id, name: input.name ?? null, token_hash: hashToken(token), user_id: input.user_id ?? null,
        guild_ids: input.guild_ids ? json(input.guild_ids) : null, abilities: json(input.abilities),
      }).returningAll().executeTakeFirstOrThrow();
      return { token, info: view(row) };
    },

    async list(): Promise<TokenView[]> {
      const rows = await ctx.db.selectFrom('api_tokens').selectAll().orderBy('created_at', 'asc').execute();
      return rows.map(view);
    },

    async revoke(id: string): Promise<TokenView> {
      const row = await ctx.db.updateTable('api_tokens').set({ revoked_at: ctx.now() }).where('id', '=', id).returningAll().executeTakeFirst();
      if (!row) throw notFound(`No token ${id}. List tokens with "ticketbridge token list".`);
      return view(row);
    },

    async findByName(name: string): Promise<TokenView | undefined> {
      const row = await ctx.db.selectFrom('api_tokens').selectAll().where('name', '=', name).where('revoked_at', 'is', null).executeTakeFirst();
      return row ? view(row) : undefined;
    },

    /** Bearer token → actor. Throws `unauthorized` for a missing, unknown or revoked token. */
    async authenticate(token: string | undefined | null): Promise<Actor> {
      if (!token) throw unauthorized('Missing API token. Send "Authorization: Bearer <token>".');
      const hash = hashToken(token);
      if (adminHash) {
        const candidate = Buffer.from(hash, 'hex');
        if (candidate.length === adminHash.length && timingSafeEqual(candidate, adminHash)) {
          return { userId: null, tokenId: 'admin', abilities: 'all', guilds: null, asBot: false };
        }
      }
      const row = await ctx.db.selectFrom('api_tokens').selectAll().where('token_hash', '=', hash).executeTakeFirst();
      if (!row) throw unauthorized('Unknown API token. Create one with "ticketbridge token create".');
      if (row.revoked_at) throw unauthorized('This API token has been revoked. Create a new one.');
      return actorFromToken(row);
    },
  };
}

export function actorFromToken(row: { id: string; user_id: string | null; guild_ids: string[] | null; abilities: string[] }): Actor {
  const all = row.abilities.includes('*');
  return {
    userId: row.user_id, tokenId: row.id,
    abilities: all ? 'all' : new Set(row.abilities.filter((a): a is Ability => (ABILITIES as readonly string[]).includes(a))),
    guilds: row.guild_ids, asBot: false,
  };
}
