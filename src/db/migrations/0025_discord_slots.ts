/**
 * Discord's global budget divided by demand instead of evenly: each process's row says how many of
 * the bot's 50 requests per second it holds now (`slots`) and how many it could use (`demand`), so
 * a busy process can take what an idle one does not use (src/engine/discord-budget.ts).
 */
import { statements } from './statements.js';

export const { up, down } = statements(
  [
    'ALTER TABLE discord_rate_shares ADD COLUMN slots integer NOT NULL DEFAULT 0',
    'ALTER TABLE discord_rate_shares ADD COLUMN demand integer NOT NULL DEFAULT 0',
  ],
  ['ALTER TABLE discord_rate_shares DROP COLUMN IF EXISTS demand', 'ALTER TABLE discord_rate_shares DROP COLUMN IF EXISTS slots'],
);
