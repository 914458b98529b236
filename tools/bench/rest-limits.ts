/**
 * What the shared REST rate limits cost a request: p50/p99 latency and requests/s of a Ticketeer
 * get-ticket (read cache on, so the route itself barely touches the database) with the limits off
 * and on (IP and token counted in the shared counter table: one upsert statement per request),
 * in alternating slices so load from elsewhere on the machine hits both alike.
 *   npx tsx tools/bench/rest-limits.ts [--seconds 3] [--rounds 3] [--connections 16]      # PostgreSQL
 *   BENCH_PGLITE=1 npx tsx tools/bench/rest-limits.ts                                      # PGlite in memory
 */
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { sql } from 'kysely';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/connect.js';
import type { AppDeps } from '../../src/deps.js';
import { operatorActor } from '../../src/engine/actor.js';
import { createEngine } from '../../src/engine/index.js';
import { buildHttpServer } from '../../src/http.js';
import { createBenchDatabase, seedBenchGuild } from './bench-db.js';
import { median } from './stats-util.js';

const GUILD = '919722116696391721';
const GROUP = '673578029833227305';

interface Measured { rps: number; p50: number; p99: number; non2xx: number }

export async function runRestLimitsBench(opts: { seconds?: number; rounds?: number; connections?: number; pglite?: boolean } = {}) {
  const seconds = opts.seconds ?? 3;
  const rounds = opts.rounds ?? 3;
  const connections = opts.connections ?? 16;
  const benchDb = opts.pglite ? null : await createBenchDatabase('tb_bench_limits');
  const database = await openDatabase({ databaseUrl: benchDb?.url, ...(benchDb ? { poolSize: 16 } : {}) });
  try {
    await seedBenchGuild(database.db, GUILD, GROUP);
    const engine = createEngine(database);
    const actor = operatorActor('601082144459178129');
    const ticket = await engine.tickets.create(actor, { guild_id: GUILD, user_id: '849383430663776372', topic: 'Bench' });
    const { token } = await engine.tokens.create({ name: 'bench', abilities: ['*'], user_id: '601082144459178129' });
    const serve = async (limit: string) => {
      const deps: AppDeps = { config: loadConfig({ TICKETBRIDGE_RATE_LIMIT_TOKEN: limit, TICKETBRIDGE_RATE_LIMIT_IP: limit }), logger: pino({ level: 'silent' }), database, engine, discord: () => ({ mode: 'off', ready: false }) };
      const app = await buildHttpServer(deps);
      return { app, url: await app.listen({ host: '127.0.0.1', port: 0 }) };
    };
    const off = await serve('0');
    const on = await serve('1000000000');
    const path = `/api/v1/guild/${GUILD}/ticket/${ticket.id}`;
    const run = async (base: string): Promise<Measured> => {
      const r = await autocannon({ url: `${base}${path}`, connections, duration: seconds, headers: { authorization: `Bearer ${token}` }, timeout: 10 });
      return { rps: Math.round(r.requests.average), p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx };
    };
    const single = async (base: string): Promise<number> => {
      const times: number[] = [];
      for (let i = 0; i < 300; i++) {
        const t0 = performance.now();
        await (await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } })).arrayBuffer();
        times.push(performance.now() - t0);
      }
      return Number(median(times).toFixed(2));
    };
    // The floor: one database round trip, and the counter statement itself, timed alone.
    const timed = async (f: () => Promise<unknown>): Promise<number> => {
      const times: number[] = [];
      for (let i = 0; i < 300; i++) { const t0 = performance.now(); await f(); times.push(performance.now() - t0); }
      return Number(median(times).toFixed(2));
    };
    const roundTrip: number[] = [];
    const counterStatement: number[] = [];
    const offs: Measured[] = [];
    const ons: Measured[] = [];
    const offSingle: number[] = [];
    const onSingle: number[] = [];
    for (let i = 0; i < rounds; i++) {
      roundTrip.push(await timed(() => sql`SELECT 1`.execute(database.db)));
      counterStatement.push(await timed(() => engine.rateCounters.hit([{ key: 'bench:ip', limit: 1e9, windowMs: 60_000 }, { key: 'bench:token', limit: 1e9, windowMs: 60_000 }])));
      offSingle.push(await single(off.url)); onSingle.push(await single(on.url));
      offs.push(await run(off.url)); ons.push(await run(on.url));
    }
    await off.app.close(); await on.app.close();
    const pick = (ms: Measured[]) => ({ rps: median(ms.map((m) => m.rps)), p50: median(ms.map((m) => m.p50)), p99: median(ms.map((m) => m.p99)), non2xx: ms.reduce((a, m) => a + m.non2xx, 0) });
    const a = pick(offs);
    const b = pick(ons);
    return {
      database: database.kind, seconds, rounds, connections,
      db_round_trip_ms: median(roundTrip), counter_statement_ms: median(counterStatement),
      single_request_ms: { limits_off: median(offSingle), limits_on: median(onSingle) },
      limits_off: a, limits_on: b, rps_ratio: Number((b.rps / a.rps).toFixed(3)),
    };
  } finally {
    await database.close();
    await benchDb?.drop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { seconds: { type: 'string' }, rounds: { type: 'string' }, connections: { type: 'string' } } });
  runRestLimitsBench({
    seconds: values.seconds ? Number(values.seconds) : undefined, rounds: values.rounds ? Number(values.rounds) : undefined,
    connections: values.connections ? Number(values.connections) : undefined, pglite: process.env['BENCH_PGLITE'] === '1',
  }).then((r) => { process.stdout.write(`${JSON.stringify(r, null, 2)}\n`); }, (err: unknown) => { process.stderr.write(`${String(err)}\n`); process.exitCode = 1; });
}
