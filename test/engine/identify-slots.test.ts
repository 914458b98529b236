/**
 * Discord's identify limit in the database (src/engine/identify-slots.ts): every session start of a
 * bucket gets its own moment, a window after the one before, whichever process asks, even when they
 * ask at once; other buckets and other bots do not wait; a bucket quiet for a window starts at once.
 */
import { beforeEach, expect, it } from 'vitest';
import type { Database } from '../../src/db/connect.js';
import { createEngine, type Engine } from '../../src/engine/index.js';
import { describeEachDatabase } from '../support/databases.js';

const waitOf = async (slot: Promise<{ waitMs: number }>) => (await slot).waitMs;

describeEachDatabase('identify slots', (database, info) => {
  let engine: Engine;
  const e = () => (engine ??= createEngine(database()));
  beforeEach(async () => { await database().db.deleteFrom('gateway_identify_slots').execute(); });

  it('spaces the starts of one bucket a window apart, and leaves other buckets and bots alone', async () => {
    const window = 5_000;
    const first = await waitOf(e().identifySlots.reserve('bot-a', 0, window));
    const second = await waitOf(e().identifySlots.reserve('bot-a', 0, window));
    const third = await waitOf(e().identifySlots.reserve('bot-a', 0, window));
    expect(first).toBe(0);
    expect(second).toBeGreaterThan(window - 500);
    expect(second).toBeLessThanOrEqual(window);
    expect(third).toBeGreaterThan(2 * window - 500);
    expect(third).toBeLessThanOrEqual(2 * window);
    expect(await waitOf(e().identifySlots.reserve('bot-a', 1, window))).toBe(0);
    expect(await waitOf(e().identifySlots.reserve('bot-b', 0, window))).toBe(0);
  });

  it('starts a bucket at once once its last start is a window old', async () => {
    const window = 150;
    expect(await waitOf(e().identifySlots.reserve('bot-a', 2, window))).toBe(0);
    await new Promise((r) => setTimeout(r, window + 50)); // time itself is what is tested
    expect(await waitOf(e().identifySlots.reserve('bot-a', 2, window))).toBe(0);
  });

  it('gives starts asked for at the same moment, from several processes, each its own moment', async () => {
    const window = 1_000;
    // PostgreSQL: a second connection pool stands for another process. PGlite has one process.
    const other: Database | null = info().kind === 'postgres' ? await info().open() : null;
    try {
      const engines = [e(), other ? createEngine(other) : e()];
      const waits = await Promise.all(Array.from({ length: 8 }, (_, i) => waitOf(engines[i % 2]!.identifySlots.reserve('bot-a', 0, window))));
      const sorted = [...waits].sort((a, b) => a - b);
      expect(sorted[0]).toBe(0);
      for (let i = 1; i < sorted.length; i++) expect(sorted[i]! - sorted[i - 1]!).toBeGreaterThanOrEqual(window - 50);
      expect(sorted.at(-1)).toBeLessThanOrEqual(7 * window);
    } finally {
      await other?.close();
    }
  });

  it('takes back a moment given up while it is the last one reserved, and never one another start follows', async () => {
    const window = 5_000;
    const slots = e().identifySlots;
    await slots.reserve('bot-a', 3, window);
    const given = await slots.reserve('bot-a', 3, window);
    expect(await slots.giveBack('bot-a', 3, given.reservation, window)).toBe(true);
    // The next start takes the moment given back, not one a window later.
    const next = await slots.reserve('bot-a', 3, window);
    expect(next.waitMs).toBeLessThanOrEqual(window);
    expect(next.waitMs).toBeGreaterThan(window - 500);
    // A moment with another reserved after it stays taken.
    const after = await slots.reserve('bot-a', 3, window);
    expect(await slots.giveBack('bot-a', 3, next.reservation, window)).toBe(false);
    expect((await slots.reserve('bot-a', 3, window)).waitMs).toBeGreaterThan(after.waitMs + window - 500);
  });
});
