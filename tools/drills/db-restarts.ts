/**
 * The database restart drill: a real `ticketbridge serve` on its own PostgreSQL server, restarted
 * (`pg_ctl restart -m fast`) again and again under mixed load:
 *   - REST (ticketbridge's own API): creates, reads, close/reopen transitions;
 *   - MCP over Streamable HTTP (the SDK client): get_ticket and list_tickets calls;
 *   - Discord: members write in ticket channels through the sandbox, which the gateway records.
 * It checks and prints: crashes (must be 0); answers that are neither a success nor a 503 in the
 * face's own shape (must be 0); acknowledged creates and transitions lost (must be 0); messages
 * accepted by Discord but missing from their transcript, or recorded twice (must be 0); for each
 * restart, how long after PostgreSQL accepted connections again the server answered /healthz ok
 * and both LISTEN connections (outbox, change feed) were back (must be < 5 s).
 *
 * The drill never touches the shared PostgreSQL on 5432: it makes a private cluster (initdb, as
 * the `postgres` system user when run as root) on a free port under a temporary directory, and
 * removes it at the end, whatever happens.
 *
 *   npm run build && npx tsx tools/drills/db-restarts.ts
 *   DRILL_RESTARTS=10 DRILL_LOAD_MS=3000       # the defaults: restarts, and load between two restarts
 * Prints a JSON report on stdout; exits 1 when a requirement does not hold.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { DEMO } from '../../src/sandbox/demo.js';

const RESTARTS = Number(process.env['DRILL_RESTARTS'] ?? 10);
const LOAD_MS = Number(process.env['DRILL_LOAD_MS'] ?? 3_000);
const TOKEN = 'db-restart-drill-admin-token-0123456789';
const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------- a private PostgreSQL cluster ----------
function pgBin(): string {
  const versions = readdirSync('/usr/lib/postgresql').sort();
  const v = versions[versions.length - 1];
  if (!v) throw new Error('no PostgreSQL binaries under /usr/lib/postgresql');
  return `/usr/lib/postgresql/${v}/bin`;
}
const asRoot = process.getuid?.() === 0;
function pgCtl(bin: string, args: string[]): void {
  const cmd = join(bin, args[0]!);
  const rest = args.slice(1);
  if (asRoot) execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...rest], { stdio: ['ignore', 'ignore', 'inherit'] });
  else execFileSync(cmd, rest, { stdio: ['ignore', 'ignore', 'inherit'] });
}
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

interface Cluster { dir: string; port: number; url: string; restart(): number; stop(): void }
async function startCluster(): Promise<Cluster> {
  const bin = pgBin();
  const dir = mkdtempSync(join(tmpdir(), 'tb-drill-pg-'));
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  const port = await freePort();
  pgCtl(bin, ['initdb', '-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  const start = () => pgCtl(bin, ['pg_ctl', '-D', data, '-o', opts, '-l', join(dir, 'log'), '-w', 'start']);
  start();
  return {
    dir, port, url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    // Returns when PostgreSQL accepts connections again (pg_ctl -w waits for that).
    restart: () => { pgCtl(bin, ['pg_ctl', '-D', data, '-o', opts, '-l', join(dir, 'log'), '-m', 'fast', '-w', 'restart']); return Date.now(); },
    stop: () => {
      try { pgCtl(bin, ['pg_ctl', '-D', data, '-m', 'immediate', '-w', 'stop']); } catch { /* already down */ }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ---------- the server ----------
