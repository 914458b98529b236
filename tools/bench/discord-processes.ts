/**
 * Discord delivery with several `ticketbridge serve` processes on one PostgreSQL, against the
 * sandbox with Discord's limits on (global 50 requests/s per bot, 5 messages per 5 s per channel):
 * jobs/s as a ratio of the 50/s limit, the share of 429 answers, and the most bot requests that
 * reached the sandbox within any one second. A counting proxy in front of the sandbox's REST API
 * sees every process's requests (the gateway connects to the sandbox directly).
 *
 * A backlog of channel.message.send jobs (one request each, over 60 channels) is queued while no
 * worker runs; then the processes start and drain it. The rate is measured between the first and
 * the last message to arrive, so process start-up is not counted (`ratio_of_limit`), and over the
 * middle 90% of the messages (`steady_ratio_of_limit`: from the 5th to the 95th percentile of
 * arrival times). The two differ by the drain's tail: the last jobs sit on a few channels whose
 * own bucket (5 messages per 5 s) is spent, so there the channel's limit binds and not the global
 * one, whatever the processes do; the steady figure is the rate the processes sustain together.
 *
 *   npx tsx tools/bench/discord-processes.ts                 # 1 and 3 processes, 1,500 jobs each
 *   BENCH_ROUNDS=3 npx tsx tools/bench/discord-processes.ts  # 1, 3, 1, 3, 1, 3: medians and spread
 *   BENCH_PROCESSES=3 BENCH_JOBS=3000 BENCH_DETAIL=1 npx tsx tools/bench/discord-processes.ts   # per-process series
 * Each run also reports what each process sent (its own counting proxy) with its answer times, and
 * the sandbox's own count of the bot's requests in any one second.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { connect } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Routes } from 'discord.js';
import { pino } from 'pino';
import { openDatabase } from '../../src/db/connect.js';
import { operatorActor } from '../../src/engine/actor.js';
import { createEngine } from '../../src/engine/index.js';
import { startDiscord } from '../../src/discord/runtime.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { createBenchDatabase } from './bench-db.js';

interface Tally { requests: number; limited: Record<string, number>; arrivals: number[]; messages: number[]; byProcess: Record<string, { arrivals: number[]; rtts: number[] }> }

/** A pass-through HTTP proxy to `target` that counts what passes. */
function countingProxy(target: URL, tally: Tally, label = 'all'): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const bot = String(req.headers.authorization ?? '').startsWith('Bot ');
    const at = Date.now();
    const mine = (tally.byProcess[label] ??= { arrivals: [], rtts: [] });
    if (bot) { tally.requests++; tally.arrivals.push(at); mine.arrivals.push(at); }
    const up = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (r) => {
      if (bot) mine.rtts.push(Date.now() - at);
      if (r.statusCode === 429) {
        const key = `${req.method} ${String(req.url).replace(/\d{15,21}/g, ':id').split('?')[0]} scope=${String(r.headers['x-ratelimit-scope'] ?? '-')}`;
        tally.limited[key] = (tally.limited[key] ?? 0) + 1;
      } else if (req.method === 'POST' && /\/channels\/\d+\/messages$/.test(String(req.url)) && (r.statusCode ?? 0) < 300) {
        tally.messages.push(at);
      }
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => { res.writeHead(502); res.end(); });
    req.pipe(up);
  });
  // The sandbox names its gateway after the host a request came to: pass WebSocket upgrades through too.
  server.on('upgrade', (req, socket, head) => {
    const up = connect(Number(target.port), target.hostname, () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      up.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length) up.write(head);
      socket.pipe(up).pipe(socket);
    });
    up.on('error', () => socket.destroy());
    socket.on('error', () => up.destroy());
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const a = server.address();
    resolve({ server, url: `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}` });
  }));
}

function serve(databaseUrl: string, token: string, apiUrl: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve'], {
    env: { ...process.env, DATABASE_URL: databaseUrl, DISCORD_TOKEN: token, DISCORD_API_URL: apiUrl, PORT: '0', DATA_DIR: mkdtempSync(join(tmpdir(), 'tb-bench-')), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (b: Buffer) => {
      err += b.toString();
      if (process.env['BENCH_LOG']) appendFileSync(process.env['BENCH_LOG'], b);
      if (/ticketbridge listening on/.test(err)) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`serve exited (${code}): ${err.slice(-2000)}`)));
  });
}

