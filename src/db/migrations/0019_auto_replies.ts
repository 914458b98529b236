/** Auto replies: a custom message with keywords is posted in a ticket whose owner writes one of them, once per ticket. */
import { statements } from './statements.js';

export const { up, down } = statements(
  [`ALTER TABLE custom_messages ADD COLUMN auto_keywords jsonb NOT NULL DEFAULT '[]'`],
  ['ALTER TABLE custom_messages DROP COLUMN IF EXISTS auto_keywords'],
);
