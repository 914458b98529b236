/**
 * Engine benchmark (issue: foundation): seeds 1,000,000 tickets over 1,000 guilds into PostgreSQL and
 * measures list / get / stats / create, each beside a baseline measured in the same run.
 *   npx tsx tools/bench/engine.ts [--tickets N] [--reuse]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { openDatabase } from '../../src/db/connect.js';
import { createEngine } from '../../src/engine/index.js';
import { operatorActor } from '../../src/engine/actor.js';
import { measure, measurePair, median, ratio, throughput } from './stats-util.js';

const GUILD_BASE = 900000000000000000n;
const GROUP_BASE = 800000000000000000n;
const TICKET_BASE = 700000000000000000n;
const guildId = (g: number) => String(GUILD_BASE + BigInt(g));

export interface EngineBenchOptions { adminUrl?: string; tickets?: number; guilds?: number; reuse?: boolean; seconds?: number; createRounds?: number; createSeconds?: number; log?: (line: string) => void }

export async function runEngineBench(opts: EngineBenchOptions = {}) {
  const adminUrl = opts.adminUrl ?? process.env['BENCH_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const tickets = opts.tickets ?? 1_000_000;
  const guilds = opts.guilds ?? 1000;
  // Creates: many short rounds, ours and pgbench alternating (and alternating which goes first), so
  // the VM's drift (±30% within seconds) and the table's growth hit both alike; the figure is the
  // median of the per-round ratios, with their spread printed.
  const CREATE_ROUNDS = opts.createRounds ?? 9;
  const createSeconds = opts.createSeconds ?? opts.seconds ?? 2;
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const dbName = `tb_bench_${tickets}`;
  const url = new URL(adminUrl); url.pathname = `/${dbName}`;
  const benchUrl = url.toString();

  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const exists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [dbName])).rowCount === 1;
  const seed = !(opts.reuse && exists);
  if (seed) {
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${dbName}`);
  }
  await admin.end();

  const database = await openDatabase({ databaseUrl: benchUrl, poolSize: 8 });
  const db = database.db;
  if (seed) {
    const t0 = Date.now();
    log(`seeding ${tickets} tickets over ${guilds} guilds …`);
    await sql.raw(`INSERT INTO guilds (id, name, default_group_id, ticket_counter)
      SELECT (${GUILD_BASE} + g)::text, 'Bench guild ' || g, (${GROUP_BASE} + g)::text, ${Math.ceil(tickets / guilds)}
      FROM generate_series(0, ${guilds - 1}) g`).execute(db);
    await sql.raw(`INSERT INTO ticket_groups (id, guild_id, name, is_default, priority_levels)
      SELECT (${GROUP_BASE} + g)::text, (${GUILD_BASE} + g)::text, 'Support', true, '[{"label":"Low"},{"label":"High"}]'
      FROM generate_series(0, ${guilds - 1}) g`).execute(db);
    // Bulk load without the per-row stats trigger, then build the counters once from the table.
    await sql.raw('ALTER TABLE tickets DISABLE TRIGGER tickets_stats').execute(db);
    await sql.raw(`INSERT INTO tickets (id, uuid, guild_id, group_id, number, status, owner_id, assigned_id, priority, topic,
        created_at, opened_at, closed_at, first_response_at, last_activity)
      SELECT (${TICKET_BASE} + i)::text, gen_random_uuid()::text, (${GUILD_BASE} + (i % ${guilds}))::text,
        (${GROUP_BASE} + (i % ${guilds}))::text, (i / ${guilds}) + 1,
        CASE WHEN i % 3 = 0 THEN 'open' ELSE 'closed' END,
        (100000000000000000 + (i % 5000))::text,
        CASE WHEN i % 4 = 0 THEN (200000000000000000 + (i % 7))::text END,
        CASE WHEN i % 5 = 0 THEN 1 WHEN i % 5 = 1 THEN 0 END,
        'Bench ticket ' || i,
        now() - make_interval(secs => (i % 2000000)),
        now() - make_interval(secs => (i % 2000000)),
        CASE WHEN i % 3 <> 0 THEN now() - make_interval(secs => (i % 2000000)) + interval '2 hours' END,
        now() - make_interval(secs => (i % 2000000)) + interval '10 minutes',
        now() - make_interval(secs => (i % 2000000))
      FROM generate_series(0, ${tickets - 1}) i`).execute(db);
    await sql.raw('ALTER TABLE tickets ENABLE TRIGGER tickets_stats').execute(db);
    await rebuildStats(db);
    await sql.raw('ANALYZE').execute(db);
    log(`seeded in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }

  const engine = createEngine(database);
  const actor = operatorActor('601082144459178129');
  const pool = new pg.Pool({ connectionString: benchUrl, max: 8 });
  const pick = (i: number) => guildId((i * 7919) % guilds);
  const ticketIdOf = (i: number) => String(TICKET_BASE + BigInt((i * 104729) % tickets));

  // Latencies are a long-running server's: each measurement follows 1,000 warm-up calls (JIT, heap
  // sizing, connection and buffer caches), the same for the engine and its baseline.
  const WARMUP = 1000;
  log('list open tickets of one guild …');
  const [list, listBase] = await measurePair(1000,
    (i) => engine.tickets.list({ guild_id: pick(i), status: 'open', per_page: 25 }),
    (i) => pool.query("SELECT * FROM tickets WHERE guild_id = $1 AND status = 'open' AND deleted_at IS NULL ORDER BY number DESC LIMIT 26", [pick(i)]), WARMUP);
  log('get ticket by id …');
  const [get, getBase] = await measurePair(2000,
    (i) => engine.tickets.get({ guild_id: guildId(((i * 104729) % tickets) % guilds), ticket: { ticket_id: ticketIdOf(i) } }),
    (i) => pool.query('SELECT * FROM tickets WHERE id = $1', [ticketIdOf(i)]), WARMUP);
  log('stats of one guild …');
  const stats = await measure(1000, (i) => engine.stats.guild({ guild_id: pick(i) }), WARMUP);
  const statsAggregate = await measure(200, (i) => pool.query(`SELECT count(*) FILTER (WHERE status = 'open') AS open, count(*) FILTER (WHERE status = 'closed') AS closed, count(*) AS total,
      avg(extract(epoch FROM closed_at - opened_at)) AS avg_res, count(*) FILTER (WHERE created_at > now() - interval '7 days') AS week
      FROM tickets WHERE guild_id = $1`, [pick(i)]));

  log(`creates: ${CREATE_ROUNDS} rounds of ${createSeconds} s each, ours and pgbench (8 clients) alternating …`);
  const create = (w: number, i: number) => engine.tickets.create(actor, { guild_id: pick(w * 100003 + i), user_id: '849383430663776372', topic: 'bench' });
  // Warm-up first (JIT, pool connections), as pgbench's C client needs none.
  await throughput(8, 2, (w, i) => create(w + 8, i));
  const rounds: Array<{ ours: number; pgbench: number; ratio: number }> = [];
  for (let r = 0; r < CREATE_ROUNDS; r++) {
    const runOurs = () => throughput(8, createSeconds, (w, i) => create(w + 16 * (r + 1), i));
    let ours: number;
    let pgb: number;
    if (r % 2 === 0) { ours = await runOurs(); pgb = runPgbench(benchUrl, guilds, createSeconds); } else { pgb = runPgbench(benchUrl, guilds, createSeconds); ours = await runOurs(); }
    rounds.push({ ours, pgbench: pgb, ratio: ratio(ours, pgb) });
    log(`  round ${r + 1}: ours ${ours}/s, pgbench ${pgb} TPS, ratio ${ratio(ours, pgb)}`);
  }
  const creates = median(rounds.map((x) => x.ours));
  const pgbench = median(rounds.map((x) => x.pgbench));
  const perRound = rounds.map((x) => x.ratio).sort((a, b) => a - b);
  const createRatio = median(perRound);
  const createSpread = { min: perRound[0], p25: perRound[Math.floor((perRound.length - 1) / 4)], p75: perRound[Math.ceil(((perRound.length - 1) * 3) / 4)], max: perRound[perRound.length - 1] };
  log(`creates vs pgbench: median ${createRatio} (spread ${createSpread.min}–${createSpread.max}, middle half ${createSpread.p25}–${createSpread.p75})`);

  await pool.end();
  await database.close();
  return {
    tickets, guilds,
    list_open_ms: list, list_open_baseline_ms: listBase, list_open_p99_target_ms: 5,
    get_by_id_ms: get, get_by_id_baseline_ms: getBase, get_by_id_p99_target_ms: 2,
    stats_ms: stats, stats_plain_aggregate_ms: statsAggregate, stats_target_ms: 2,
    creates_per_s: creates, pgbench_same_sql_tps: pgbench, creates_vs_pgbench: createRatio, creates_vs_pgbench_spread: createSpread, creates_rounds: rounds, creates_target_ratio: 0.7,
  };
}

/** Rebuilds the trigger-maintained counters from the tickets table (after a bulk load without triggers). */
async function rebuildStats(db: import('kysely').Kysely<import('../../src/db/schema.js').DB>) {
  await sql.raw('TRUNCATE guild_stats, guild_stat_counts, guild_daily_stats').execute(db);
  await sql.raw(`INSERT INTO guild_stats (guild_id, open_count, closed_count, total_count, resolution_seconds_sum, resolution_count, first_response_seconds_sum, first_response_count, deleted_count)
    SELECT guild_id, count(*) FILTER (WHERE status = 'open'), count(*) FILTER (WHERE status = 'closed'), count(*),
      coalesce(sum(extract(epoch FROM closed_at - opened_at)) FILTER (WHERE closed_at IS NOT NULL), 0), count(closed_at),
      coalesce(sum(extract(epoch FROM first_response_at - created_at)) FILTER (WHERE first_response_at IS NOT NULL), 0), count(first_response_at), count(deleted_at)
    FROM tickets GROUP BY guild_id`).execute(db);
  for (const [dim, expr] of [['group', 'group_id'], ['priority', "coalesce(priority::text, 'none')"], ['assignee', 'assigned_id']] as const) {
    await sql.raw(`INSERT INTO guild_stat_counts (guild_id, dimension, key, open_count, closed_count, total_count)
      SELECT guild_id, '${dim}', ${expr}, count(*) FILTER (WHERE status = 'open'), count(*) FILTER (WHERE status = 'closed'), count(*)
      FROM tickets WHERE ${expr} IS NOT NULL GROUP BY guild_id, ${expr}`).execute(db);
  }
  await sql.raw(`INSERT INTO guild_daily_stats (guild_id, day, created_count, closed_count)
    SELECT guild_id, day, sum(c), sum(x) FROM (
      SELECT guild_id, (created_at AT TIME ZONE 'UTC')::date AS day, 1 AS c, 0 AS x FROM tickets
      UNION ALL SELECT guild_id, (closed_at AT TIME ZONE 'UTC')::date, 0, 1 FROM tickets WHERE closed_at IS NOT NULL) d
    GROUP BY guild_id, day`).execute(db);
}