async function startServer(databaseUrl: string): Promise<{ child: ChildProcess; url: string; stderr: () => string }> {
  const env: NodeJS.ProcessEnv = {
    ...process.env, DATABASE_URL: databaseUrl, PORT: '0', DATA_DIR: mkdtempSync(join(tmpdir(), 'tb-drill-data-')),
    LOG_LEVEL: 'warn', TICKETBRIDGE_ADMIN_TOKEN: TOKEN,
    // REST rate limits stay on (counted in the database, so they too meet the outage), set high enough
    // that the drill's own load never reaches them.
    TICKETBRIDGE_RATE_LIMIT_TOKEN: '1000000', TICKETBRIDGE_RATE_LIMIT_IP: '1000000',
  };
  delete env['DISCORD_TOKEN'];
  const child = spawn(process.execPath, ['--max-semi-space-size=64', resolve('dist/cli.js'), 'serve'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  const url = await new Promise<string>((res, rej) => {
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /ticketbridge listening on (\S+)/.exec(err);
      if (m?.[1]) res(m[1]);
    });
    child.once('exit', (code) => rej(new Error(`serve exited (${code}): ${err}`)));
  });
  return { child, url, stderr: () => err };
}

// ---------- the drill ----------
interface Tally { ok: number; unavailable: number; bad: string[] }
const tally = (): Tally => ({ ok: 0, unavailable: 0, bad: [] });