const stop = (c: ChildProcess) => new Promise<void>((r) => { if (c.exitCode !== null || c.signalCode) r(); else { c.once('exit', () => r()); c.kill('SIGTERM'); } });

/** The most entries of sorted `times` within any `windowMs`. */
function maxInWindow(times: number[], windowMs: number): number {
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < times.length; hi++) {
    while ((times[hi] as number) - (times[lo] as number) >= windowMs) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}

/** Requests in each whole second from `start`. */
function perSecondSeries(times: number[], start: number): number[] {
  const out: number[] = [];
  for (const t of times) {
    const k = Math.floor((t - start) / 1000);
    if (k < 0) continue;
    while (out.length <= k) out.push(0);
    out[k]! += 1;
  }
  return out;
}

async function runOnce(sandbox: Sandbox, processes: number, jobs: number, channelIds: string[]) {
  const logger = pino({ level: 'silent' });
  const benchDb = await createBenchDatabase(`tb_bench_dprocs${processes}`);
  const database = await openDatabase({ databaseUrl: benchDb.url });
  const engine = createEngine(database);
  const tally: Tally = { requests: 0, limited: {}, arrivals: [], messages: [], byProcess: {} };
  const proxy = await countingProxy(new URL(sandbox.apiUrl), tally);
  // One more proxy per process, so what each one sends (and how long its answers take) shows.
  const own = await Promise.all(Array.from({ length: processes }, (_, i) => countingProxy(new URL(sandbox.apiUrl), tally, `p${i + 1}`)));
  const children: ChildProcess[] = [];
  try {
    // The guild and its channels into the database, then the backlog, with no worker anywhere.
    const discord = await startDiscord({ engine, database, logger, token: sandbox.botToken, apiUrl: sandbox.apiUrl, mode: 'sandbox', worker: false });
    await discord.synced;
    const d = sandbox.demo;
    const admin = operatorActor(d.ownerId);
    const queued: string[] = [];
    for (let i = 0; i < jobs; i += 100) {
      const batch = await Promise.all(Array.from({ length: Math.min(100, jobs - i) }, (_, k) =>
        engine.channelMessages.send(admin, { guild_id: d.guildId, channel_id: channelIds[(i + k) % channelIds.length] as string, content: `bench message ${i + k}` })));
      queued.push(...batch.map((b) => b.job_id));
    }
    await discord.close();
    // Closing the runtime halted this engine's waits (as a stopping server does); this one still waits.
    engine.outbox.setWaitBound(null);
    // Let the sandbox's windows for this token empty before the processes start.
    await new Promise((r) => setTimeout(r, 5_500));
    tally.requests = 0; tally.limited = {}; tally.arrivals = []; tally.messages = []; tally.byProcess = {};
    sandbox.resetTraffic();
    children.push(...await Promise.all(own.map((p) => serve(benchDb.url, sandbox.botToken, `${p.url}/api`))));
    const outcomes = await engine.outbox.waitForJobs(queued, 900_000);
    const msgs = [...tally.messages].sort((a, b) => a - b);
    const seconds = msgs.length > 1 ? ((msgs.at(-1) as number) - (msgs[0] as number)) / 1000 : 0;
    const perSecond = seconds > 0 ? (msgs.length - 1) / seconds : 0;
    const n429 = Object.values(tally.limited).reduce((a, b) => a + b, 0);
    const lo = Math.floor(msgs.length * 0.05);
    const hi = Math.ceil(msgs.length * 0.95) - 1;
    const steadySeconds = hi > lo ? ((msgs[hi] as number) - (msgs[lo] as number)) / 1000 : 0;
    const steady = steadySeconds > 0 ? (hi - lo) / steadySeconds : 0;
    return {
      processes, jobs, channels: channelIds.length,
      done: outcomes.filter((o) => o.status === 'done').length, dead: outcomes.filter((o) => o.status === 'dead').length,
      seconds: Number(seconds.toFixed(1)), jobs_per_second: Number(perSecond.toFixed(1)), ratio_of_limit: Number((perSecond / 50).toFixed(3)),
      steady_ratio_of_limit: Number((steady / 50).toFixed(3)),
      requests: tally.requests, responses_429: n429, share_429: Number((tally.requests ? n429 / tally.requests : 0).toFixed(4)), limited_by_route: tally.limited,
      max_bot_requests_in_any_second: maxInWindow([...tally.arrivals].sort((a, b) => a - b), 1000),
      // The same as the sandbox counts it (processing times on its clock): what Discord would see.
      sandbox: sandbox.traffic(),
      load: loadavg().map((l) => Number(l.toFixed(2))),
      by_process: Object.fromEntries(Object.entries(tally.byProcess).map(([label, t]) => {
        const inSpan = t.arrivals.filter((a) => a >= (msgs[0] ?? 0) && a <= (msgs.at(-1) ?? 0)).length;
        const rtts = [...t.rtts].sort((a, b) => a - b);
        return [label, {
          requests: t.arrivals.length, per_second_in_span: Number((seconds > 0 ? inSpan / seconds : 0).toFixed(1)),
          rtt_ms_p50: rtts[Math.floor(rtts.length / 2)] ?? null, rtt_ms_p90: rtts[Math.floor(rtts.length * 0.9)] ?? null,
          ...(process.env['BENCH_DETAIL'] ? { per_second: perSecondSeries(t.arrivals, msgs[0] ?? 0) } : {}),
        }];
      })),
    };
  } finally {
    await Promise.all(children.map(stop));
    proxy.server.close();
    for (const p of own) p.server.close();
    await database.close();
    await benchDb.drop();
  }
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s.length ? (s[(s.length - 1) >> 1]! + s[s.length >> 1]!) / 2 : 0; };

