/**
 * Memory of a long-running engine while tickets and messages grow: rounds of creates and recorded
 * messages against PostgreSQL, with heap and RSS sampled after a full GC each round.
 * Flat means the last round's heap is within a small margin of the second round's (the first warms up).
 *   node --expose-gc --import tsx tools/bench/memory.ts
 */
import { sql } from 'kysely';
import pg from 'pg';
import { openDatabase } from '../../src/db/connect.js';
import { createEngine } from '../../src/engine/index.js';
import { operatorActor } from '../../src/engine/actor.js';
import { round } from './stats-util.js';

export async function runMemoryBench(opts: { rounds?: number; ticketsPerRound?: number; messagesPerTicket?: number } = {}) {
  const rounds = opts.rounds ?? 8;
  const perRound = opts.ticketsPerRound ?? 300;
  const perTicket = opts.messagesPerTicket ?? 10;
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc (npm run bench does)');
  const adminUrl = process.env['BENCH_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query('DROP DATABASE IF EXISTS tb_bench_memory WITH (FORCE)');
  await admin.query('CREATE DATABASE tb_bench_memory');
  await admin.end();
  const url = new URL(adminUrl); url.pathname = '/tb_bench_memory';
  const database = await openDatabase({ databaseUrl: url.toString(), poolSize: 8 });
  const engine = createEngine(database);
  const actor = operatorActor('601082144459178129');
  const guild = '919722116696391721';
  await sql`INSERT INTO guilds (id, name, default_group_id) VALUES (${guild}, 'Memory', '919722116696391722')`.execute(database.db);
  await sql`INSERT INTO ticket_groups (id, guild_id, name, is_default) VALUES ('919722116696391722', ${guild}, 'Support', true)`.execute(database.db);

  const samples: Array<{ round: number; tickets: number; messages: number; heap_mb: number; rss_mb: number }> = [];
  let channel = 1_300_000_000_000_000_000n;
  let message = 1_400_000_000_000_000_000n;
  let tickets = 0;
  let messages = 0;
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < perRound; i += 10) {
      await Promise.all(Array.from({ length: 10 }, async () => {
        const t = await engine.tickets.create(actor, { guild_id: guild, user_id: '849383430663776372', topic: 'memory' });
        const channelId = String(channel++);
        await database.db.updateTable('tickets').set({ channel_id: channelId }).where('id', '=', t.id).execute();
        for (let m = 0; m < perTicket; m++) {
          await engine.transcripts.recordMessage({
            guild_id: guild, channel_id: channelId,
            message: { id: String(message++), author: { id: m % 2 ? '601082144459178129' : '849383430663776372', username: 'someone' }, content: `message ${m} ${'x'.repeat(200)}`, created_at: new Date() },
          });
        }
      }));
      tickets += 10;
      messages += 10 * perTicket;
    }
    gc(); gc();
    const mem = process.memoryUsage();
    samples.push({ round: r + 1, tickets, messages, heap_mb: round(mem.heapUsed / 2 ** 20, 1), rss_mb: round(mem.rss / 2 ** 20, 1) });
    process.stderr.write(`round ${r + 1}: ${tickets} tickets, ${messages} messages, heap ${samples.at(-1)!.heap_mb} MB\n`);
  }
  await database.close();
  const second = samples[1] ?? samples[0]!;
  const last = samples.at(-1)!;
  return { samples, heap_growth_after_warmup_mb: round(last.heap_mb - second.heap_mb, 1), heap_last_vs_second_ratio: round(last.heap_mb / second.heap_mb, 2) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runMemoryBench().then((r) => process.stdout.write(`${JSON.stringify(r, null, 2)}\n`), (err: unknown) => { process.stderr.write(`${String(err)}\n`); process.exitCode = 1; });
}
