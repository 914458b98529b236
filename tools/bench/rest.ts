/**
 * REST benchmark: requests/s and p50/p99 latency of get ticket (Ticketeer), list tickets (Volvox)
 * and create ticket (Ticketeer), each as a ratio to a baseline measured in the same run:
 *   reads  → a bare Fastify route doing one `SELECT 1` through a pg Pool (the floor of any DB-backed route);
 *   create → pgbench running the SQL a create runs (number with its group, ticket, event, outbox job) in one transaction.
 * Loopback only, bounded in time. Needs PostgreSQL (TEST_DATABASE_URL or postgres://postgres@127.0.0.1:5432/postgres).
 * Measured in rounds of short slices (each route right after its baseline), medians reported, so
 * load from elsewhere on the machine skews baseline and routes alike.
 *   npx tsx tools/bench/rest.ts [--seconds 3 (per slice)] [--rounds 3] [--connections 16]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import pg from 'pg';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/connect.js';
import type { AppDeps } from '../../src/deps.js';
import { createEngine } from '../../src/engine/index.js';
import { operatorActor } from '../../src/engine/actor.js';
import { setReadCacheLifetime } from '../../src/operations/read-cache.js';
import { buildHttpServer } from '../../src/http.js';
import { createBenchDatabase, seedBenchGuild } from './bench-db.js';
import { median } from './stats-util.js';

export interface Measured { rps: number; p50: number; p99: number; errors: number; non2xx: number }
export interface RestBenchFigures {
  seconds: number;
  connections: number;
  rounds: number;
  baselineSelect1: Measured;
  pgbenchCreateTps: number;
  /** Repeated reads of one ticket / one page: answered by the read cache (TICKETBRIDGE_READ_CACHE_MS). */
  getTicket: Measured & { ratio: number; target: number };
  listTickets: Measured & { ratio: number; target: number };
  /** The same routes with the read cache off: every request reads PostgreSQL. */
  getTicketUncached: Measured & { ratio: number };
  listTicketsUncached: Measured & { ratio: number };
  createTicket: Measured & { ratio: number; target: number };
}

const GUILD = '919722116696391721';
const GROUP = '673578029833227305';
const OWNER = '849383430663776372';
/** Creates go to their own guild, so the guild read by get/list keeps its 2,000 tickets. */
const CREATE_GUILD = '919722116696391722';
const CREATE_GROUP = '673578029833227399';

async function cannon(opts: autocannon.Options): Promise<Measured> {
  const r = await autocannon({ ...opts, timeout: 10 });
  return { rps: Math.round(r.requests.average), p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.timeouts, non2xx: r.non2xx };
}

function runProcess(cmd: string, args: string[]): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ stdout, stderr, code }));
  });
}