/** Rounds of each process count in turn (1, 3, 1, 3 …); medians and spread of the ratio to the limit per count. */
export async function runDiscordProcessesBench(opts: { processes?: number[]; jobs?: number; rounds?: number } = {}) {
  const counts = opts.processes ?? (process.env['BENCH_PROCESSES'] ? process.env['BENCH_PROCESSES'].split(',').map(Number) : [1, 3]);
  const jobs = opts.jobs ?? Number(process.env['BENCH_JOBS'] ?? 1500);
  const rounds = opts.rounds ?? Number(process.env['BENCH_ROUNDS'] ?? 1);
  const sandbox = await startSandbox({ rateLimits: true, logger: pino({ level: 'silent' }) });
  try {
    // 60 channels, created once (5 per 5 s: about a minute) and shared by the runs.
    const rest = new (await import('discord.js')).REST({ api: sandbox.apiUrl, version: '10' }).setToken(sandbox.botToken);
    const channelIds: string[] = [];
    for (let i = 0; i < 60; i++) channelIds.push(((await rest.post(Routes.guildChannels(sandbox.demo.guildId), { body: { name: `bench-${i}`, type: 0 } })) as { id: string }).id);
    const runs: Array<Awaited<ReturnType<typeof runOnce>>> = [];
    for (let r = 0; r < rounds; r++) {
      for (const n of counts) {
        const run = await runOnce(sandbox, n, jobs, channelIds);
        process.stderr.write(`round ${r + 1}, ${n} process(es): ${run.ratio_of_limit} of the limit (steady ${run.steady_ratio_of_limit}), 429s ${run.share_429}, sandbox most in any second ${run.sandbox.most_in_any_second}, load ${run.load.join(' ')}\n`);
        runs.push(run);
      }
    }
    const summary = Object.fromEntries(counts.map((n) => {
      const mine = runs.filter((x) => x.processes === n);
      const ratios = mine.map((x) => x.ratio_of_limit);
      const steady = mine.map((x) => x.steady_ratio_of_limit);
      return [`${n}_processes`, {
        ratio_of_limit_median: Number(median(ratios).toFixed(3)), ratio_min: Math.min(...ratios), ratio_max: Math.max(...ratios),
        steady_ratio_median: Number(median(steady).toFixed(3)), steady_min: Math.min(...steady), steady_max: Math.max(...steady),
        share_429_max: Math.max(...mine.map((x) => x.share_429)), sandbox_most_in_any_second_max: Math.max(...mine.map((x) => x.sandbox.most_in_any_second)),
        sandbox_global_429s: mine.reduce((a, x) => a + x.sandbox.limited_global, 0),
      }];
    }));
    return { summary, runs };
  } finally {
    await sandbox.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runDiscordProcessesBench().then((r) => { process.stdout.write(`${JSON.stringify(r, null, 2)}\n`); process.exit(0); }, (err: unknown) => { process.stderr.write(`${String(err)}\n`); process.exit(1); });
}