async function main(): Promise<number> {
  if (!existsSync('dist/cli.js')) throw new Error('run `npm run build` first');
  const cluster = await startCluster();
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  let crashed: string | null = null;
  try {
    // The schema is migrated by the server itself on start.
    server = await startServer(cluster.url);
    const srv = server;
    srv.child.on('exit', (code, signal) => { crashed = `exited with ${code ?? signal}`; });
    const base = srv.url;
    const health = await fetch(`${base}/healthz`).then((r) => r.json() as Promise<{ discord?: { url?: string } }>);
    const sandboxUrl = health.discord?.url ?? null;

    const rest = tally();
    const mcpT = tally();
    const gateway = { accepted: 0, refused: 0 };
    type Answer = { status: number; body: Record<string, unknown> };
    const failed = (e: unknown): Answer => ({ status: 0, body: { error: String(e) } });
    const post = async (op: string, body: unknown): Promise<Answer> => {
      const r = await fetch(`${base}/api/ticketbridge/v1/${op}`, { method: 'POST', headers, body: JSON.stringify(body) });
      return { status: r.status, body: await r.json() as Record<string, unknown> };
    };
    const judge = (t: Tally, what: string, r: { status: number; body: Record<string, unknown> }): boolean => {
      if (r.status >= 200 && r.status < 300) { t.ok++; return true; }
      const e = r.body['error'] as { code?: unknown; message?: unknown } | undefined;
      if (r.status === 503 && e?.code === 'unavailable' && /database is unavailable/.test(String(e.message))) t.unavailable++;
      else t.bad.push(`${what}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
      return false;
    };

    // Wait for the demo guild to be synced, then open the tickets the gateway load writes in.
    for (let i = 0; ; i++) {
      const r = await post('get_guild', { guild_id: DEMO.guildId });
      if (r.status === 200) break;
      if (i > 200) throw new Error(`demo guild never synced: ${JSON.stringify(r.body)}`);
      await sleep(100);
    }
    const acked = new Map<string, 'open' | 'closed'>();
    const chatTickets: Array<{ id: string; channel: string }> = [];
    for (let i = 0; i < 4; i++) {
      const t = await post('create_ticket', { guild_id: DEMO.guildId, user_id: DEMO.customerUserId, topic: `chat ${i}` });
      if (t.status !== 200) throw new Error(`setup create failed: ${JSON.stringify(t.body)}`);
      acked.set(String(t.body['id']), 'open');
      for (let j = 0; ; j++) {
        const g = await post('get_ticket', { guild_id: DEMO.guildId, ticket_id: t.body['id'] });
        const ch = g.body['channel_id'];
        if (typeof ch === 'string') { chatTickets.push({ id: String(t.body['id']), channel: ch }); break; }
        if (j > 200) throw new Error('a ticket channel never appeared');
        await sleep(50);
      }
    }

    const mcp = new Client({ name: 'db-restart-drill', version: '1.0.0' });
    await mcp.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { requestInit: { headers: { authorization: `Bearer ${TOKEN}` } } }));

    // Load: runs until `stop` is set; each loop awaits its own answers (bounded in flight).
    let stop = false;
    const sent = new Map<string, string>(); // content → ticket id, for every message Discord accepted
    let serial = 0;
    const restLoop = async (worker: number) => {
      while (!stop) {
        const c = await post('create_ticket', { guild_id: DEMO.guildId, user_id: DEMO.memberUserId, topic: `load ${worker}` }).catch(failed);
        if (judge(rest, 'create', c)) acked.set(String(c.body['id']), 'open');
        const ids = [...acked.keys()];
        const id = ids[Math.floor(Math.random() * ids.length)]!;
        judge(rest, 'get', await post('get_ticket', { guild_id: DEMO.guildId, ticket_id: id }).catch(failed));
        if (!chatTickets.some((t) => t.id === id)) {
          const state = acked.get(id);
          const op = state === 'open' ? 'close_ticket' : 'reopen_ticket';
          const r = await post(op, { guild_id: DEMO.guildId, ticket_id: id }).catch(failed);
          // A 409 (already in that state) is a right answer when an earlier attempt's answer was lost.
          if (r.status === 409) rest.ok++;
          else if (judge(rest, op, r)) acked.set(id, state === 'open' ? 'closed' : 'open');
        }
      }
    };
    const mcpLoop = async () => {
      while (!stop) {
        const ids = [...acked.keys()];
        const id = ids[Math.floor(Math.random() * ids.length)]!;
        for (const [name, args] of [['get_ticket', { guild_id: DEMO.guildId, ticket_id: id }], ['list_tickets', { guild_id: DEMO.guildId, per_page: 5 }]] as const) {
          try {
            const r = await mcp.callTool({ name, arguments: args });
            const text = JSON.stringify(r.content);
            if (!r.isError) mcpT.ok++;
            else if (/database is unavailable/.test(text)) mcpT.unavailable++;
            else mcpT.bad.push(`${name}: ${text.slice(0, 300)}`);
          } catch (e) { mcpT.bad.push(`${name} threw: ${String(e)}`); }
        }
      }
    };
    const gatewayLoop = async () => {
      while (!stop && sandboxUrl) {
        const t = chatTickets[serial % chatTickets.length]!;
        const content = `drill line ${serial++}`;
        const r = await fetch(`${sandboxUrl}/_sandbox/act/message`, {
          method: 'POST', headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ user_id: DEMO.customerUserId, channel_id: t.channel, content }),
        }).catch(() => null);
        if (r?.ok) { gateway.accepted++; sent.set(content, t.id); } else gateway.refused++;
        await sleep(20);
      }
    };
    const loops = [restLoop(0), restLoop(1), mcpLoop(), gatewayLoop()];

    const listenersUp = async (): Promise<boolean> => {
      const c = new pg.Client({ connectionString: cluster.url });
      try {
        await c.connect();
        const r = await c.query<{ application_name: string }>('SELECT application_name FROM pg_stat_activity');
        const names = r.rows.map((x) => x.application_name);
        return names.some((n) => n.endsWith('-feed')) && names.some((n) => n.endsWith('-outbox'));
      } catch { return false; } finally { await c.end().catch(() => {}); }
    };
    const recoveries: Array<{ restart: number; healthz_ms: number; listen_ms: number }> = [];
    for (let i = 1; i <= RESTARTS && !crashed; i++) {
      await sleep(LOAD_MS);
      const accepting = cluster.restart();
      let healthz = -1;
      let listen = -1;
      while ((healthz < 0 || listen < 0) && Date.now() - accepting < 30_000 && !crashed) {
        if (healthz < 0) {
          const h = await fetch(`${base}/healthz`).then((r) => r.status).catch(() => 0);
          if (h === 200) healthz = Date.now() - accepting;
        }
        if (listen < 0 && await listenersUp()) listen = Date.now() - accepting;
        await sleep(25);
      }
      recoveries.push({ restart: i, healthz_ms: healthz, listen_ms: listen });
      process.stderr.write(`restart ${i}: healthz ok after ${healthz} ms, LISTEN back after ${listen} ms\n`);
    }
    await sleep(LOAD_MS);
    stop = true;
    await Promise.all(loops);
    await mcp.close().catch(() => {});

    // Acknowledged writes: every ticket exists in the state last acknowledged.
    const lost: string[] = [];
    for (const [id, state] of acked) {
      const g = await post('get_ticket', { guild_id: DEMO.guildId, ticket_id: id });
      if (g.status !== 200) lost.push(`${id}: ${g.status}`);
      else if (g.body['status'] !== state) lost.push(`${id}: ${String(g.body['status'])}, acknowledged ${state}`);
    }
    // Messages: each line Discord accepted is in its transcript exactly once (the gateway retries
    // lines that arrived while the database was down; give it a moment to catch up).
    let missing: string[] = [];
    let doubled: string[] = [];
    for (let attempt = 0; attempt < 40; attempt++) {
      missing = []; doubled = [];
      for (const t of chatTickets) {
        const seen = new Map<string, number>();
        let cursor: string | undefined;
        do {
          const page = await post('list_transcript_messages', { guild_id: DEMO.guildId, ticket_id: t.id, limit: 500, ...(cursor ? { cursor } : {}) });
          for (const m of (page.body['messages'] as Array<{ content?: string }> | undefined) ?? []) {
            if (m.content) seen.set(m.content, (seen.get(m.content) ?? 0) + 1);
          }
          cursor = typeof page.body['next_cursor'] === 'string' ? page.body['next_cursor'] : undefined;
        } while (cursor);
        for (const [content, ticket] of sent) {
          if (ticket !== t.id) continue;
          const n = seen.get(content) ?? 0;
          if (n === 0) missing.push(content);
          if (n > 1) doubled.push(content);
        }
      }
      if (missing.length === 0) break;
      await sleep(250);
    }

    const slow = recoveries.filter((r) => r.healthz_ms < 0 || r.listen_ms < 0 || r.healthz_ms >= 5_000 || r.listen_ms >= 5_000);
    const report = {
      restarts: recoveries.length,
      crashes: crashed ? 1 : 0,
      crash: crashed,
      rest: { ok: rest.ok, unavailable_503: rest.unavailable, bad: rest.bad.length, examples: rest.bad.slice(0, 5) },
      mcp: { ok: mcpT.ok, unavailable_tool_errors: mcpT.unavailable, bad: mcpT.bad.length, examples: mcpT.bad.slice(0, 5) },
      gateway: { messages_accepted_by_discord: gateway.accepted, missing_from_transcript: missing.length, recorded_twice: doubled.length },
      acknowledged_writes: { tickets: acked.size, lost: lost.length, examples: lost.slice(0, 5) },
      recovery_ms: recoveries,
      max_recovery_ms: { healthz: Math.max(...recoveries.map((r) => r.healthz_ms)), listen: Math.max(...recoveries.map((r) => r.listen_ms)) },
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    const pass = !crashed && rest.bad.length === 0 && mcpT.bad.length === 0 && lost.length === 0 && missing.length === 0 && doubled.length === 0 && slow.length === 0;
    process.stderr.write(pass ? 'db-restarts drill: PASS\n' : 'db-restarts drill: FAIL\n');
    if (!pass && server) process.stderr.write(server.stderr().slice(-4000));
    return pass ? 0 : 1;
  } finally {
    if (server && server.child.exitCode === null) {
      const gone = new Promise((r) => server!.child.once('exit', r));
      server.child.kill('SIGTERM');
      await Promise.race([gone, sleep(10_000)]);
      server.child.kill('SIGKILL');
    }
    cluster.stop();
  }
}

main().then((code) => process.exit(code), (err: unknown) => { process.stderr.write(`${(err as Error).stack ?? String(err)}\n`); process.exit(1); });
