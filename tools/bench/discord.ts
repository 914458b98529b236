/**
 * Discord jobs per second delivered against the sandbox with Discord's real limits on (global
 * 50 requests/s, per-route buckets: 5 messages per 5 s per channel), as a ratio of the 50/s limit;
 * plus the share of 429 answers, broken down by route and scope.
 *
 * Jobs: channel.message.send (one message per job, one request each) over 60 channels, queued as a
 * backlog first and then drained by one worker, so the figure is the delivery rate and not the
 * database's insert rate. Two orders: `interleaved` (job i → channel i mod 60) and `grouped` (each
 * channel's 25 jobs in a row: a worker that parks slots on a spent channel bucket crawls here).
 *
 *   npx tsx tools/bench/discord.ts                      # PGlite in memory
 *   BENCH_DATABASE_URL=postgres://… npx tsx tools/bench/discord.ts
 *   BENCH_ORDER=grouped BENCH_JOBS=1500 npx tsx tools/bench/discord.ts
 */
import { Routes } from 'discord.js';
import { pino } from 'pino';
import { openDatabase } from '../../src/db/connect.js';
import { operatorActor } from '../../src/engine/actor.js';
import { createEngine } from '../../src/engine/index.js';
import { startWorker } from '../../src/discord/outbox-worker.js';
import { startDiscord } from '../../src/discord/runtime.js';
import { startSandbox } from '../../src/sandbox/index.js';

export type BenchOrder = 'interleaved' | 'grouped';

export async function runDiscordBench(opts: { jobs?: number; channels?: number; order?: BenchOrder; concurrency?: number } = {}) {
  const jobs = opts.jobs ?? Number(process.env['BENCH_JOBS'] ?? 1500);
  const channelCount = opts.channels ?? 60;
  const order: BenchOrder = opts.order ?? (process.env['BENCH_ORDER'] === 'grouped' ? 'grouped' : 'interleaved');
  const concurrency = opts.concurrency ?? 32;
  const logger = pino({ level: 'silent' });
  const sandbox = await startSandbox({ rateLimits: true, logger });
  const database = await openDatabase({ databaseUrl: process.env['BENCH_DATABASE_URL'] });
  const engine = createEngine(database);
  // No worker yet: the backlog is queued first, then one worker drains it.
  const discord = await startDiscord({ engine, database, logger, token: sandbox.botToken, apiUrl: sandbox.apiUrl, mode: 'sandbox', worker: false });
  let worker: ReturnType<typeof startWorker> | null = null;
  try {
    await discord.synced;
    const d = sandbox.demo;
    const ids: string[] = [];
    for (let i = 0; i < channelCount; i++) {
      const ch = await discord.rest.post(Routes.guildChannels(d.guildId), { body: { name: `bench-${i}`, type: 0 } }) as { id: string };
      ids.push(ch.id);
    }
    await discord.syncGuild(d.guildId);
    const admin = operatorActor(d.ownerId);
    const channelOf = (i: number) => (order === 'grouped' ? ids[Math.floor((i * ids.length) / jobs)] : ids[i % ids.length]) as string;
    const enqueueStarted = Date.now();
    const queued: Array<Awaited<ReturnType<typeof engine.channelMessages.send>>> = [];
    for (let i = 0; i < jobs; i += 100) {
      queued.push(...await Promise.all(Array.from({ length: Math.min(100, jobs - i) }, (_, k) =>
        engine.channelMessages.send(admin, { guild_id: d.guildId, channel_id: channelOf(i + k), content: `bench message ${i + k}` }))));
    }
    const enqueueSeconds = (Date.now() - enqueueStarted) / 1000;

    let requests = 0;
    const limited: Record<string, number> = {};
    discord.rest.on('response', (req, res) => {
      requests++;
      if (res.status !== 429) return;
      const key = `${req.method.toUpperCase()} ${req.route} scope=${res.headers.get('x-ratelimit-scope') ?? '-'}`;
      limited[key] = (limited[key] ?? 0) + 1;
    });
    let waits = 0;
    discord.rest.on('rateLimited', () => { waits++; });
    const started = Date.now();
    worker = startWorker({ engine, database, rest: discord.rest, botUserId: discord.botUserId, logger, concurrency });
    const outcomes = await engine.outbox.waitForJobs(queued.map((q) => q.job_id), 600_000);
    const seconds = (Date.now() - started) / 1000;
    const perSecond = jobs / seconds;
    const n429 = Object.values(limited).reduce((a, b) => a + b, 0);
    // Per channel, messages must appear in the order their jobs were committed (job id order;
    // concurrent enqueues commit in any order, so the message number is not the reference).
    const state = sandbox.state();
    const messages = state.messages as unknown as Array<{ channel_id: string; content?: string }>;
    let outOfOrder = 0;
    for (const ch of ids) {
      const seq = messages.filter((m) => m.channel_id === ch)
        .map((m) => BigInt(queued[Number(/bench message (\d+)/.exec(m.content ?? '')?.[1] ?? -1)]?.job_id ?? -1));
      for (let k = 1; k < seq.length; k++) if ((seq[k] as bigint) < (seq[k - 1] as bigint)) outOfOrder++;
    }
    return {
      database: database.kind, order, jobs, channels: channelCount, concurrency,
      enqueue_seconds: Number(enqueueSeconds.toFixed(1)),
      seconds: Number(seconds.toFixed(1)), jobs_per_second: Number(perSecond.toFixed(1)),
      ratio_of_limit: Number((perSecond / 50).toFixed(3)),
      requests, responses_429: n429, share_429: Number((requests ? n429 / requests : 0).toFixed(4)), limited_by_route: limited,
      discordjs_waits: waits, done: outcomes.filter((o) => o.status === 'done').length, dead: outcomes.filter((o) => o.status === 'dead').length,
      out_of_order: outOfOrder,
    };
  } finally {
    await worker?.stop();
    await discord.close();
    await sandbox.close();
    await database.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runDiscordBench().then((r) => { process.stdout.write(`${JSON.stringify(r, null, 2)}\n`); }, (err: unknown) => { process.stderr.write(`${String(err)}\n`); process.exitCode = 1; });
}
