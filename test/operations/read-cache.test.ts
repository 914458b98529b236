/**
 * The shared read cache (get_ticket, list_tickets) never shows a ticket older than the last change:
 * local writes drop it at once, another process's writes through the change feed, and every hit still
 * passes the caller's guild scope.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connect.js';
import type { Engine } from '../../src/engine/index.js';
import { invoke, type OperationContext } from '../../src/operations/define.js';
import { findOperation } from '../../src/operations/index.js';
import { readCacheHeld, setReadCacheLifetime } from '../../src/operations/read-cache.js';
import type { Actor } from '../../src/engine/actor.js';
import { postgresAvailable } from '../support/databases.js';
import { twoProcesses, type TwoProcesses } from '../support/two-processes.js';
import { seedGuild, staffActor } from '../support/fixtures.js';

const STAFF = '601082144459178129';
const OWNER = '849383430663776372';

describe.skipIf(!postgresAvailable())('read cache [postgres]', () => {
  let p: TwoProcesses;
  let a: Database; let ea: Engine; let eb: Engine;
  beforeAll(async () => { p = await twoProcesses(); ({ a, ea, eb } = p); });
  afterAll(async () => { await p.close(); });

  const call = (engine: Engine, name: string, input: unknown, actor: Actor = staffActor(STAFF)) => {
    const ctx: OperationContext = { engine, actor, requestId: 'test', signal: new AbortController().signal, progress: () => {} };
    return invoke(findOperation(name)!, ctx, input) as Promise<Record<string, unknown>>;
  };

  it('answers a repeated read from memory, and a local change is visible on the next read', async () => {
    const g = await seedGuild(a.db);
    const t = await ea.tickets.create(staffActor(STAFF), { guild_id: g.guildId, user_id: OWNER });
    const first = await call(ea, 'get_ticket', { guild_id: g.guildId, ticket_id: t.id });
    expect(await call(ea, 'get_ticket', { guild_id: g.guildId, ticket_id: t.id })).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);

    await call(ea, 'close_ticket', { guild_id: g.guildId, ticket_id: t.id, reason: 'done' });
    expect(await call(ea, 'get_ticket', { guild_id: g.guildId, ticket_id: t.id })).toMatchObject({ status: 'closed', closed_reason: 'done' });
  });

  it('shows another process\'s change once the change feed reports it', async () => {
    const g = await seedGuild(a.db);
    const t = await ea.tickets.create(staffActor(STAFF), { guild_id: g.guildId, user_id: OWNER });
    const before = await call(ea, 'list_tickets', { guild_id: g.guildId, status: 'open' });
    expect(before['total']).toBe(1);
    await call(ea, 'get_ticket', { guild_id: g.guildId, ticket_id: t.id });

    // The assignment is the later write: once the feed reports it, both have arrived.
    const heard = new Promise<void>((resolve) => {
      const on = (e: { ticketId: string; remote?: boolean }) => { if (e.remote && e.ticketId === t.id) { ea.changes.off('ticket', on); resolve(); } };
      ea.changes.on('ticket', on);
    });
    const second = await eb.tickets.create(staffActor(STAFF), { guild_id: g.guildId, user_id: OWNER });
    await eb.tickets.assign(staffActor(STAFF), { guild_id: g.guildId, ticket: { ticket_id: t.id }, user_id: STAFF });
    await heard;

    const after = await call(ea, 'list_tickets', { guild_id: g.guildId, status: 'open' });
    expect(after['total']).toBe(2);
    expect((after['tickets'] as Array<{ id: string }>).map((x) => x.id)).toContain(second.id);
    expect(await call(ea, 'get_ticket', { guild_id: g.guildId, ticket_id: t.id })).toMatchObject({ assigned_id: STAFF });
  });

  it('still refuses a token of another guild when the answer is cached', async () => {
    const g = await seedGuild(a.db);
    const t = await ea.tickets.create(staffActor(STAFF), { guild_id: g.guildId, user_id: OWNER });
    await call(ea, 'get_ticket', { guild_id: g.guildId, ticket_id: t.id });
    await expect(call(ea, 'get_ticket', { guild_id: g.guildId, ticket_id: t.id }, staffActor(STAFF, ['111111111111111111'])))
      .rejects.toMatchObject({ code: 'forbidden' });
  });

  it('reads the database every time when the lifetime is 0 (TICKETBRIDGE_READ_CACHE_MS=0)', async () => {
    const g = await seedGuild(a.db);
    const t = await ea.tickets.create(staffActor(STAFF), { guild_id: g.guildId, user_id: OWNER });
    setReadCacheLifetime(ea, 0);
    try {
      await call(ea, 'get_ticket', { guild_id: g.guildId, ticket_id: t.id });
      // A write the engine never hears of (no change event): only a fresh read sees it.
      await a.db.updateTable('tickets').set({ topic: 'changed behind the engine' }).where('id', '=', t.id).execute();
      expect(await call(ea, 'get_ticket', { guild_id: g.guildId, ticket_id: t.id })).toMatchObject({ topic: 'changed behind the engine' });
    } finally {
      setReadCacheLifetime(ea, 1000);
    }
  });

  it('holds at most 20,000 tickets however many different pages are read', async () => {
    const g = await seedGuild(a.db);
    for (let i = 0; i < 120; i++) await ea.tickets.create(staffActor(STAFF), { guild_id: g.guildId, user_id: OWNER });
    let most = 0;
    // 250 different questions, each answered with a page of 100 tickets: 25,000 tickets asked for.
    for (let i = 0; i < 250; i++) {
      const page = await call(ea, 'list_tickets', { guild_id: g.guildId, per_page: 100, created_before: new Date(Date.UTC(2100, 0, 1) + i * 1000).toISOString() });
      expect((page['tickets'] as unknown[]).length).toBe(100);
      most = Math.max(most, readCacheHeld(ea));
    }
    expect(most).toBeGreaterThan(19_000);
    expect(most).toBeLessThanOrEqual(20_000);
  });
});
