/**
 * Ticket webhooks: a guild's URLs that get every ticket event (opened, claimed, closed, …) and every
 * chat line of its tickets as signed POSTs. The deliveries are written by triggers in the very
 * transaction that records the event or message, so a rolled-back change sends nothing and a
 * committed one is never lost; the webhook worker delivers them with retries.
 */
import { statements } from './statements.js';

const body = (event: string, fields: string) => `json_build_object('event', ${event}, 'guild_id', NEW.guild_id, 'ticket_id', NEW.ticket_id,
      'ticket_number', (SELECT number FROM tickets WHERE id = NEW.ticket_id), ${fields})::text`;

export const { up, down } = statements(
  [
    `CREATE TABLE ticket_webhooks (
      id text PRIMARY KEY,
      guild_id text NOT NULL REFERENCES guilds(id) ON DELETE CASCADE,
      url text NOT NULL,
      secret text NOT NULL,
      events jsonb NOT NULL DEFAULT '[]',
      created_by text,
      created_at timestamptz NOT NULL DEFAULT now()
    )`,
    'CREATE INDEX ticket_webhooks_guild ON ticket_webhooks (guild_id)',
    `CREATE FUNCTION tb_ticket_event_webhooks() RETURNS trigger AS $$
    BEGIN
      INSERT INTO webhook_deliveries (id, guild_id, url, secret, event, body, status, next_attempt_at)
      SELECT 'te' || NEW.id || '-' || w.id, NEW.guild_id, w.url, w.secret, 'ticket.' || NEW.kind,
        ${body(`'ticket.' || NEW.kind`, `'event_id', NEW.id::text, 'actor_id', NEW.actor_id, 'reason', NEW.reason, 'data', NEW.data, 'timestamp', NEW.created_at`)},
        'pending', now()
      FROM ticket_webhooks w
      WHERE w.guild_id = NEW.guild_id AND (jsonb_array_length(w.events) = 0 OR w.events ? NEW.kind);
      RETURN NULL;
    END $$ LANGUAGE plpgsql`,
    'CREATE TRIGGER ticket_events_webhooks AFTER INSERT ON ticket_events FOR EACH ROW EXECUTE FUNCTION tb_ticket_event_webhooks()',
    `CREATE FUNCTION tb_ticket_message_webhooks() RETURNS trigger AS $$
    BEGIN
      INSERT INTO webhook_deliveries (id, guild_id, url, secret, event, body, status, next_attempt_at)
      SELECT 'tm' || NEW.id || '-' || w.id, NEW.guild_id, w.url, w.secret, 'ticket.message',
        ${body(`'ticket.message'`, `'message', json_build_object('id', NEW.id, 'channel_id', NEW.channel_id, 'author_id', NEW.author_id,
          'author_name', NEW.author_name, 'content', NEW.content), 'timestamp', NEW.created_at`)},
        'pending', now()
      FROM ticket_webhooks w
      WHERE w.guild_id = NEW.guild_id AND (jsonb_array_length(w.events) = 0 OR w.events ? 'message');
      RETURN NULL;
    END $$ LANGUAGE plpgsql`,
    // People's lines in the conversation: not the bot's own, not the staff notes.
    `CREATE TRIGGER messages_webhooks AFTER INSERT ON messages FOR EACH ROW
      WHEN (NOT NEW.author_bot AND NOT NEW.in_notes) EXECUTE FUNCTION tb_ticket_message_webhooks()`,
  ],
  [
    'DROP TRIGGER IF EXISTS messages_webhooks ON messages',
    'DROP FUNCTION IF EXISTS tb_ticket_message_webhooks()',
    'DROP TRIGGER IF EXISTS ticket_events_webhooks ON ticket_events',
    'DROP FUNCTION IF EXISTS tb_ticket_event_webhooks()',
    'DROP TABLE IF EXISTS ticket_webhooks',
  ],
);
