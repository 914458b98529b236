/** Checks shared by every guild-scoped write: the guild exists and its tickets module is on. */
import type { GuildRow } from '../db/schema.js';
import { moduleDisabled, notFound } from './errors.js';
import type { Db, Tx } from './tx.js';

export const unknownGuild = (guildId: string) =>
  notFound(`Unknown guild ${guildId}. The bot must be in the guild and the guild synced (sync_guild) first.`);

/** forUpdate (inside a transaction): also lock the guild row, so guild-level changes of one guild queue. */
export async function requireGuild(db: Db | Tx, guildId: string, opts: { forUpdate?: boolean } = {}): Promise<GuildRow> {
  const guild = await db.selectFrom('guilds').selectAll().where('id', '=', guildId)
    .$if(opts.forUpdate === true, (q) => q.forUpdate()).executeTakeFirst();
  if (!guild) throw unknownGuild(guildId);
  return guild;
}

export async function requireTicketsModule(db: Db | Tx, guildId: string, opts: { forUpdate?: boolean } = {}): Promise<GuildRow> {
  const guild = await requireGuild(db, guildId, opts);
  if (!guild.module_enabled) throw moduleDisabled(guildId);
  return guild;
}
