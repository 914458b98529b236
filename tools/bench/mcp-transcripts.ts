/**
 * Transcript rendering benchmark: tickets of 1k, 10k and 50k messages rendered as Markdown, JSON
 * (Ticketeer shape) and HTML into a discarding sink, beside a plain JSON-lines writer over the same
 * message stream. Reports time (and its ratio to the plain writer) and the peak heap growth while
 * rendering. Targets: ≤ 1.5× the plain writer; memory flat in the number of messages (< 150 MB at 50k).
 * Loopback only; needs PostgreSQL (TEST_DATABASE_URL or postgres://postgres@127.0.0.1:5432/postgres).
 *   npx tsx tools/bench/mcp-transcripts.ts
 */
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../../src/db/connect.js';
import { createEngine, type Engine } from '../../src/engine/index.js';
import type { TicketData, TranscriptSource } from '../../src/mcp/transcript/types.js';
import { renderMarkdown } from '../../src/mcp/transcript/markdown.js';
import { renderJson } from '../../src/mcp/transcript/json.js';
import { renderHtml } from '../../src/mcp/transcript/html.js';
import { operatorActor } from '../../src/engine/actor.js';
import { createBenchDatabase, seedBenchGuild } from './bench-db.js';

const GUILD = '919722116696391721';
const GROUP = '673578029833227305';
const SIZES = [1000, 10_000, 50_000];

async function seedTicket(engine: Engine, messages: number): Promise<TicketData> {
  const t = await engine.tickets.create(operatorActor('601082144459178129'), { guild_id: GUILD, user_id: '849383430663776372', topic: `Bench ${messages}` });
  const db = engine.db;
  const base = Date.UTC(2030, 0, 1);
  for (let from = 0; from < messages; from += 2000) {
    const rows = [];
    const files = [];
    for (let i = from; i < Math.min(messages, from + 2000); i++) {
      const id = String(1_500_000_000_000_000_000n + BigInt(messages) * 1_000_000n + BigInt(i));
      const staff = i % 3 === 0;
      rows.push({
        id, ticket_id: t.id, guild_id: GUILD, channel_id: '1441604990945853500', in_notes: i % 50 === 49,
        author_id: staff ? '601082144459178129' : '849383430663776372', author_name: staff ? 'Sam Staff' : 'Olive Owner', author_avatar: null, author_bot: false,
        content: `Message ${i}: ${'the quick brown fox <jumps> over the lazy dog & friends. '.repeat(1 + (i % 4))}`,
        embeds: '[]', created_at: new Date(base + i * 1000),
      });
      if (i % 20 === 0) files.push({ id: `${id}1`.slice(0, 20), message_id: id, ticket_id: t.id, filename: `file-${i}.png`, content_type: 'image/png', size: 1000 + i, url: `https://cdn.example/${i}.png` });
    }
    await db.insertInto('messages').values(rows).execute();
    if (files.length) await db.insertInto('attachments').values(files).execute();
  }
  return await engine.tickets.get({ guild_id: GUILD, ticket: { ticket_id: t.id } }) as unknown as TicketData;
}

/** Time and peak heap growth of draining `chunks` into a sink that only counts bytes. */
async function drain(chunks: () => AsyncIterable<string>): Promise<{ ms: number; bytes: number; peak_heap_mb: number }> {
  (globalThis as { gc?: () => void }).gc?.();
  const before = process.memoryUsage().heapUsed;
  let peak = before;
  const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().heapUsed); }, 5);
  const t0 = performance.now();
  let bytes = 0;
  for await (const c of chunks()) { bytes += Buffer.byteLength(c); peak = Math.max(peak, process.memoryUsage().heapUsed); }
  const ms = performance.now() - t0;
  clearInterval(sampler);
  return { ms: Math.round(ms), bytes, peak_heap_mb: Math.round(((peak - before) / 1024 / 1024) * 10) / 10 };
}

export async function runMcpTranscriptsBench() {
  const benchDb = await createBenchDatabase('tb_bench_tr');
  const database = await openDatabase({ databaseUrl: benchDb.url });
  try {
    await seedBenchGuild(database.db, GUILD, GROUP);
    const engine = createEngine(database);
    const results: Record<string, unknown> = {};
    for (const size of SIZES) {
      const ticket = await seedTicket(engine, size);
      const source: TranscriptSource = {
        ticket, guild: { id: GUILD, name: 'Bench' }, locale: 'en',
        messages: (scope) => engine.transcripts.streamMessages(ticket.id, { batchSize: 500, scope }),
      };
      // The plain writer reads the same rows (both scopes, as the renderers do) and writes one JSON line each.
      const plain = await drain(async function* () {
        for (const scope of ['channel', 'notes'] as const) for await (const m of source.messages(scope)) yield `${JSON.stringify(m)}\n`;
      });
      const row: Record<string, unknown> = { plain_jsonl: plain };
      for (const [label, render] of [['markdown', renderMarkdown], ['json', renderJson], ['html', renderHtml]] as const) {
        const r = await drain(() => render(source));
        row[label] = { ...r, ratio_to_plain: Math.round((r.ms / Math.max(1, plain.ms)) * 100) / 100 };
      }
      results[`${size}_messages`] = row;
    }
    const worst = Math.max(...Object.values(results).flatMap((r) => ['markdown', 'json', 'html'].map((k) => ((r as Record<string, { ratio_to_plain: number }>)[k]?.ratio_to_plain ?? 0))));
    const peak = Math.max(...Object.values(results).flatMap((r) => ['markdown', 'json', 'html'].map((k) => ((r as Record<string, { peak_heap_mb: number }>)[k]?.peak_heap_mb ?? 0))));
    return { results, worst_ratio: worst, ratio_target: '≤ 1.5', peak_heap_mb: peak, memory_target: '< 150 MB at 50k, flat', met: worst <= 1.5 && peak < 150 };
  } finally {
    await database.close();
    await benchDb.drop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  runMcpTranscriptsBench().then((r) => { process.stdout.write(`${JSON.stringify(r, null, 2)}\n`); process.exit(0); }, (err: unknown) => { process.stderr.write(`${String((err as Error)?.stack ?? err)}\n`); process.exit(1); });
}
