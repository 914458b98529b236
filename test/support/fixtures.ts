/** Seed data for engine tests: each test makes its own guild, so tests sharing a database never collide. */
import { randomInt } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB, Level, TicketMode } from '../../src/db/schema.js';
import type { Actor } from '../../src/engine/actor.js';

let counter = 0;
/** A fresh 18-digit snowflake-looking id, unique within the test process. */
export function snowflake(): string {
  counter = (counter + 1) % 1000;
  return `${randomInt(100000, 999999)}${String(Date.now()).slice(-9)}${String(counter).padStart(3, '0')}`;
}

export interface SeededGuild { guildId: string; groupId: string; threadGroupId: string }

export async function seedGuild(db: Kysely<DB>, opts: { priorityLevels?: Level[]; ratingLevels?: Level[]; perUserLimit?: number | null } = {}): Promise<SeededGuild> {
  const guildId = snowflake();
  const groupId = snowflake();
  const threadGroupId = snowflake();
  await db.insertInto('guilds').values({ id: guildId, name: `Guild ${guildId}`, icon: null, owner_id: null, default_group_id: groupId, premium_ends_at: null, synced_at: null }).execute();
  const group = (id: string, name: string, mode: TicketMode, isDefault: boolean) => ({
    id, guild_id: guildId, name, mode, is_default: isDefault,
    opened_channel_id: null, opened_category_id: snowflake(), closed_category_id: null, locked_category_id: null,
    assigned_category_id: null, transcript_channel_id: null, form_channel_id: null, feedback_channel_id: null,
    staff_role_ids: JSON.stringify([]), opening_message: null, form_title: null, form_fields: JSON.stringify([]),
    schedule_timezone: null,
    priority_levels: JSON.stringify(opts.priorityLevels ?? [{ label: 'Low' }, { label: 'Medium' }, { label: 'High' }]),
    rating_levels: JSON.stringify(opts.ratingLevels ?? []),
    per_user_limit: opts.perUserLimit ?? null,
  });
  await db.insertInto('ticket_groups').values([
    group(groupId, 'Support', 'channel', true),
    group(threadGroupId, 'Threads', 'thread', false),
  ]).execute();
  return { guildId, groupId, threadGroupId };
}

export function staffActor(userId: string, guilds: string[] | null = null): Actor {
  return { userId, tokenId: null, abilities: 'all', guilds, asBot: false };
}