export async function runRestBench(opts: { seconds?: number; rounds?: number; connections?: number } = {}): Promise<RestBenchFigures> {
  const slice = opts.seconds ?? 3;
  const roundsCount = opts.rounds ?? 3;
  const connections = opts.connections ?? 16;
  const benchDb = await createBenchDatabase('tb_bench_rest');
  const url = benchDb.url;
  const poolSize = 16;
  const database = await openDatabase({ databaseUrl: url, poolSize });
  const baseline = Fastify({ logger: false });
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  const workDir = mkdtempSync(join(tmpdir(), 'tb-bench-'));
  try {
    for (const [guild, group] of [[GUILD, GROUP], [CREATE_GUILD, CREATE_GROUP]] as const) await seedBenchGuild(database.db, guild, group);
    const engine = createEngine(database);
    const actor = operatorActor('601082144459178129');
    let lastId = '';
    for (let i = 0; i < 2000; i++) lastId = (await engine.tickets.create(actor, { guild_id: GUILD, user_id: OWNER, topic: `Bench ${i}` })).id;
    const { token } = await engine.tokens.create({ name: 'bench', abilities: ['*'], user_id: '601082144459178129' });
    const deps: AppDeps = { config: loadConfig({ TICKETBRIDGE_RATE_LIMIT_TOKEN: '0', TICKETBRIDGE_RATE_LIMIT_IP: '0', TICKETBRIDGE_VOLVOX_RATE_LIMIT_IP: '0' }), logger: pino({ level: 'silent' }), database, engine, discord: () => ({ mode: 'off', ready: false }) };
    const app = await buildHttpServer(deps);
    const base = await app.listen({ host: '127.0.0.1', port: 0 });

    baseline.get('/select1', async () => { const r = await pool.query('SELECT 1 AS one'); return r.rows[0]; });
    const baseUrl = await baseline.listen({ host: '127.0.0.1', port: 0 });

    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const run = (u: string, extra: Partial<autocannon.Options> = {}) => cannon({ url: u, connections, duration: slice, headers, ...extra });
    const script = join(workDir, 'create.sql');
    writeFileSync(script, [
      'BEGIN;',
      `UPDATE guilds SET ticket_counter = ticket_counter + 1 WHERE id = '${CREATE_GUILD}' RETURNING id, ticket_counter, module_enabled, default_group_id, (SELECT to_json(obj) FROM (SELECT id, name, priority_levels, per_user_limit, name_template FROM ticket_groups WHERE ticket_groups.guild_id = guilds.id AND deleted_at IS NULL AND ticket_groups.id = guilds.default_group_id) AS obj) AS grp \\gset g_`,
      `INSERT INTO tickets (id, uuid, guild_id, group_id, number, status, topic, owner_id, form, anonymous, opening_message, priority, created_at, opened_at, last_activity) VALUES (gen_random_uuid()::text, gen_random_uuid()::text, '${CREATE_GUILD}', '${CREATE_GROUP}', :g_ticket_counter, 'open', NULL, '${OWNER}', '[]', false, 'bench', NULL, now(), now(), now()) RETURNING * \\gset t_`,
      `INSERT INTO ticket_events (ticket_id, guild_id, kind, actor_id, as_bot, reason, data) VALUES (:t_id, '${CREATE_GUILD}', 'created', '601082144459178129', false, NULL, '{"changes":{}}');`,
      `INSERT INTO discord_jobs (guild_id, ticket_id, kind, payload) VALUES ('${CREATE_GUILD}', :t_id, 'ticket.open', '{"message":"bench"}') RETURNING id;`,
      'COMMIT;',
    ].join('\n'));
    const pgbench = async (): Promise<number> => {
      // Async, so requests still in flight from the last slice can finish and release the guild row.
      const pgb = await runProcess('pgbench', ['-n', '-f', script, '-c', String(poolSize), '-j', '2', '-T', String(slice), '-M', 'extended', url]);
      const tpsMatch = /tps = ([\d.]+)/.exec(pgb.stdout);
      if (!tpsMatch) throw new Error(`pgbench failed: ${pgb.stderr || pgb.stdout}`);
      return Math.round(Number(tpsMatch[1]));
    };

    // Warm-up, then rounds of short slices (baseline, get, list, create, pgbench) so that load from
    // elsewhere on the machine hits the baselines and the routes alike; the medians are reported.
    await run(`${baseUrl}/select1`, { duration: 1 });
    await run(`${base}/api/v1/guild/${GUILD}/ticket/${lastId}`, { duration: 1 });
    const rounds: Array<{ b: Measured; get: Measured; list: Measured; getCold: Measured; listCold: Measured; create: Measured; tps: number }> = [];
    const getUrl = `${base}/api/v1/guild/${GUILD}/ticket/${lastId}`;
    const listUrl = `${base}/api/v1/guilds/${GUILD}/tickets?status=open&limit=25`;
    for (let i = 0; i < roundsCount; i++) {
      const b = await run(`${baseUrl}/select1`);
      setReadCacheLifetime(engine, 1000);
      const get = await run(getUrl);
      const list = await run(listUrl);
      setReadCacheLifetime(engine, 0);
      const getCold = await run(getUrl);
      const listCold = await run(listUrl);
      const create = await run(`${base}/api/v1/guild/${CREATE_GUILD}/ticket`, { method: 'POST', body: JSON.stringify({ user_id: OWNER, message: 'bench' }) });
      const tps = await pgbench();
      rounds.push({ b, get, list, getCold, listCold, create, tps });
    }
    await baseline.close();
    await app.close();
    const pick = (f: (r: (typeof rounds)[number]) => Measured): Measured => ({
      rps: median(rounds.map((r) => f(r).rps)), p50: median(rounds.map((r) => f(r).p50)), p99: median(rounds.map((r) => f(r).p99)),
      errors: rounds.reduce((n, r) => n + f(r).errors, 0), non2xx: rounds.reduce((n, r) => n + f(r).non2xx, 0),
    });
    const baselineSelect1 = pick((r) => r.b);
    const pgbenchCreateTps = median(rounds.map((r) => r.tps));
    const get = pick((r) => r.get);
    const list = pick((r) => r.list);
    const create = pick((r) => r.create);
    const perRound = (f: (r: (typeof rounds)[number]) => number) => Math.round(median(rounds.map(f)) * 1000) / 1000;

    return {
      seconds: slice * roundsCount, connections, rounds: roundsCount, baselineSelect1, pgbenchCreateTps,
      getTicket: { ...get, ratio: perRound((r) => r.get.rps / r.b.rps), target: 0.7 },
      listTickets: { ...list, ratio: perRound((r) => r.list.rps / r.b.rps), target: 0.5 },
      getTicketUncached: { ...pick((r) => r.getCold), ratio: perRound((r) => r.getCold.rps / r.b.rps) },
      listTicketsUncached: { ...pick((r) => r.listCold), ratio: perRound((r) => r.listCold.rps / r.b.rps) },
      createTicket: { ...create, ratio: perRound((r) => r.create.rps / r.tps), target: 0.6 },
    };
  } finally {
    await baseline.close().catch(() => {});
    await pool.end().catch(() => {});
    await database.close();
    rmSync(workDir, { recursive: true, force: true });
    await benchDb.drop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { seconds: { type: 'string' }, rounds: { type: 'string' }, connections: { type: 'string' } } });
  const figures = await runRestBench({
    seconds: values.seconds ? Number(values.seconds) : undefined,
    rounds: values.rounds ? Number(values.rounds) : undefined,
    connections: values.connections ? Number(values.connections) : undefined,
  });
  process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
  process.exit(0);
}
