/**
 * Discord jobs per second delivered against the sandbox with Discord's real limits on (global
 * 50 requests/s, per-route buckets), as a ratio of the 50/s limit; plus the share of 429 answers.
 * Jobs: channel.message.send spread over 60 channels (one message per job, one request each).
 */
import { Routes } from 'discord.js';
import { pino } from 'pino';
import { openDatabase } from '../../src/db/connect.js';
import { operatorActor } from '../../src/engine/actor.js';
import { createEngine } from '../../src/engine/index.js';
import { startDiscord } from '../../src/discord/runtime.js';
import { startSandbox } from '../../src/sandbox/index.js';

export async function runDiscordBench(opts: { jobs?: number; channels?: number } = {}) {
  const jobs = opts.jobs ?? 1500;
  const channelCount = opts.channels ?? 60;
  const logger = pino({ level: 'silent' });
  const sandbox = await startSandbox({ rateLimits: true, logger });
  const database = await openDatabase({ databaseUrl: process.env['BENCH_DATABASE_URL'] });
  const engine = createEngine(database);
  const discord = await startDiscord({ engine, database, logger, token: sandbox.botToken, apiUrl: sandbox.apiUrl, mode: 'sandbox', concurrency: 64 });
  try {
    await discord.synced;
    const d = sandbox.demo;
    const ids: string[] = [];
    for (let i = 0; i < channelCount; i++) {
      const ch = await discord.client.rest.post(Routes.guildChannels(d.guildId), { body: { name: `bench-${i}`, type: 0 } }) as { id: string };
      ids.push(ch.id);
    }
    await discord.syncGuild(d.guildId);
    await discord.worker!.idle(60_000);
    let requests = 0;
    let limited = 0;
    discord.client.rest.on('response', (_req, res) => { requests++; if (res.status === 429) limited++; });
    const admin = operatorActor(d.ownerId);
    const started = Date.now();
    const queued = [];
    for (let i = 0; i < jobs; i++) {
      queued.push(engine.channelMessages.send(admin, { guild_id: d.guildId, channel_id: ids[i % ids.length]!, content: `bench message ${i}` }));
    }
    const all = await Promise.all(queued);
    await engine.outbox.waitForJobs(all.map((q) => q.job_id), 600_000);
    const seconds = (Date.now() - started) / 1000;
    const counts = await engine.outbox.counts();
    const perSecond = jobs / seconds;
    return {
      jobs, channels: channelCount, seconds: Number(seconds.toFixed(1)), jobs_per_second: Number(perSecond.toFixed(1)),
      ratio_of_limit: Number((perSecond / 50).toFixed(3)), requests, responses_429: limited,
      share_429: Number((requests ? limited / requests : 0).toFixed(4)), dead: counts['dead'] ?? 0, database: database.kind,
    };
  } finally {
    await discord.close();
    await sandbox.close();
    await database.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runDiscordBench().then((r) => { process.stdout.write(`${JSON.stringify(r, null, 2)}\n`); }, (err: unknown) => { process.stderr.write(`${String(err)}\n`); process.exitCode = 1; });
}