/** pgbench running the SQL an engine create runs: counter update with the group read, the ticket/event/job insert. */
function runPgbench(url: string, guilds: number, seconds: number): number {
  const dir = mkdtempSync(join(tmpdir(), 'tb-pgbench-'));
  const script = join(dir, 'create.sql');
  writeFileSync(script, `\\set g random(0, ${guilds - 1})
\\set r random(1, 99999999999999999)
BEGIN;
UPDATE guilds SET ticket_counter = ticket_counter + 1 WHERE id = (${GUILD_BASE} + :g)::text RETURNING ticket_counter AS n, module_enabled, default_group_id,
  (SELECT to_json(obj) FROM (SELECT id, name, priority_levels, per_user_limit, name_template FROM ticket_groups
    WHERE ticket_groups.guild_id = guilds.id AND deleted_at IS NULL AND ticket_groups.id = guilds.default_group_id) AS obj) AS grp \\gset
WITH created_event AS (INSERT INTO ticket_events (ticket_id, guild_id, kind, actor_id, as_bot, reason, data)
    VALUES ((600000000000000000::bigint + :r::bigint)::text, (${GUILD_BASE} + :g)::text, 'created', '601082144459178129', false, NULL, '{"changes":{}}')),
  open_job AS (INSERT INTO discord_jobs (guild_id, ticket_id, kind, payload)
    VALUES ((${GUILD_BASE} + :g)::text, (600000000000000000::bigint + :r::bigint)::text, 'ticket.open', '{"message":null}'))
INSERT INTO tickets (id, uuid, guild_id, group_id, number, status, topic, owner_id, form, anonymous, opening_message, priority, created_at, opened_at, last_activity)
  VALUES ((600000000000000000::bigint + :r::bigint)::text, gen_random_uuid()::text, (${GUILD_BASE} + :g)::text, (${GROUP_BASE} + :g)::text, :n, 'open', 'bench', '849383430663776372', '[]', false, NULL, NULL, now(), now(), now())
  RETURNING *;
END;
`);
  const out = execFileSync('pgbench', ['-n', '-c', '8', '-j', '2', '-T', String(seconds), '-f', script, url], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const m = /tps = ([\d.]+)/.exec(out);
  return m ? Math.round(Number(m[1])) : NaN;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const n = args.indexOf('--tickets');
  runEngineBench({ tickets: n >= 0 ? Number(args[n + 1]) : undefined, reuse: args.includes('--reuse') })
    .then((r) => process.stdout.write(`${JSON.stringify(r, null, 2)}\n`))
    .catch((err: unknown) => { process.stderr.write(`${String((err as Error)?.stack ?? err)}\n`); process.exitCode = 1; });
}
