/**
 * REST creates per second through a round-robin proxy with 3 `ticketbridge serve` processes against
 * 1, on one PostgreSQL and one sandbox (dist/cli.js: run `npm run build` first). Each create is
 * `POST /api/ticketbridge/v1/create_ticket`. The processes run with TICKETBRIDGE_CREATE_WAIT_MS=0
 * (a create answers without waiting for its channel): waiting, every create would be paced by
 * Discord's 50 requests/s for the bot (a ticket takes several requests), which no number of
 * processes changes. Their outbox workers still open the channels meanwhile, as in production.
 *
 * Rounds alternate 1 and 3 processes; each phase has a fresh database and fresh processes (no
 * backlog of Discord work carried over) and guilds of its own; medians and spread of creates/s and
 * of the ratio per round.
 *
 *   npm run build && npx tsx tools/bench/rest-processes.ts   # BENCH_ROUNDS=3 BENCH_SECONDS=8 BENCH_CONNECTIONS=24
 */
import { loadavg } from 'node:os';
import pg from 'pg';
import { pino } from 'pino';
import { startSandbox, type CreatedGuild } from '../../src/sandbox/index.js';
import { serveProcess, stopProcess, until, heldShards, type ServeProcess } from '../../test/support/serve-processes.js';
import { createBenchDatabase } from './bench-db.js';
import { listen, roundRobin } from './round-robin.js';

const ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef';
const say = (line: string) => process.stderr.write(`${line}\n`);
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s.length ? (s[(s.length - 1) >> 1]! + s[s.length >> 1]!) / 2 : 0; };

export async function runRestProcessesBench() {
  const rounds = Number(process.env['BENCH_ROUNDS'] ?? 3);
  const seconds = Number(process.env['BENCH_SECONDS'] ?? 8);
  const connections = Number(process.env['BENCH_CONNECTIONS'] ?? 24);
  const sandbox = await startSandbox({ rateLimits: false, logger: pino({ level: 'silent' }) });
  const procs: ServeProcess[] = [];
  const lb = roundRobin(() => procs.map((p) => p.url));
  const lbUrl = await listen(lb);
  const env = {
    TICKETBRIDGE_ADMIN_TOKEN: ADMIN_TOKEN, TICKETBRIDGE_RATE_LIMIT_TOKEN: '100000000', TICKETBRIDGE_RATE_LIMIT_IP: '100000000',
    NODE_OPTIONS: '--max-semi-space-size=64', TICKETBRIDGE_CREATE_WAIT_MS: '0',
  };
  const phases: Array<{ round: number; processes: number; creates: number; per_second: number; errors: number; p50_ms: number; p99_ms: number; load: number[] }> = [];
  try {
    for (let r = 1; r <= rounds; r++) {
      for (const n of [1, 3]) {
        const benchDb = await createBenchDatabase(`tb_bench_restprocs${n}`);
        // Migrated by one process first, so the others do not race for it.
        const first = await serveProcess({ botToken: sandbox.botToken, apiUrl: sandbox.apiUrl }, benchDb.url, 'migrate', env);
        await stopProcess(first.child);
        const guilds: CreatedGuild[] = Array.from({ length: 4 }, (_, k) => sandbox.createGuild({ name: `Bench ${r}-${n}-${k}` }));
        for (let i = 0; i < n; i++) procs.push(await serveProcess({ botToken: sandbox.botToken, apiUrl: sandbox.apiUrl }, benchDb.url, `p${i}`, env));
        // Ready: the shard is held and the phase's guilds are synced (their default groups exist).
        await until('shard held', async () => ((await Promise.all(procs.map(heldShards))).some((h) => h?.held.some((s) => s.ready)) ? true : undefined), 60_000, 200);
        const db = new pg.Client({ connectionString: benchDb.url });
        await db.connect();
        await until('guilds synced', async () => {
          const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM guilds WHERE id = ANY($1) AND default_group_id IS NOT NULL', [guilds.map((g) => g.guildId)]);
          return Number(rows[0]!.n) === guilds.length ? true : undefined;
        }, 60_000, 200);
        await db.end();
        const latencies: number[] = [];
        let errors = 0;
        let k = 0;
        const create = async () => {
          const g = guilds[k++ % guilds.length]!;
          const t0 = performance.now();
          const res = await fetch(`${lbUrl}/api/ticketbridge/v1/create_ticket`, {
            method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
            body: JSON.stringify({ guild_id: g.guildId, user_id: g.customerUserId }),
          }).catch(() => null);
          if (!res) { errors++; return false; }
          await res.arrayBuffer();
          if (!res.ok) { errors++; return false; }
          latencies.push(performance.now() - t0);
          return true;
        };
        // A second of warm-up, then the measured slice.
        const warmEnd = Date.now() + 1_000;
        await Promise.all(Array.from({ length: connections }, async () => { while (Date.now() < warmEnd) await create(); }));
        latencies.length = 0;
        errors = 0;
        const start = performance.now();
        const end = Date.now() + seconds * 1000;
        await Promise.all(Array.from({ length: connections }, async () => { while (Date.now() < end) await create(); }));
        const elapsed = (performance.now() - start) / 1000;
        const sorted = [...latencies].sort((a, b) => a - b);
        const phase = {
          round: r, processes: n, creates: latencies.length, per_second: Number((latencies.length / elapsed).toFixed(1)), errors,
          p50_ms: Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0), p99_ms: Math.round(sorted[Math.floor(sorted.length * 0.99)] ?? 0),
          load: loadavg().map((l) => Number(l.toFixed(2))),
        };
        say(`round ${r}, ${n} process(es): ${phase.per_second} creates/s (p50 ${phase.p50_ms} ms, p99 ${phase.p99_ms} ms, ${errors} errors), load ${phase.load.join(' ')}`);
        phases.push(phase);
        await Promise.all(procs.map((p) => stopProcess(p.child)));
        procs.length = 0;
        await benchDb.drop();
      }
    }
    const one = phases.filter((p) => p.processes === 1).map((p) => p.per_second);
    const three = phases.filter((p) => p.processes === 3).map((p) => p.per_second);
    const ratios = phases.filter((p) => p.processes === 3).map((p) => Number((p.per_second / (phases.find((q) => q.round === p.round && q.processes === 1)?.per_second ?? 1)).toFixed(2)));
    return {
      seconds, connections, rounds,
      one_process: { median: median(one), min: Math.min(...one), max: Math.max(...one) },
      three_processes: { median: median(three), min: Math.min(...three), max: Math.max(...three) },
      scaling_ratio_median: median(ratios), scaling_ratio_per_round: ratios, phases,
    };
  } finally {
    await Promise.all(procs.map((p) => stopProcess(p.child)));
    lb.close();
    await sandbox.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runRestProcessesBench().then((r) => { process.stdout.write(`${JSON.stringify(r, null, 2)}\n`); process.exit(0); }, (err: unknown) => { process.stderr.write(`${String(err)}\n`); process.exit(1); });
}
