/**
 * The scale-out drill: a standalone sandbox (Discord's rate limits on) with 6 guilds, 2 on each of 3
 * gateway shards; 3 `ticketbridge serve` processes (dist/cli.js: run `npm run build` first) on one
 * fresh PostgreSQL database with the default lease settings, behind a small round-robin HTTP proxy
 * this drill starts; the processes reach Discord through a counting proxy, so every request to
 * Discord is seen. Then:
 *   - 300 REST creates through the proxy over the 6 guilds: one channel and one opening each;
 *   - 500 member messages across the tickets, with kill -9 of the process holding one shard half-way:
 *     the shard's takeover time, and every message recorded exactly once;
 *   - 100 slash commands (50 /ticket queue, 50 /ticket claim) and 100 clicks on the guilds' panel
 *     buttons (each opens a ticket), interleaved: each answered with exactly one callback, none with
 *     an error, one ticket per click;
 *   - Discord requests per second across the processes: the most within any second as the sandbox
 *     counts them (a sliding window on its clock) and per calendar second at the counting proxy;
 *     429s as a share of all requests;
 *   - gateway session starts under Discord's identify limit (max_concurrency 1): none refused;
 *   - a client's REST rate limit (Volvox: 30 per IP a minute) through the proxy: exactly 30 of 45 pass.
 *
 *   npm run build && npx tsx tools/drills/scale-out.ts
 *   DRILL_ADMIN_URL=postgres://postgres@127.0.0.1:5432/postgres (default) · DRILL_TICKETS=300 · DRILL_MESSAGES=500 · DRILL_INTERACTIONS=100
 * Prints each figure on stderr as it is measured and a JSON report on stdout; exits 1 when a check fails.
 */
import http from 'node:http';
import pg from 'pg';
import { pino } from 'pino';
import { openDatabase } from '../../src/db/connect.js';
import { shardOf, startSandbox, type CreatedGuild } from '../../src/sandbox/index.js';
import { listen, roundRobin } from '../bench/round-robin.js';
import { heldShards, serveProcess, stopProcess, until, type ServeProcess } from '../../test/support/serve-processes.js';

const ADMIN_TOKEN = 'drill-admin-token-0123456789abcdef';
const say = (line: string) => process.stderr.write(`${line}\n`);

