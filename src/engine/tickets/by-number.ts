/** Tickets addressed by their per-guild number (#42), as dashboards and people do. */
import type { EngineContext } from '../context.js';
import { notFound } from '../errors.js';
import { requireTicketsModule } from '../guards.js';

export async function ticketIdByNumber(ctx: EngineContext, guildId: string, number: number): Promise<string> {
  await requireTicketsModule(ctx.db, guildId);
  const row = await ctx.db.selectFrom('tickets').select('id')
    .where('guild_id', '=', guildId).where('number', '=', number).executeTakeFirst();
  if (!row) throw notFound(`No ticket #${number} in guild ${guildId}. List the guild's tickets to find its number.`);
  return row.id;
}
