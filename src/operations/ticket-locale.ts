/**
 * get_ticket_locale: the language ticketbridge speaks in a ticket, by the rule the Discord face
 * follows for the ticket's messages. Faces that render text for people about a ticket (the MCP
 * transcript resources) read it here instead of reaching for the users, groups and guilds tables.
 */
import { z } from 'zod';
import { LOCALES } from '../engine/locales.js';
import { read } from './annotations.js';
import { defineOperation } from './define.js';
import { Snowflake, ticketInput, ticketTarget } from './schemas.js';

export const getTicketLocale = defineOperation({
  name: 'get_ticket_locale', title: "Get a ticket's language", toolset: 'tickets', ability: 'tickets:read', annotations: read,
  description: "The language ticketbridge speaks in a ticket (a Discord locale code) and where it comes from: the owner's last known Discord locale, else the ticket group's locale, else the server's preferred locale, else en. Write to the owner in it.",
  input: ticketInput({}),
  output: z.object({
    ticket_id: Snowflake,
    locale: z.enum(LOCALES).describe('One of the languages ticketbridge has messages for'),
    source: z.enum(['owner', 'group', 'guild', 'default']).describe("owner = the owner's own Discord language, group = the ticket group's locale setting, guild = the server's preferred locale, default = none of them is one we speak (English)"),
  }),
  run: (ctx, input) => ctx.engine.tickets.locale(ticketTarget(input)),
});
