/**
 * One real HTTP server per test file: buildHttpServer over a cloned database, listening on a
 * loopback port, with the seed documents' demo guild seeded and tokens from the engine.
 */
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.js';
import type { Database } from '../../src/db/connect.js';
import type { AppDeps } from '../../src/deps.js';
import { createEngine, type Engine } from '../../src/engine/index.js';
import { buildHttpServer } from '../../src/http.js';

export const DEMO = {
  guildId: '919722116696391721',
  groupId: '673578029833227305',
  threadGroupId: '673578029833227306',
  /** The target group of document 001's move example. */
  billingGroupId: '352305528480315549',
  ticketId: '1437562719124598487',
  channelId: '1441604990945853500',
  customerId: '849383430663776372',
  staffId: '601082144459178129',
  memberId: '1305908865287852092',
} as const;

export interface RestServer {
  url: string;
  engine: Engine;
  database: Database;
  http: FastifyInstance;
  close(): Promise<void>;
}

export async function startRestServer(database: Database, env: Record<string, string> = {}): Promise<RestServer> {
  const engine = createEngine(database);
  const deps: AppDeps = {
    config: loadConfig(env), logger: pino({ level: 'silent' }), database, engine,
    discord: () => ({ mode: 'off', ready: false }),
  };
  const http = await buildHttpServer(deps);
  const url = await http.listen({ host: '127.0.0.1', port: 0 });
  // A fuzzed request can leave a half-sent body on a kept-alive connection; end them all so close() never waits on one.
  return { url, engine, database, http, close: async () => { const closing = http.close(); http.server.closeAllConnections(); await closing; } };
}

/** The demo guild of the seed documents: groups, and ticket 1437562719124598487 in channel 1441604990945853500. */
export async function seedDemo(database: Database): Promise<void> {
  const db = database.db;
  await db.insertInto('guilds').values({
    id: DEMO.guildId, name: 'TicketBridge Demo', icon: null, owner_id: '310927734108356609', default_group_id: DEMO.groupId,
    premium_ends_at: null, synced_at: new Date(),
  }).execute();
  const group = (id: string, name: string, mode: 'channel' | 'thread', isDefault: boolean) => ({
    id, guild_id: DEMO.guildId, name, mode, is_default: isDefault, opened_channel_id: null, opened_category_id: '1441604990945853490',
    closed_category_id: '1441604990945853530', locked_category_id: null, assigned_category_id: null, transcript_channel_id: '1441604990945853510',
    form_channel_id: null, feedback_channel_id: null, staff_role_ids: JSON.stringify(['1441604990945853402']), opening_message: null,
    form_title: null, form_fields: JSON.stringify([]), schedule_timezone: null,
    priority_levels: JSON.stringify([{ label: 'Low' }, { label: 'Medium' }, { label: 'High' }]), rating_levels: JSON.stringify([]), per_user_limit: null,
  });
  await db.insertInto('ticket_groups').values([group(DEMO.groupId, 'Support', 'channel', true), group(DEMO.threadGroupId, 'Threads', 'thread', false)]).execute();
  await db.insertInto('ticket_groups').values({ ...group(DEMO.billingGroupId, 'Billing', 'channel', false), created_at: new Date(Date.now() + 1000) }).execute();
  await insertDemoTicket(database);
  await db.updateTable('guilds').set({ ticket_counter: 1 }).where('id', '=', DEMO.guildId).execute();
  await db.insertInto('users').values([
    { id: DEMO.customerId, username: 'alice', global_name: 'Alice', avatar: null, locale: 'en-US' },
    { id: DEMO.staffId, username: 'sam.support', global_name: 'Sam', avatar: null, locale: 'en-GB' },
    { id: DEMO.memberId, username: 'casey', global_name: 'Casey', avatar: null, locale: null },
  ]).execute();
  await db.insertInto('members').values([DEMO.customerId, DEMO.staffId, DEMO.memberId].map((user_id) => ({
    guild_id: DEMO.guildId, user_id, nick: null, roles: JSON.stringify(user_id === DEMO.staffId ? ['1441604990945853402'] : []),
    joined_at: new Date('2023-04-02T17:45:00Z'), left_at: null,
  }))).execute();
  const channel = (id: string, name: string, type: number, parent: string | null) => ({
    id, guild_id: DEMO.guildId, name, type, parent_id: parent, topic: null, permission_overwrites: JSON.stringify([]), deleted_at: null,
  });
  await db.insertInto('channels').values([
    channel('1441604990945853490', 'Support', 4, null), channel('1441604990945853530', 'Closed tickets', 4, null),
    channel('1441604990945853510', 'transcripts', 0, null), channel(DEMO.channelId, 'ticket-0001', 0, '1441604990945853490'),
  ]).execute();
  await db.insertInto('roles').values({ id: '1441604990945853402', guild_id: DEMO.guildId, name: 'Support Staff', deleted_at: null }).execute();
}

export interface Reply { status: number; headers: Headers; body: unknown; text: string }

export async function request(base: string, method: string, path: string, opts: { token?: string | undefined; body?: unknown; raw?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
  const headers: Record<string, string> = { accept: 'application/json', ...(opts.headers ?? {}) };
  if (opts.token) headers['authorization'] = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (opts.raw !== undefined) body = opts.raw;
  else if (opts.body !== undefined) body = JSON.stringify(opts.body);
  if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}${path}`, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = undefined;
  try { parsed = text ? JSON.parse(text) : undefined; } catch { parsed = undefined; }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

/** Ticket 1437562719124598487 in channel 1441604990945853500, as seeded (again): its history and jobs go with it. */
export async function insertDemoTicket(database: Database): Promise<void> {
  const now = new Date();
  await database.db.deleteFrom('tickets').where('id', '=', DEMO.ticketId).execute();
  await database.db.insertInto('tickets').values({
    id: DEMO.ticketId, uuid: '6f1c2f7e-0d4e-4c55-9f43-1a7f0b7d2c11', guild_id: DEMO.guildId, group_id: DEMO.groupId, number: 1,
    status: 'open', name: null, topic: 'Cannot log in', owner_id: DEMO.customerId, assigned_id: null, channel_id: DEMO.channelId,
    thread_id: null, channel_parent_id: '1441604990945853490', notes_thread_id: null, priority: null, rating: null,
    form: JSON.stringify([]), opening_message: 'Hello', closed_reason: null, closed_by: null, summary: null, discord_error: null,
    created_at: now, opened_at: now, last_activity: now, closed_at: null, deleted_at: null, locked_at: null, expire_at: null,
    first_response_at: null, transcript_saved_at: null,
  }).execute();
}

/** A digest of the tables a request could change: equal digests = nothing was written. */
export async function dbFingerprint(database: Database): Promise<string> {
  const tables = ['guilds', 'ticket_groups', 'tickets', 'ticket_members', 'ticket_events', 'discord_jobs', 'panels', 'panel_options', 'custom_messages', 'messages',
    'monitor_configs', 'monitored_channels', 'action_items', 'sweeps', 'sweep_channels', 'member_permissions', 'privacy_audit', 'webhook_deliveries', 'ticket_blocks'];
  const parts: string[] = [];
  for (const t of tables) {
    const r = await sql<{ d: string | null }>`SELECT md5(string_agg(x::text, '|' ORDER BY x::text)) AS d FROM ${sql.table(t)} x`.execute(database.db);
    parts.push(`${t}:${r.rows[0]?.d ?? ''}`);
  }
  return parts.join(',');
}
