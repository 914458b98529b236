/**
 * The Discord fault drill, full length: for 30 s the sandbox answers channel creation with 503,
 * channel edits with 502, message posts with bucket 429s, and throws global 429s in every second,
 * while 100 tickets are opened (ten every three seconds). Then the faults stop; once the outbox is
 * idle, every ticket must have exactly one channel, one opening message (pinned), a linked
 * channel id and Discord status "ok". The test suite runs the same drill with a 3-second window
 * (test/discord/faults.test.ts, FAULT_WINDOW_MS).
 *
 * The outbox runs with its production settings (8 attempts, backoff from 1 s doubling to 5 min), so
 * the drill also shows that a 30-second outage does not exhaust a job's attempts.
 *
 *   npx tsx tools/drills/discord-faults.ts                                   # PGlite in memory
 *   DRILL_DATABASE_URL=postgres://…/db npx tsx tools/drills/discord-faults.ts
 *   DRILL_WINDOW_MS=30000 DRILL_TICKETS=100                                  # the defaults
 * Prints a JSON report on stdout; exits 1 when a ticket is not as required.
 */
import { pino } from 'pino';
import { openDatabase } from '../../src/db/connect.js';
import { operatorActor } from '../../src/engine/actor.js';
import { createEngine } from '../../src/engine/index.js';
import { startDiscord } from '../../src/discord/runtime.js';
import { startSandbox } from '../../src/sandbox/index.js';
import { armFaults, tally } from '../../test/discord/fault-kit.js';

export async function runDiscordFaultDrill(opts: { windowMs?: number; tickets?: number; databaseUrl?: string | undefined } = {}) {
  const windowMs = opts.windowMs ?? Number(process.env['DRILL_WINDOW_MS'] ?? 30_000);
  const ticketCount = opts.tickets ?? Number(process.env['DRILL_TICKETS'] ?? 100);
  const logger = pino({ level: process.env['LOG_LEVEL'] ?? 'silent' }, pino.destination(2));
  const sandbox = await startSandbox({ rateLimits: true, logger });
  const database = await openDatabase({ databaseUrl: opts.databaseUrl ?? process.env['DRILL_DATABASE_URL'] });
  const engine = createEngine(database);
  const discord = await startDiscord({ engine, database, logger, token: sandbox.botToken, apiUrl: sandbox.apiUrl, mode: 'sandbox', waitBoundMs: 0 });
  const responses = { total: 0, s429: 0, global429: 0, s5xx: 0 };
  discord.rest.on('response', (_req, res) => {
    responses.total++;
    if (res.status === 429) { responses.s429++; if (res.headers.get('x-ratelimit-global')) responses.global429++; }
    if (res.status >= 500) responses.s5xx++;
  });
  try {
    await discord.synced;
    const d = sandbox.demo;
    const admin = operatorActor(d.ownerId);
    const started = Date.now();
    armFaults(sandbox);
    // Global 429s all through the window, not only in its first moments.
    const globalFaults = setInterval(() => sandbox.addFault({ status: 429, global: true, retry_after: 0.2, count: 5 }), 1_000);
    const created: Array<{ id: string }> = [];
    const batches = Math.ceil(ticketCount / 10);
    for (let b = 0; b < batches; b++) {
      const n = Math.min(10, ticketCount - b * 10);
      created.push(...await Promise.all(Array.from({ length: n }, () => engine.tickets.create(admin, { guild_id: d.guildId, user_id: d.customerUserId }))));
      const next = started + ((b + 1) * windowMs) / (batches + 1);
      if (next > Date.now()) await new Promise((r) => setTimeout(r, next - Date.now()));
    }
    if (started + windowMs > Date.now()) await new Promise((r) => setTimeout(r, started + windowMs - Date.now()));
    clearInterval(globalFaults);
    const faultsOff = Date.now();
    const during = { ...responses };
    sandbox.clearFaults();
    await discord.worker!.idle(15 * 60_000);
    const recoveredMs = Date.now() - faultsOff;

    const tickets = await Promise.all(created.map((t) => engine.tickets.get({ guild_id: d.guildId, ticket: { ticket_id: t.id } })));
    const counts = tally({ sandbox }, tickets);
    const state = sandbox.state();
    const pinned = new Set((state.messages as unknown as Array<{ id: string; pinned?: boolean }>).filter((m) => m.pinned).map((m) => m.id));
    const rows = await database.db.selectFrom('tickets').select(['id', 'opening_message_id']).where('id', 'in', created.map((t) => t.id)).execute();
    const jobs = await engine.outbox.counts();
    const bad = counts.filter((c) => c.channels !== 1 || c.openings !== 1 || !c.linked);
    const notOk = tickets.filter((t) => t.discord.status !== 'ok').map((t) => ({ number: t.number, status: t.discord.status, error: t.discord.error }));
    const unpinned = rows.filter((r) => !r.opening_message_id || !pinned.has(r.opening_message_id)).length;
    return {
      database: database.kind, window_seconds: windowMs / 1000, tickets: tickets.length,
      responses_during_window: during, recovered_seconds_after_faults: Number((recoveredMs / 1000).toFixed(1)),
      exactly_one_channel_and_opening: tickets.length - bad.length, not_as_required: bad, discord_status_not_ok: notOk,
      opening_not_pinned: unpinned, jobs, worker: discord.worker!.stats,
      ok: bad.length === 0 && notOk.length === 0 && unpinned === 0 && (jobs['dead'] ?? 0) === 0,
    };
  } finally {
    await discord.close();
    await sandbox.close();
    await database.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runDiscordFaultDrill().then((r) => {
    process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    if (!r.ok) process.exitCode = 1;
  }, (err: unknown) => { process.stderr.write(`${String((err as Error)?.stack ?? err)}\n`); process.exitCode = 1; });
}
