/** get_ticket_by_number: a ticket by its number within the guild (the Volvox API's integer ticket id). */
import { z } from 'zod';
import { ticketIdByNumber } from '../engine/tickets/by-number.js';
import { read } from './annotations.js';
import { defineOperation } from './define.js';
import { GuildId, Ticket } from './schemas.js';

export const getTicketByNumber = defineOperation({
  name: 'get_ticket_by_number', title: 'Get a ticket by its number', toolset: 'tickets', ability: 'tickets:read',
  annotations: read,
  description: 'Fetch one ticket by its number within the guild (#1, #2 …), the number people and dashboards use.',
  input: z.object({ guild_id: GuildId, number: z.number().int().min(1).max(2_147_483_647).describe('The ticket number within the guild') }).strict(),
  output: Ticket,
  run: async (ctx, input) => {
    const id = await ticketIdByNumber(ctx.engine.ctx, input.guild_id, input.number);
    return ctx.engine.tickets.get({ guild_id: input.guild_id, ticket: { ticket_id: id } });
  },
});