/** Forwards to the sandbox (Host rewritten, so the gateway URL it hands out stays its own) and counts what the bot sends. */
function countingProxy(target: string) {
  const perSecond = new Map<number, number>();
  const stats = { requests: 0, s429: 0, global429: 0 };
  const t = new URL(target);
  const server = http.createServer((req, res) => {
    const authed = typeof req.headers.authorization === 'string';
    if (authed) {
      const s = Math.floor(Date.now() / 1000);
      perSecond.set(s, (perSecond.get(s) ?? 0) + 1);
    }
    stats.requests++;
    const up = http.request({ host: t.hostname, port: t.port, method: req.method, path: req.url, headers: { ...req.headers, host: t.host } }, (r) => {
      if (r.statusCode === 429) { stats.s429++; if (r.headers['x-ratelimit-global']) stats.global429++; }
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => { res.writeHead(502); res.end(); });
    req.pipe(up);
  });
  return { server, stats, peak: () => Math.max(0, ...perSecond.values()), perSecond };
}

async function pool<T, R>(items: T[], n: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let i = 0;
  await Promise.all(Array.from({ length: n }, async () => { for (let k = i++; k < items.length; k = i++) out[k] = await fn(items[k]!, k); }));
  return out;
}

export async function runScaleOutDrill() {
  const tickets = Number(process.env['DRILL_TICKETS'] ?? 300);
  const messages = Number(process.env['DRILL_MESSAGES'] ?? 500);
  const interactions = Number(process.env['DRILL_INTERACTIONS'] ?? 100);
  const adminUrl = process.env['DRILL_ADMIN_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const dbName = `tb_drill_scaleout_${process.pid}`;
  const logger = pino({ level: process.env['LOG_LEVEL'] ?? 'silent' }, pino.destination(2));
  // Interactions: a 10 s answer deadline instead of Discord's 3 s, for a machine shared with other work.
  const sandbox = await startSandbox({ rateLimits: true, logger, interactionDeadlineMs: 10_000 });
  sandbox.setSharding({ recommended_shards: 3 });
  const guilds: CreatedGuild[] = [0, 1, 2, 3, 4, 5].map((k) => sandbox.createGuild({ name: `Drill ${k}`, shard: [k % 3, 3] }));
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${dbName}`);
  await admin.query(`CREATE DATABASE ${dbName}`);
  const dbUrl = new URL(adminUrl);
  dbUrl.pathname = `/${dbName}`;
  const database = await openDatabase({ databaseUrl: dbUrl.toString() });
  const discordProxy = countingProxy(sandbox.url);
  const discordUrl = await listen(discordProxy.server);
  const procs: ServeProcess[] = [];
  const alive = () => procs.filter((p) => p.child.exitCode === null && !p.child.signalCode).map((p) => p.url);
  const lb = roundRobin(alive);
  const lbUrl = await listen(lb);
  const failures: string[] = [];
  const check = (ok: boolean, what: string) => { if (!ok) failures.push(what); };
  try {
    for (const name of ['a', 'b', 'c']) {
      procs.push(await serveProcess({ botToken: sandbox.botToken, apiUrl: `${discordUrl}/api` }, dbUrl.toString(), name, { TICKETBRIDGE_ADMIN_TOKEN: ADMIN_TOKEN }));
    }
    const t0 = Date.now();
    const layout = await until('one shard per process', async () => {
      const hs = await Promise.all(procs.map(heldShards));
      return hs.every((h) => h?.held.length === 1 && h.held[0]!.ready) ? hs : undefined;
    }, 120_000);
    say(`shards: ${layout.map((h, i) => `${procs[i]!.name}=${h!.held.map((s) => s.id).join(',')}`).join(' ')} (balanced ${Date.now() - t0} ms after the third process started)`);
    await until('guilds synced', () => (guilds.every((g) => sandbox.state().commands.some((c) => c.guild_id === g.guildId)) ? true : undefined), 60_000);

    // 300 REST creates through the load balancer.
    const rest = (path: string, body: unknown, headers: Record<string, string> = {}) => fetch(`${lbUrl}${path}`, {
      method: body === undefined ? 'GET' : 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    // A panel in each guild's #tickets (the guild's default group), posted by whichever process's worker claims it.
    const panelButtons = new Map<string, string>();
    for (const g of guilds) {
      const r = await rest('/api/ticketbridge/v1/create_panel', { guild_id: g.guildId, name: 'Help', channel_id: g.ticketsChannelId, group_id: null, title: 'Need help?' });
      if (!r.ok) throw new Error(`create_panel answered ${r.status}: ${await r.text()}`);
    }
    for (const g of guilds) {
      panelButtons.set(g.guildId, await until(`the panel of ${g.name}`, () => {
        const msgs = sandbox.state({ channel_id: g.ticketsChannelId }).messages as Array<{ components?: Array<{ components?: Array<{ custom_id?: string }> }> }>;
        return msgs.flatMap((m) => (m.components ?? []).flatMap((row) => (row.components ?? []).map((c) => c.custom_id))).find((id): id is string => typeof id === 'string');
      }, 60_000, 200));
    }

    const started = Date.now();
    const created = await pool(Array.from({ length: tickets }, (_, i) => guilds[i % guilds.length]!), 10, async (g) => {
      const r = await rest('/api/ticketbridge/v1/create_ticket', { guild_id: g.guildId, user_id: g.customerUserId });
      const body = await r.json() as { id?: string };
      if (!r.ok || !body.id) throw new Error(`create_ticket answered ${r.status}: ${JSON.stringify(body)}`);
      return { id: body.id, guild_id: g.guildId };
    });
    const createSeconds = (Date.now() - started) / 1000;
    const rows = await until('tickets opened', async () => {
      const rs = await database.db.selectFrom('tickets').select(['id', 'guild_id', 'number', 'channel_id', 'opening_message_id']).where('id', 'in', created.map((c) => c.id)).execute();
      return rs.every((r) => r.opening_message_id) ? rs : undefined;
    }, 600_000, 500);
    const openedSeconds = (Date.now() - started) / 1000;
    const state = sandbox.state();
    const oneEach = rows.filter((t) => {
      const name = `ticket-${String(t.number).padStart(4, '0')}`;
      const chans = state.channels.filter((c) => c.guild_id === t.guild_id && c.name === name);
      const openings = state.messages.filter((m) => m.channel_id === t.channel_id && JSON.stringify(m.components ?? []).includes('tb:claim:'));
      return chans.length === 1 && openings.length === 1;
    }).length;
    say(`REST creates: ${tickets} through the proxy in ${createSeconds.toFixed(1)} s (${(tickets / createSeconds).toFixed(1)}/s), all opened after ${openedSeconds.toFixed(1)} s; exactly one channel and one opening: ${oneEach}/${tickets}`);
    check(oneEach === tickets, 'every ticket has exactly one channel and one opening message');

    // 500 messages, kill -9 of shard 1's holder half-way.
    const victimIndex = layout.findIndex((h) => h!.held[0]!.id === 1);
    const victim = procs[victimIndex]!;
    const sent: string[] = [];
    let killedAt = 0;
    let takeoverMs: number | null = null;
    let gapMessages = 0;
    const takeover = (async () => {
      await until('the kill', () => (killedAt ? true : undefined), 600_000, 20);
      await until('shard 1 taken over', async () => {
        for (const p of procs) if (p !== victim && (await heldShards(p))?.held.some((h) => h.id === 1 && h.ready)) return true;
        return undefined;
      }, 60_000, 200);
      takeoverMs = Date.now() - killedAt;
    })();
    for (let i = 0; i < messages; i++) {
      const t = rows[i % rows.length]!;
      if (i === Math.floor(messages / 2)) {
        victim.child.kill('SIGKILL');
        killedAt = Date.now();
        say(`kill -9 of process ${victim.name} (held shard 1) after ${i} messages`);
      }
      const unheld = killedAt > 0 && takeoverMs === null && shardOf(t.guild_id, 3) === 1;
      const m = sandbox.actMessage({ user_id: sandbox.demo.customerUserId, channel_id: t.channel_id!, content: `drill message ${i}` }) as { id: string };
      sent.push(String(m.id));
      if (unheld) gapMessages++;
      await new Promise((r) => setTimeout(r, 40)); // about 25 a second, so the kill lands mid-stream
    }
    await takeover.catch((err: unknown) => failures.push(String(err)));
    say(`takeover: shard 1 running again ${takeoverMs ?? '—'} ms after the kill (lease 15 s, renewal 5 s); ${gapMessages} messages were written in its guilds meanwhile`);
    check(takeoverMs !== null && takeoverMs < 30_000, 'the killed process\'s shard is taken over within 30 s');
    const recordedCount = async () => (await database.db.selectFrom('messages').select((eb) => eb.fn.countAll<string>().as('n')).where('id', 'in', sent).executeTakeFirstOrThrow()).n;
    await until('messages recorded', async () => (Number(await recordedCount()) === sent.length ? true : undefined), 120_000, 500).catch(() => {});
    const recorded = Number(await recordedCount());
    const lines = await database.db.selectFrom('messages').select(['content']).where('content', 'like', 'drill message %').execute();
    const doubled = lines.length - new Set(lines.map((l) => l.content)).size;
    say(`messages: ${recorded}/${sent.length} recorded, ${doubled} doubled`);
    check(recorded === sent.length && doubled === 0, 'every message recorded exactly once');

    // 100 slash commands (half /ticket queue by the owner, half /ticket claim by staff in a ticket)
    // and 100 panel clicks (each opens a ticket), interleaved.
    const ticketsBefore = Number((await database.db.selectFrom('tickets').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
    const answers = await pool(Array.from({ length: 2 * interactions }, (_, i) => i), 4, async (i) => {
      // Even i: a command (k-th; queue and claim alternate, each spread over the guilds); odd i: a click.
      const k = Math.floor(i / 2);
      const kind = i % 2 === 1 ? 'click' : k % 2 === 1 ? 'claim' : 'queue';
      const g = guilds[(kind === 'click' ? k : Math.floor(k / 2)) % guilds.length]!;
      // Each claim on a ticket of its own.
      const t = rows.filter((r) => r.guild_id === g.guildId)[Math.floor(k / 2 / guilds.length)]!;
      const r = await sandbox.actInteraction(kind === 'claim'
        ? { user_id: g.staffUserId, channel_id: t.channel_id!, type: 'command', command: 'ticket claim', settle_ms: 15_000 }
        : kind === 'queue'
          ? { user_id: sandbox.demo.ownerId, channel_id: g.generalChannelId, type: 'command', command: 'ticket queue', settle_ms: 15_000 }
          : { user_id: k % 2 ? g.customerUserId : g.memberUserId, channel_id: g.ticketsChannelId, type: 'button', custom_id: panelButtons.get(g.guildId)!, settle_ms: 15_000 });
      const rec = sandbox.state().interactions.find((x) => x.id === r.interaction_id);
      return { kind, outcome: r.outcome, attempts: Number(rec?.callback_attempts ?? 0), text: String(r.message?.content ?? r.response?.data?.['content'] ?? '') };
    });
    const expected: Record<string, RegExp> = { queue: /waiting on staff|Nobody is waiting/, claim: /claimed this ticket/, click: /Your ticket #\d+ is (open|being opened)/ };
    const tally = (clicked: boolean) => {
      const mine = answers.filter((a) => (a.kind === 'click') === clicked);
      return { n: mine.length, once: mine.filter((a) => a.outcome === 'responded' && a.attempts === 1).length, errors: mine.filter((a) => !expected[a.kind]!.test(a.text)) };
    };
    const commands = tally(false);
    const clicks = tally(true);
    const ticketsAfter = Number((await database.db.selectFrom('tickets').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
    const callbacks = answers.reduce((n, a) => n + a.attempts, 0);
    say(`slash commands: ${commands.once}/${commands.n} answered with exactly one callback; ${commands.errors.length} answers not the expected text${commands.errors[0] ? ` (e.g. "${commands.errors[0].text.slice(0, 80)}")` : ''}`);
    say(`panel clicks: ${clicks.once}/${clicks.n} answered with exactly one callback; ${clicks.errors.length} answers not the expected text${clicks.errors[0] ? ` (e.g. "${clicks.errors[0].text.slice(0, 80)}")` : ''}; ${ticketsAfter - ticketsBefore} tickets opened by them; ${callbacks} callbacks for ${answers.length} interactions`);
    check(commands.once === commands.n && commands.errors.length === 0, 'every slash command answered exactly once, none with an error');
    check(clicks.once === clicks.n && clicks.errors.length === 0 && ticketsAfter - ticketsBefore === clicks.n, 'every panel click answered exactly once, none with an error, one ticket each');

    // Discord's limits across the three processes, for the whole run.
    const traffic = sandbox.traffic();
    const ratio429 = discordProxy.stats.s429 / Math.max(1, discordProxy.stats.requests);
    say(`Discord: ${discordProxy.stats.requests} requests (${traffic.bot_requests} with the bot token); most in any second as the sandbox counts them ${traffic.most_in_any_second}, most in one calendar second at the proxy ${discordProxy.peak()} (limit 50); 429s ${discordProxy.stats.s429} (${(ratio429 * 100).toFixed(2)}%: ${traffic.limited_global} global, ${traffic.limited_route} route)`);
    check(traffic.most_in_any_second <= 50 && discordProxy.peak() <= 50, 'never more than 50 Discord requests in any second');
    check(ratio429 < 0.01, '429s under 1% of Discord requests');
    // Discord's identify limit (max_concurrency 1, as most bots): the sandbox refuses a start too soon.
    const { identifies } = sandbox.state().gateway;
    say(`Gateway session starts: ${identifies.started}, ${identifies.refused} refused by the identify limit; smallest gap between two starts ${identifies.min_gap_ms ?? '—'} ms (limit 5,000)`);
    check(identifies.refused === 0, 'no session start refused by Discord\'s identify limit');
    let passed = 0;
    for (let i = 0; i < 45; i++) if ((await rest(`/api/v1/guilds/${guilds[0]!.guildId}/tickets`, undefined)).status === 200) passed++;
    say(`REST rate limit: ${passed} of 45 Volvox requests passed through the round-robin proxy over the processes (limit 30 per IP a minute)`);
    check(passed === 30, 'a client\'s REST rate limit holds across the processes');

    return {
      guilds: guilds.length + 1, shards: 3, processes: procs.length, tickets, messages: sent.length, interactions,
      creates_per_second: Number((tickets / createSeconds).toFixed(1)), all_opened_seconds: Number(openedSeconds.toFixed(1)),
      exactly_one_channel_and_opening: oneEach, takeover_ms: takeoverMs, messages_written_while_unheld: gapMessages,
      messages_recorded: recorded, messages_doubled: doubled,
      slash_commands_answered_once: commands.once, slash_command_errors: commands.errors.length,
      panel_clicks_answered_once: clicks.once, panel_click_errors: clicks.errors.length, tickets_opened_by_clicks: ticketsAfter - ticketsBefore,
      discord: { requests: discordProxy.stats.requests, bot_requests: traffic.bot_requests, most_in_any_second_sandbox: traffic.most_in_any_second, peak_calendar_second_proxy: discordProxy.peak(), s429: discordProxy.stats.s429, global429: traffic.limited_global, route429: traffic.limited_route, ratio429: Number(ratio429.toFixed(4)) },
      gateway_identifies: identifies,
      volvox_passed_of_45_limit_30: passed,
      failures, ok: failures.length === 0,
    };
  } finally {
    await Promise.all(procs.map((p) => stopProcess(p.child)));
    lb.close();
    discordProxy.server.close();
    discordProxy.server.closeAllConnections();
    await database.close();
    await sandbox.close();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => {});
    await admin.end();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const report = await runScaleOutDrill();
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  process.exit(report.ok ? 0 : 1);
}
