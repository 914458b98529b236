/**
 * Sandbox benchmark: requests/s the Discord sandbox serves with rate limits off, so it is never the
 * bottleneck of our own benchmarks. Loopback only, bounded in time (default 3 s per scenario).
 *   npx tsx tools/bench/sandbox.ts [--seconds 3] [--connections 16]
 * Scenarios: GET /users/@me (routing + auth floor), GET 50 messages of history, POST a message
 * (validation, storage, one gateway dispatch to a connected raw gateway client). A bare node:http
 * server answering a constant JSON body is measured in the same run as the baseline (the ceiling
 * of any node:http server on this machine); `*_vs_bare` is the ratio. autocannon runs in a worker
 * thread so the load generator does not share the sandbox's event loop; each scenario is warmed up.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import WebSocket from 'ws';
import { startSandbox } from '../../src/sandbox/index.js';
import type { Sandbox } from '../../src/sandbox/index.js';

export interface SandboxBenchOptions {
  seconds?: number;
  connections?: number;
  log?: (line: string) => void;
}

function cannon(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(opts, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

/** A raw gateway session listening to every event, so POSTs pay for their dispatch. */
async function listen(sb: Sandbox): Promise<{ close: () => void; received: () => number }> {
  const ws = new WebSocket(`${sb.url.replace(/^http/, 'ws')}/gateway?v=10&encoding=json`);
  let n = 0;
  await new Promise<void>((resolve, reject) => {
    ws.once('error', reject);
    ws.once('close', (code) => reject(new Error(`gateway closed with ${code}`)));
    ws.on('message', (raw) => {
      const f = JSON.parse(String(raw)) as { op: number; t?: string };
      if (f.op === 10) ws.send(JSON.stringify({ op: 2, d: { token: sb.botToken, intents: (1 << 0) | (1 << 9) | (1 << 15), properties: {} } }));
      if (f.t === 'READY') resolve();
      if (f.t === 'MESSAGE_CREATE') n++;
    });
  });
  return { close: () => ws.close(1000), received: () => n };
}

export async function runSandboxBench(opts: SandboxBenchOptions = {}): Promise<Record<string, number>> {
  const seconds = opts.seconds ?? 3;
  const connections = opts.connections ?? 16;
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const sb = await startSandbox({ port: 0, host: '127.0.0.1', rateLimits: false });
  const gw = await listen(sb);
  try {
    const headers = { Authorization: `Bot ${sb.botToken}`, 'Content-Type': 'application/json' };
    const channel = sb.demo.generalChannelId;
    for (let i = 0; i < 100; i++) sb.actMessage({ user_id: sb.demo.customerUserId, channel_id: channel, content: `seed ${i}` });
    const base = { connections, duration: seconds, headers, workers: 1 };
    const out: Record<string, number> = {};
    const bare = http.createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"id":"1","username":"bare"}');
    });
    await new Promise<void>((r) => bare.listen(0, '127.0.0.1', () => r()));
    const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/`;
    await cannon({ ...base, url: bareUrl, duration: 1 });
    const bareRps = Math.round((await cannon({ ...base, url: bareUrl })).requests.average);
    await new Promise<void>((r) => bare.close(() => r()));
    out.bare_http_rps = bareRps;
    log(`bare node:http: ${bareRps} req/s`);
    const scenarios: [string, autocannon.Options][] = [
      ['get_me', { ...base, url: `${sb.apiUrl}/v10/users/@me` }],
      ['get_history_50', { ...base, url: `${sb.apiUrl}/v10/channels/${channel}/messages?limit=50` }],
      ['post_message', { ...base, url: `${sb.apiUrl}/v10/channels/${sb.demo.transcriptsChannelId}/messages`, method: 'POST', body: JSON.stringify({ content: 'bench message with <@849383430663776372>' }) }],
    ];
    for (const [name, o] of scenarios) {
      await cannon({ ...o, duration: 1 }); // warm-up: JIT and caches
      const r = await cannon(o);
      out[`${name}_rps`] = Math.round(r.requests.average);
      out[`${name}_p99_ms`] = r.latency.p99;
      out[`${name}_non2xx`] = r.non2xx + r.errors;
      out[`${name}_vs_bare`] = Number((r.requests.average / Math.max(1, bareRps)).toFixed(2));
      log(`sandbox ${name}: ${Math.round(r.requests.average)} req/s, p99 ${r.latency.p99} ms, non-2xx ${r.non2xx}, errors ${r.errors}`);
    }
    out.gateway_dispatches = gw.received();
    return out;
  } finally {
    gw.close();
    await sb.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const { values } = parseArgs({ options: { seconds: { type: 'string' }, connections: { type: 'string' } } });
  const figures = await runSandboxBench({
    seconds: values.seconds ? Number(values.seconds) : undefined,
    connections: values.connections ? Number(values.connections) : undefined,
  });
  process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
  process.exit(0);
}
