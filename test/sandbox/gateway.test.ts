import { once } from 'node:events';
import { ChannelType, Client, Events, GatewayIntentBits } from 'discord.js';
import type { Message } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Sandbox } from '../../src/sandbox/index.js';
import { api, login, obj, sandbox, waitFor } from './helpers.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await sandbox();
});
afterAll(async () => {
  await sb.close();
});

describe('discord.js logs in and its caches fill', () => {
  it('READY + GUILD_CREATE give the demo guild, channels, roles, members', async () => {
    const client = await login(sb);
    try {
      expect(client.user.id).toBe(sb.botUserId);
      expect(client.application.id).toBe(sb.applicationId);
      const guild = client.guilds.cache.get(sb.demo.guildId);
      expect(guild?.name).toBe('TicketBridge Demo');
      expect(guild?.available).toBe(true);
      const tickets = guild?.channels.cache.get(sb.demo.ticketsChannelId);
      expect(tickets?.type).toBe(ChannelType.GuildText);
      expect(tickets?.parentId).toBe(sb.demo.supportCategoryId);
      expect(guild?.channels.cache.get(sb.demo.forumChannelId)?.type).toBe(ChannelType.GuildForum);
      expect(guild?.channels.cache.get(sb.demo.supportCategoryId)?.type).toBe(ChannelType.GuildCategory);
      expect(guild?.roles.cache.get(sb.demo.staffRoleId)?.name).toBe('Support Staff');
      expect(guild?.roles.everyone.id).toBe(sb.demo.guildId);
      expect(guild?.members.cache.get(sb.demo.customerUserId)?.user.username).toBe('alice');
      // op 8 → GUILD_MEMBERS_CHUNK
      const members = await guild!.members.fetch();
      expect(members.size).toBe(sb.demo.userIds.length + 1);
      const found = await guild!.members.fetch({ query: 'sam', limit: 5 });
      expect([...found.keys()]).toEqual([sb.demo.staffUserId]);
    } finally {
      await client.destroy();
    }
  });

  it('a wrong token makes login() reject (401 on GET /gateway/bot)', async () => {
    const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: sb.apiUrl, version: '10' } });
    const err = await client.login('not.the.token').catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe('TokenInvalid');
    await client.destroy();
  });

  it('accepts every intent discord.js knows', async () => {
    const all = Object.values(GatewayIntentBits).filter((v): v is number => typeof v === 'number');
    const waiting = sb.waitForGateway(10_000);
    const client = await login(sb, all);
    expect(await waiting).toBe(true);
    await client.destroy();
  });

  it('REST mutations arrive as gateway events with increasing sequence numbers', async () => {
    const client = await login(sb);
    try {
      const created = waitFor<[Message]>(client, Events.MessageCreate, (m) => m.content === 'hello from REST');
      const channel = await client.channels.fetch(sb.demo.ticketsChannelId);
      if (!channel?.isSendable()) throw new Error('not sendable');
      await channel.send('hello from REST');
      const [msg] = await created;
      expect(msg.author.id).toBe(sb.botUserId);
    } finally {
      await client.destroy();
    }
  });
});

interface Frame {
  op: number;
  t?: string;
  s?: number;
  d: Record<string, unknown>;
}

async function rawGateway(intents: number): Promise<{ ws: WebSocket; frames: Frame[]; next: (t: string) => Promise<Frame> }> {
  const gw = obj((await api(sb, 'GET', '/gateway/bot')).body);
  const ws = new WebSocket(`${String(gw.url)}?v=10&encoding=json`);
  const frames: Frame[] = [];
  const waiters: { t: string; resolve: (f: Frame) => void }[] = [];
  ws.on('message', (raw) => {
    const f = JSON.parse(String(raw)) as Frame;
    frames.push(f);
    for (const w of [...waiters]) {
      if (w.t === f.t || (w.t === `op${f.op}` && f.t === undefined)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(f);
      }
    }
  });
  const next = (t: string): Promise<Frame> => {
    const seen = frames.find((f) => (f.t === t || (t === `op${f.op}` && !f.t)) && !(f as { used?: boolean }).used);
    if (seen) {
      (seen as { used?: boolean }).used = true;
      return Promise.resolve(seen);
    }
    return new Promise((resolve) => waiters.push({ t, resolve: (f) => ((f as { used?: boolean }).used = true, resolve(f)) }));
  };
  await once(ws, 'open');
  const hello = await next('op10');
  expect(hello.d.heartbeat_interval).toBeTypeOf('number');
  ws.send(JSON.stringify({ op: 2, d: { token: sb.botToken, intents, properties: { os: 'linux', browser: 'test', device: 'test' } } }));
  return { ws, frames, next };
}

