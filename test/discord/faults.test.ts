/**
 * Faults: the sandbox answers 5xx and 429s (bucket and global) while 100 tickets are opened; once it
 * recovers, every ticket has exactly one channel and one opening message. The suite uses a 3-second
 * window without the sandbox's rate limits; tools/drills/discord-faults.ts runs the full 30 seconds
 * with Discord's limits on and the outbox's production retry settings.
 */
import { expect, it } from 'vitest';
import { operatorActor } from '../../src/engine/actor.js';
import { describeEachDatabase } from '../support/databases.js';
import { useDiscord } from './harness.js';
import { armFaults, tally, WINDOW_MS } from './fault-kit.js';

describeEachDatabase('Discord faults', (database) => {
  const h = useDiscord(database, { outbox: { maxAttempts: 50, baseDelayMs: 50, maxDelayMs: 500 }, waitBoundMs: 0 });

  it(`100 tickets opened through ${WINDOW_MS / 1000} s of 5xx and 429s end with one channel and one opening message each`, async () => {
    const { engine, sandbox } = h();
    const d = sandbox.demo;
    const admin = operatorActor(d.ownerId);
    armFaults(sandbox);
    const started = Date.now();
    const created = [];
    for (let i = 0; i < 100; i += 10) {
      created.push(...await Promise.all(Array.from({ length: 10 }, () => engine.tickets.create(admin, { guild_id: d.guildId, user_id: d.customerUserId }))));
    }
    await new Promise((r) => setTimeout(r, Math.max(0, WINDOW_MS - (Date.now() - started))));
    sandbox.clearFaults();
    await h().discord.worker!.idle(90_000);
    const tickets = await Promise.all(created.map((t) => engine.tickets.get({ guild_id: d.guildId, ticket: { ticket_id: t.id } })));
    expect(tickets.every((t) => t.discord.status === 'ok')).toBe(true);
    const counts = tally(h(), tickets);
    expect(counts.filter((c) => c.channels !== 1 || c.openings !== 1 || !c.linked)).toEqual([]);
    // 100 tickets do not fit one category: the overflow went to further categories named like it.
    const cats = (sandbox.state().channels as unknown as Array<{ type: number; name: string }>).filter((c) => c.type === 4 && c.name === 'Support');
    expect(cats.length).toBeGreaterThanOrEqual(3);
    expect(cats.length).toBeLessThanOrEqual(4);
  }, 120_000);
});
