/** The Ticketeer-compatible API (documents 000/001): Bearer tokens, Laravel-style errors and pagination. */
import type { Dialect } from '../kit/dialect.js';
import { bearerToken } from '../kit/dialect.js';
import { guildRoutes, userRoutes } from './routes-guild.js';
import { ticketRoutes } from './routes-tickets.js';
import { TtError } from './schemas.js';
import { renderError } from './shape.js';

export const ticketeer: Dialect = {
  name: 'ticketeer',
  title: 'Ticketeer-compatible API',
  prefixes: ['/api/v1/guild', '/api/v1/user'],
  routes: [...guildRoutes, ...ticketRoutes, ...userRoutes],
  tokenOf: bearerToken,
  ipLimit: (s) => s.TICKETBRIDGE_RATE_LIMIT_IP,
  renderError,
  errorSchema: TtError,
  security: ['bearer'],
};