describe('raw gateway protocol', () => {
  it('HELLO, heartbeat ACK, READY fields, GUILD_CREATE, increasing seq', async () => {
    const g = await rawGateway(GatewayIntentBits.Guilds | GatewayIntentBits.GuildMessages | GatewayIntentBits.MessageContent);
    try {
      const ready = await g.next('READY');
      expect(ready.d.session_id).toBeTypeOf('string');
      expect(String(ready.d.resume_gateway_url)).toMatch(/^ws:\/\//);
      expect(obj(ready.d.application).id).toBe(sb.applicationId);
      expect(obj(ready.d.user).id).toBe(sb.botUserId);
      const gc = await g.next('GUILD_CREATE');
      expect(gc.d.id).toBe(sb.demo.guildId);
      expect(Array.isArray(gc.d.channels)).toBe(true);
      g.ws.send(JSON.stringify({ op: 1, d: gc.s }));
      await g.next('op11');
      sb.actMessage({ user_id: sb.demo.customerUserId, channel_id: sb.demo.generalChannelId, content: 'one' });
      sb.actMessage({ user_id: sb.demo.customerUserId, channel_id: sb.demo.generalChannelId, content: 'two' });
      const m1 = await g.next('MESSAGE_CREATE');
      const m2 = await g.next('MESSAGE_CREATE');
      const seqs = g.frames.filter((f) => f.op === 0).map((f) => f.s ?? 0);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(new Set(seqs).size).toBe(seqs.length);
      expect(m1.d.content).toBe('one');
      expect(m2.d.content).toBe('two');
      expect(m1.d.guild_id).toBe(sb.demo.guildId);
    } finally {
      g.ws.close();
    }
  });

  it('filters events by intents and blanks content without MessageContent', async () => {
    // Guilds only: no MESSAGE_CREATE at all.
    const guildsOnly = await rawGateway(GatewayIntentBits.Guilds);
    // GuildMessages without MessageContent: content blanked except when the bot is mentioned.
    const noContent = await rawGateway(GatewayIntentBits.Guilds | GatewayIntentBits.GuildMessages);
    try {
      await guildsOnly.next('GUILD_CREATE');
      await noContent.next('GUILD_CREATE');
      sb.actMessage({ user_id: sb.demo.customerUserId, channel_id: sb.demo.generalChannelId, content: 'secret words' });
      sb.actMessage({ user_id: sb.demo.customerUserId, channel_id: sb.demo.generalChannelId, content: `hey <@${sb.botUserId}> help` });
      const a = await noContent.next('MESSAGE_CREATE');
      const b = await noContent.next('MESSAGE_CREATE');
      expect(a.d.content).toBe('');
      expect(a.d.embeds).toEqual([]);
      expect(b.d.content).toBe(`hey <@${sb.botUserId}> help`);
      // A channel event reaches both; by then guildsOnly would have seen any MESSAGE_CREATE.
      const channel = await api(sb, 'POST', `/guilds/${sb.demo.guildId}/channels`, { name: 'intent-probe' });
      expect(channel.status).toBe(201);
      await guildsOnly.next('CHANNEL_CREATE');
      expect(guildsOnly.frames.some((f) => f.t === 'MESSAGE_CREATE')).toBe(false);
    } finally {
      guildsOnly.ws.close();
      noContent.ws.close();
    }
  });

  it('rejects a bad token with close code 4004 and unknown opcodes with 4001', async () => {
    const gw = obj((await api(sb, 'GET', '/gateway/bot')).body);
    const ws = new WebSocket(`${String(gw.url)}?v=10&encoding=json`);
    await once(ws, 'open');
    ws.send(JSON.stringify({ op: 2, d: { token: 'nope', intents: 1, properties: {} } }));
    const [code] = (await once(ws, 'close')) as [number];
    expect(code).toBe(4004);
    const ws2 = new WebSocket(`${String(gw.url)}?v=10&encoding=json`);
    await once(ws2, 'open');
    ws2.send(JSON.stringify({ op: 99, d: null }));
    const [code2] = (await once(ws2, 'close')) as [number];
    expect(code2).toBe(4001);
  });
});

describe('reconnects', () => {
  it('op 7 makes discord.js resume (shardResume)', async () => {
    const client = await login(sb);
    try {
      const resumed = waitFor(client, Events.ShardResume);
      sb.addFault({ target: 'gateway', action: 'reconnect' });
      await resumed;
    } finally {
      await client.destroy();
    }
  });

  it('a dropped connection is resumed and the dispatch sent meanwhile is replayed', async () => {
    const client = await login(sb);
    try {
      const resumed = waitFor(client, Events.ShardResume);
      const got = waitFor<[Message]>(client, Events.MessageCreate, (m) => m.content === 'sent while dropped');
      let readyAgain = false;
      client.on(Events.ShardReady, () => (readyAgain = true));
      expect(sb.dropGatewayConnections()).toBeGreaterThanOrEqual(1);
      // The socket is gone; this dispatch can only arrive through RESUME's replay.
      sb.actMessage({ user_id: sb.demo.customerUserId, channel_id: sb.demo.generalChannelId, content: 'sent while dropped' });
      await resumed;
      const [m] = await got;
      expect(m.author.id).toBe(sb.demo.customerUserId);
      expect(readyAgain).toBe(false);
    } finally {
      await client.destroy();
    }
  });

  it('an invalidated session gets op 9 (not resumable) and a RESUME of it is refused', async () => {
    // raw client: discord.js would identify again, but only after its 5-second identify throttle
    const g = await rawGateway(GatewayIntentBits.Guilds);
    try {
      const ready = await g.next('READY');
      sb.addFault({ target: 'gateway', action: 'invalid_session' });
      const invalid = await g.next('op9');
      expect(invalid.d).toBe(false);
      const gw = obj((await api(sb, 'GET', '/gateway/bot')).body);
      const ws2 = new WebSocket(`${String(gw.url)}?v=10&encoding=json`);
      const frames: Frame[] = [];
      ws2.on('message', (raw) => frames.push(JSON.parse(String(raw)) as Frame));
      await once(ws2, 'open');
      ws2.send(JSON.stringify({ op: 6, d: { token: sb.botToken, session_id: ready.d.session_id, seq: 1 } }));
      await new Promise<void>((resolve) => ws2.on('message', () => frames.some((f) => f.op === 9) && resolve()));
      expect(frames.find((f) => f.op === 9)?.d).toBe(false);
      ws2.close();
    } finally {
      g.ws.close();
    }
  });
});

