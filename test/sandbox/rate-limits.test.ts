import { DiscordAPIError, HTTPError, REST, RESTEvents, RateLimitError } from 'discord.js';
import type { Client, RateLimitData, TextChannel } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { RateLimiter } from '../../src/sandbox/rate-limits.js';
import { route } from '../../src/sandbox/router.js';
import { api, control, login, obj, sandbox } from './helpers.js';

describe('rate limits as Discord sends them (raw HTTP)', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await sandbox({ rateLimits: true });
  });
  afterAll(async () => {
    await sb.close();
  });

  it('every bucketed answer carries X-RateLimit-* headers', async () => {
    const r = await api(sb, 'GET', `/channels/${sb.demo.generalChannelId}`);
    expect(r.status).toBe(200);
    for (const h of ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset', 'x-ratelimit-reset-after', 'x-ratelimit-bucket']) {
      expect(r.headers.get(h), h).toBeTruthy();
    }
  });

  it('a per-route bucket (5 messages / 5 s per channel) answers 429 with retry_after and Retry-After', async () => {
    const statuses: number[] = [];
    let last = null as Awaited<ReturnType<typeof api>> | null;
    for (let i = 0; i < 6; i++) {
      last = await api(sb, 'POST', `/channels/${sb.demo.generalChannelId}/messages`, { content: `burst ${i}` });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    expect(last!.headers.get('retry-after')).toBeTruthy();
    expect(last!.headers.get('x-ratelimit-scope')).toBe('user');
    expect(last!.headers.get('x-ratelimit-remaining')).toBe('0');
    const body = obj(last!.body);
    expect(body.global).toBe(false);
    expect(body.retry_after).toBeGreaterThan(0);
    expect(body.message).toBe('You are being rate limited.');
    // another channel has its own bucket
    expect((await api(sb, 'POST', `/channels/${sb.demo.transcriptsChannelId}/messages`, { content: 'other' })).status).toBe(200);
  });

  it('the global limit is 50 requests per second per token', async () => {
    // its own sandbox: an exhausted global window would spill into the other tests.
    // Requests go out in concurrent batches until one is refused, so a slow machine cannot
    // spread them so thin that no second holds more than 50.
    const own = await sandbox({ rateLimits: true });
    try {
      let limited: Awaited<ReturnType<typeof api>> | undefined;
      let sent = 0;
      while (!limited && sent < 2_000) {
        const batch = await Promise.all(Array.from({ length: 100 }, () => api(own, 'GET', '/users/@me')));
        sent += batch.length;
        limited = batch.find((r) => r.status === 429);
      }
      expect(limited).toBeDefined();
      const g = limited!;
      expect(g.headers.get('x-ratelimit-global')).toBe('true');
      expect(g.headers.get('x-ratelimit-scope')).toBe('global');
      expect(Number(g.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(obj(g.body).global).toBe(true);
      expect(obj(g.body).retry_after).toBeGreaterThan(0);
    } finally {
      await own.close();
    }
  });

  it('the global window counts exactly 50 per second (fake clock)', () => {
    const limiter = new RateLimiter(true);
    const def = route('GET', '/users/@me', () => ({ status: 200 }));
    const req = { method: 'GET', path: '/users/@me', route: def.pattern, params: {}, query: new URLSearchParams(), headers: {}, body: undefined, files: [] };
    const t0 = 1_000_000;
    for (let i = 0; i < 50; i++) expect(limiter.check(def, req, 'tok', t0 + i).limited).toBeNull();
    const refused = limiter.check(def, req, 'tok', t0 + 500);
    expect(refused.limited).toMatchObject({ global: true, scope: 'global' });
    expect(refused.limited?.retryAfter).toBeCloseTo(0.5, 3);
    expect(limiter.check(def, req, 'other-token', t0 + 500).limited).toBeNull();
    expect(limiter.check(def, req, 'tok', t0 + 1_000).limited).toBeNull();
    // callbacks of interactions do not count towards the global limit
    const callback = route('POST', '/interactions/:interaction_id/:token/callback', () => ({ status: 204 }), { auth: false, global: false });
    expect(limiter.check(callback, { ...req, params: { interaction_id: '1' } }, 'tok', t0 + 500).limited).toBeNull();
  });

  it('channel name/topic edits: 2 per 10 minutes per channel', async () => {
    const ch = obj((await api(sb, 'POST', `/guilds/${sb.demo.guildId}/channels`, { name: 'rename-me' })).body);
    const id = String(ch.id);
    expect((await api(sb, 'PATCH', `/channels/${id}`, { name: 'first' })).status).toBe(200);
    expect((await api(sb, 'PATCH', `/channels/${id}`, { topic: 'second' })).status).toBe(200);
    const third = await api(sb, 'PATCH', `/channels/${id}`, { name: 'third' });
    expect(third.status).toBe(429);
    const retry = Number(obj(third.body).retry_after);
    expect(retry).toBeGreaterThan(590);
    expect(retry).toBeLessThanOrEqual(600);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(590);
    // other edits of the same channel are not held back
    expect((await api(sb, 'PATCH', `/channels/${id}`, { nsfw: true })).status).toBe(200);
  });
});

describe('rateLimits: false', () => {
  it('sends no rate-limit headers and never answers 429 on its own', async () => {
    const sb = await sandbox({ rateLimits: false });
    try {
      const all = await Promise.all(Array.from({ length: 80 }, (_, i) => api(sb, 'POST', `/channels/${sb.demo.generalChannelId}/messages`, { content: `n${i}` })));
      expect(all.every((r) => r.status === 200)).toBe(true);
      expect(all[0]!.headers.get('x-ratelimit-limit')).toBeNull();
    } finally {
      await sb.close();
    }
  });
});

describe('discord.js rate-limit and retry machinery', () => {
  let sb: Sandbox;
  let client: Client<true>;
  let channel: TextChannel;
  const events: RateLimitData[] = [];
  beforeAll(async () => {
    sb = await sandbox({ rateLimits: true });
    client = await login(sb, undefined, { retries: 2, timeout: 1_000 });
    client.rest.on(RESTEvents.RateLimited, (d) => events.push(d));
    channel = client.channels.cache.get(sb.demo.generalChannelId) as TextChannel;
  });
  afterAll(async () => {
    await client.destroy();
    await sb.close();
  });

  it('a bucket 429 makes discord.js wait (rateLimited) and retry', async () => {
    events.length = 0;
    sb.addFault({ route: '/channels/:id/messages', method: 'POST', status: 429, retry_after: 0.3 });
    const t0 = Date.now();
    const m = await channel.send('after a bucket 429');
    expect(m.content).toBe('after a bucket 429');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(280);
    expect(events.some((e) => !e.global && e.route.includes('/channels/:id/messages'))).toBe(true);
    expect(sb.faults()).toHaveLength(0);
  });

  it('a global 429 pauses every queue (rateLimited global) and retries', async () => {
    events.length = 0;
    const r = await control(sb, 'POST', '/faults', { route: `/channels/${sb.demo.generalChannelId}`, method: 'GET', status: 429, global: true, retry_after: 0.3 });
    expect(r.status).toBe(201);
    const fetched = await client.channels.fetch(sb.demo.generalChannelId, { force: true });
    expect(fetched?.id).toBe(sb.demo.generalChannelId);
    expect(events.some((e) => e.global)).toBe(true);
  });

  it('a shared-scope 429 is waited out and retried', async () => {
    sb.addFault({ route: '/users/:id', status: 429, scope: 'shared', retry_after: 0.2 });
    const u = await client.users.fetch(sb.demo.customerUserId, { force: true });
    expect(u.username).toBe('alice');
  });

  it('real bucket exhaustion: discord.js reads the headers and queues (messages delete 5/s)', async () => {
    events.length = 0;
    const msgs = [];
    for (let i = 0; i < 7; i++) msgs.push(String(sb.actMessage({ user_id: sb.demo.staffUserId, channel_id: sb.demo.transcriptsChannelId, content: `d${i}` }).id));
    const tr = client.channels.cache.get(sb.demo.transcriptsChannelId) as TextChannel;
    await Promise.all(msgs.map((id) => tr.messages.delete(id)));
    expect(events.some((e) => e.route.includes('/messages/:id'))).toBe(true);
  });

  it('5xx answers are retried; past `retries` discord.js gives up with HTTPError', async () => {
    sb.addFault({ route: '/guilds/:id', method: 'GET', status: 500, count: 2 });
    const g = await client.guilds.fetch({ guild: sb.demo.guildId, force: true });
    expect(g.id).toBe(sb.demo.guildId);
    sb.addFault({ route: '/guilds/:id', method: 'GET', status: 502, count: 3 });
    const e = await client.guilds.fetch({ guild: sb.demo.guildId, force: true }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(HTTPError);
    expect((e as HTTPError).status).toBe(502);
    sb.clearFaults();
  });

  it('a hung request times out and is retried', async () => {
    sb.addFault({ route: '/users/@me', method: 'GET', delay_ms: 5_000, count: 1 });
    const t0 = Date.now();
    const me = await client.rest.get('/users/@me');
    expect(obj(me).id).toBe(sb.botUserId);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
  });

  it('the rename sublimit reaches discord.js as a sublimit 429 (rejectOnRateLimit shows it)', async () => {
    const rest = new REST({ api: sb.apiUrl, version: '10', rejectOnRateLimit: ['/channels'] }).setToken(sb.botToken);
    const ch = obj(await rest.post(`/guilds/${sb.demo.guildId}/channels`, { body: { name: 'djs-rename' } }));
    const route = `/channels/${String(ch.id)}` as const;
    await rest.patch(route, { body: { name: 'one' } });
    await rest.patch(route, { body: { name: 'two' } });
    const e = await rest.patch(route, { body: { name: 'three' } }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(RateLimitError);
    expect((e as RateLimitError).sublimitTimeout).toBeGreaterThan(590_000);
    expect((e as RateLimitError).global).toBe(false);
  });

  it('4xx are not retried: DiscordAPIError with the code', async () => {
    const e = await client.channels.fetch('123456789012345678').catch((err: unknown) => err);
    expect(e).toBeInstanceOf(DiscordAPIError);
    expect((e as DiscordAPIError).code).toBe(10003);
  });
});
