/**
 * Retention (src/engine/retention.ts) deletes finished outbox jobs, sent or given-up webhook
 * deliveries and expired idempotency keys by age. These partial indexes let each bounded batch find
 * its oldest rows without scanning the pending work, however large the tables have grown.
 */
import { statements } from './statements.js';

export const { up, down } = statements(
  [
    `CREATE INDEX discord_jobs_finished ON discord_jobs (status, updated_at) WHERE status IN ('done', 'dead')`,
    `CREATE INDEX webhook_deliveries_delivered ON webhook_deliveries (delivered_at) WHERE status = 'delivered'`,
    `CREATE INDEX webhook_deliveries_failed ON webhook_deliveries (next_attempt_at) WHERE status = 'failed'`,
    'CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at)',
  ],
  [
    'DROP INDEX IF EXISTS idempotency_keys_created',
    'DROP INDEX IF EXISTS webhook_deliveries_failed',
    'DROP INDEX IF EXISTS webhook_deliveries_delivered',
    'DROP INDEX IF EXISTS discord_jobs_finished',
  ],
);
