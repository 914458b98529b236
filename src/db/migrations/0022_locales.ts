/**
 * Languages: the guild's preferred locale (from Discord), a group's own locale (the language of its
 * tickets when the owner's is unknown) and a group's own texts per locale (opening message, form).
 */
import { statements } from './statements.js';

export const { up, down } = statements(
  [
    'ALTER TABLE guilds ADD COLUMN preferred_locale text',
    'ALTER TABLE ticket_groups ADD COLUMN locale text',
    `ALTER TABLE ticket_groups ADD COLUMN translations jsonb NOT NULL DEFAULT '{}'::jsonb`,
  ],
  [
    'ALTER TABLE ticket_groups DROP COLUMN IF EXISTS translations',
    'ALTER TABLE ticket_groups DROP COLUMN IF EXISTS locale',
    'ALTER TABLE guilds DROP COLUMN IF EXISTS preferred_locale',
  ],
);
