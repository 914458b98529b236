/**
 * The benchmarks' scratch PostgreSQL database (made from TEST_DATABASE_URL or
 * postgres://postgres@127.0.0.1:5432/postgres) and the guild they seed into it.
 */
import type { Kysely } from 'kysely';
import pg from 'pg';
import type { DB } from '../../src/db/schema.js';

/** Runs `fn` with a client connected to the admin database, closing it afterwards. */
async function withAdmin(adminUrl: string, fn: (client: pg.Client) => Promise<unknown>): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty database `${prefix}_${pid}` (dropping a leftover first); `drop()` removes it, ignoring errors. */
export async function createBenchDatabase(prefix: string): Promise<{ url: string; drop(): Promise<void> }> {
  const adminUrl = process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `${prefix}_${process.pid}`;
  await withAdmin(adminUrl, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${name}`);
    await c.query(`CREATE DATABASE ${name}`);
  });
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return { url: u.toString(), drop: () => withAdmin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {})) };
}

/** Inserts a guild named Bench and its default channel-mode group "Support". */
export async function seedBenchGuild(db: Kysely<DB>, guildId: string, groupId: string): Promise<void> {
  await db.insertInto('guilds').values({ id: guildId, name: 'Bench', icon: null, owner_id: null, default_group_id: groupId, premium_ends_at: null, synced_at: null }).execute();
  await db.insertInto('ticket_groups').values({
    id: groupId, guild_id: guildId, name: 'Support', mode: 'channel', is_default: true, opened_channel_id: null, opened_category_id: null,
    closed_category_id: null, locked_category_id: null, assigned_category_id: null, transcript_channel_id: null, form_channel_id: null,
    feedback_channel_id: null, staff_role_ids: '[]', opening_message: null, form_title: null, form_fields: '[]', schedule_timezone: null,
    priority_levels: '[]', rating_levels: '[]', per_user_limit: null,
  }).execute();
}
