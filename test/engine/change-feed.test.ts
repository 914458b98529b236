/** Two processes on one PostgreSQL: each hears the other's changes through the change feed, not its own twice. */
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connect.js';
import type { Engine } from '../../src/engine/index.js';
import { postgresAvailable } from '../support/databases.js';
import { twoProcesses, type TwoProcesses } from '../support/two-processes.js';
import { seedGuild, staffActor } from '../support/fixtures.js';

describe.skipIf(!postgresAvailable())('change feed [postgres]', () => {
  let p: TwoProcesses;
  let b: Database; let ea: Engine; let eb: Engine;
  beforeAll(async () => { p = await twoProcesses(); ({ b, ea, eb } = p); });
  afterAll(async () => { await p.close(); });

  it('emits the other process\'s ticket and transcript changes, and not its own again', async () => {
    const g = await seedGuild(b.db);
    const heard: Array<{ ticketId: string; remote?: boolean | undefined }> = [];
    ea.changes.on('ticket', (e) => heard.push(e));
    const next = once(ea.changes, 'ticket');
    const t = await eb.tickets.create(staffActor('601082144459178129'), { guild_id: g.guildId, user_id: '849383430663776372' });
    const [event] = await next as [{ guildId: string; ticketId: string; remote?: boolean }];
    expect(event).toMatchObject({ guildId: g.guildId, ticketId: t.id, remote: true });

    heard.length = 0;
    await ea.tickets.close(staffActor('601082144459178129'), { guild_id: g.guildId, ticket: { ticket_id: t.id } });
    const remoteClose = once(ea.changes, 'ticket');
    await eb.tickets.reopen(staffActor('601082144459178129'), { guild_id: g.guildId, ticket: { ticket_id: t.id } });
    await remoteClose;
    // The local close was emitted once (in-process); only the reopen came through the feed.
    expect(heard.filter((e) => !e.remote)).toHaveLength(1);
    expect(heard.filter((e) => e.remote).length).toBeGreaterThanOrEqual(1);
  });
});
