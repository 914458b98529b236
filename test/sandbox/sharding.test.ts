// The sandbox shards like Discord: a session identified with shard [id, count] hears only the guilds
// with (guild_id >> 22) % count == id; GET /gateway/bot recommends a count the control API sets;
// 4010 for an invalid shard, 4011 when an unsharded bot is in too many guilds; POST /_sandbox/guilds
// makes more guilds like the demo one. Through discord.js's own shard options and a raw socket.
import { once } from 'node:events';
import { ChannelType, Client, Events, GatewayIntentBits, type Message } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { shardOf, type CreatedGuild, type Sandbox } from '../../src/sandbox/index.js';
import { ALL_INTENTS, api, arr, control, obj, sandbox, waitFor } from './helpers.js';

let sb: Sandbox;
const guilds: CreatedGuild[] = [];
beforeAll(async () => {
  sb = await sandbox();
  for (const k of [0, 1, 2]) guilds.push(sb.createGuild({ name: `Shard ${k} guild`, shard: [k, 3] }));
});
afterAll(async () => {
  await sb.close();
});

async function shardClient(id: number | 'auto', count?: number): Promise<Client<true>> {
  const client = new Client({
    intents: ALL_INTENTS,
    rest: { api: sb.apiUrl, version: '10' },
    ...(id === 'auto' ? { shards: 'auto' as const } : { shards: [id], shardCount: count ?? 1 }),
  });
  const ready = once(client, Events.ClientReady);
  await client.login(sb.botToken);
  await ready;
  return client as Client<true>;
}

describe('POST /_sandbox/guilds', () => {
  it('creates a guild laid out like the demo one, on the shard asked for', async () => {
    const r = await control(sb, 'POST', '/guilds', { name: 'Extra', shard: [1, 4] });
    expect(r.status).toBe(201);
    const g = obj(r.body);
    expect(shardOf(String(g.guildId), 4)).toBe(1);
    const state = sb.state();
    const channels = state.channels.filter((c) => c.guild_id === g.guildId);
    expect(channels.map((c) => c.name).sort()).toEqual(['Closed tickets', 'Support', 'general', 'help-forum', 'tickets', 'transcripts']);
    expect(channels.find((c) => c.id === g.ticketsChannelId)?.parent_id).toBe(g.supportCategoryId);
    const members = state.members.filter((m) => m.guild_id === g.guildId);
    expect(members.map((m) => obj(m.user).id)).toContain(sb.botUserId);
    expect(members.find((m) => obj(m.user).id === sb.demo.staffUserId)?.roles).toEqual([g.staffRoleId]);
    // The bot can act there as in the demo guild: a REST read of its roles.
    const roles = arr((await api(sb, 'GET', `/guilds/${String(g.guildId)}/roles`)).body);
    expect(roles.map((x) => x.name)).toEqual(expect.arrayContaining(['@everyone', 'Support Staff', 'TicketBridge', 'Admin']));
  });

  it('refuses a shard id outside the count, with Discord\'s error shape', async () => {
    const r = await control(sb, 'POST', '/guilds', { shard: [3, 3] });
    expect(r.status).toBe(400);
    expect(obj(r.body).code).toBe(50035);
  });
});

describe('discord.js with shards', () => {
  it('each shard hears only its guilds: GUILD_CREATE, messages and interactions', async () => {
    const clients = [await shardClient(0, 3), await shardClient(1, 3), await shardClient(2, 3)];
    try {
      const all = sb.state().guilds.map((g) => String(g.id));
      clients.forEach((c, k) => {
        expect([...c.guilds.cache.keys()].sort()).toEqual(all.filter((id) => shardOf(id, 3) === k).sort());
      });
      const heard: Record<number, string[]> = { 0: [], 1: [], 2: [] };
      clients.forEach((c, k) => c.on(Events.MessageCreate, (m: Message) => heard[k]!.push(m.content)));
      // One message per guild, in order; each shard has seen its last message only after the earlier ones.
      for (const [k, g] of guilds.entries()) sb.actMessage({ user_id: g.customerUserId, channel_id: g.generalChannelId, content: `to shard ${k}` });
      await Promise.all(clients.map((c, k) => (heard[k]!.includes(`to shard ${k}`) ? null : waitFor(c, Events.MessageCreate, (m: Message) => m.content === `to shard ${k}`))));
      const barrier = guilds.map((g, k) => waitFor(clients[k]!, Events.MessageCreate, (m: Message) => m.content === 'barrier'));
      for (const g of guilds) sb.actMessage({ user_id: g.customerUserId, channel_id: g.generalChannelId, content: 'barrier' });
      await Promise.all(barrier);
      expect(heard).toEqual({ 0: ['to shard 0', 'barrier'], 1: ['to shard 1', 'barrier'], 2: ['to shard 2', 'barrier'] });

      // A slash command in the shard-2 guild: only shard 2's client sees it, so it is answered once.
      await clients[2]!.application.commands.create({ name: 'ping', description: 'Ping' }, guilds[2]!.guildId);
      for (const c of clients) c.on(Events.InteractionCreate, (i) => { if (i.isChatInputCommand()) void i.reply(`pong from shard ${c.ws.shards.first()!.id}`).catch(() => {}); });
      const r = await sb.actInteraction({ user_id: sb.demo.customerUserId, channel_id: guilds[2]!.generalChannelId, type: 'command', command: 'ping' });
      expect(r.outcome).toBe('responded');
      expect(obj(r.response?.data).content).toBe('pong from shard 2');
      const rec = sb.state().interactions.find((i) => i.id === r.interaction_id);
      expect(rec?.callback_attempts).toBe(1);
    } finally {
      await Promise.all(clients.map((c) => c.destroy()));
    }
  });

  it('a guild created while connected reaches the shard that owns it', async () => {
    const clients = [await shardClient(0, 2), await shardClient(1, 2)];
    try {
      const joined = waitFor(clients[1]!, Events.GuildCreate);
      const other = new Promise<string>((resolve) => clients[0]!.once(Events.GuildCreate, (g) => resolve(g.id)));
      const g = sb.createGuild({ name: 'Late', shard: [1, 2] });
      const [guild] = await joined;
      expect(guild.id).toBe(g.guildId);
      expect(guild.channels.cache.get(g.ticketsChannelId)?.type).toBe(ChannelType.GuildText);
      // Shard 0 hears nothing of it; its next guild is its own.
      const own = sb.createGuild({ name: 'For shard 0', shard: [0, 2] });
      expect(await other).toBe(own.guildId);
    } finally {
      await Promise.all(clients.map((c) => c.destroy()));
    }
  });

  it("GET /gateway/bot recommends the count the control API sets, and shards: 'auto' follows it", async () => {
    expect(obj((await api(sb, 'GET', '/gateway/bot')).body).shards).toBe(1);
    const set = await control(sb, 'PATCH', '/gateway', { recommended_shards: 2 });
    expect(set.status).toBe(200);
    expect(obj((await api(sb, 'GET', '/gateway/bot')).body).shards).toBe(2);
    // discord.js identifies its shards 5 s apart (max_concurrency 1), as with Discord.
    const client = await shardClient('auto');
    try {
      expect(client.ws.shards.size).toBe(2);
      expect(client.guilds.cache.size).toBe(sb.state().guilds.length);
      expect(sb.state().gateway.shards.filter((s) => s.connected).map((s) => s.shard).sort()).toEqual([[0, 2], [1, 2]]);
    } finally {
      await client.destroy();
      await control(sb, 'PATCH', '/gateway', { recommended_shards: null });
    }
  }, 20_000);
});

describe('raw IDENTIFY', () => {
  async function identify(shard: unknown): Promise<{ code: number | null; ready: Record<string, unknown> | null; invalidSession?: boolean }> {
    const gw = obj((await api(sb, 'GET', '/gateway/bot')).body);
    const ws = new WebSocket(`${String(gw.url)}?v=10&encoding=json`);
    return new Promise((resolve) => {
      ws.on('message', (raw) => {
        const f = JSON.parse(String(raw)) as { op: number; t?: string; d: Record<string, unknown> };
        if (f.op === 10) ws.send(JSON.stringify({ op: 2, d: { token: sb.botToken, intents: GatewayIntentBits.Guilds, properties: {}, ...(shard === undefined ? {} : { shard }) } }));
        if (f.t === 'READY') { ws.close(1000); resolve({ code: null, ready: f.d }); }
        if (f.op === 9) { ws.close(1000); resolve({ code: null, ready: null, invalidSession: true }); }
      });
      ws.on('close', (code) => resolve({ code, ready: null }));
    });
  }

  it('closes with 4010 for an invalid shard', async () => {
    for (const bad of [[3, 3], [-1, 2], [0, 0], 'x', [1]]) expect((await identify(bad)).code).toBe(4010);
  });

  it('closes with 4011 when a bot in more guilds than the threshold identifies unsharded', async () => {
    const count = sb.state().guilds.length;
    await control(sb, 'PATCH', '/gateway', { max_guilds_per_session: count - 1 });
    try {
      expect((await identify(undefined)).code).toBe(4011);
      expect((await identify([0, 1])).code).toBe(4011);
      const ok = await identify([1, 2]);
      expect(ok.code).toBeNull();
      expect(ok.ready?.shard).toEqual([1, 2]);
      const listed = arr(ok.ready?.guilds).map((g) => String(g.id));
      expect(listed.length).toBeGreaterThan(0);
      expect(listed.every((id) => shardOf(id, 2) === 1)).toBe(true);
    } finally {
      await control(sb, 'PATCH', '/gateway', { max_guilds_per_session: 2500 });
    }
  });

  it("refuses a bucket's second session start within 5 s with op 9, as Discord does, and starts another bucket at once", async () => {
    await control(sb, 'PATCH', '/gateway', { identify_limit: true, max_concurrency: 2 });
    try {
      const before = sb.state().gateway.identifies;
      const limit = obj(obj((await api(sb, 'GET', '/gateway/bot')).body).session_start_limit);
      expect(limit.max_concurrency).toBe(2);
      expect((await identify([0, 2])).ready?.shard).toEqual([0, 2]);
      expect((await identify([1, 2])).ready?.shard).toEqual([1, 2]);
      const again = await identify([0, 2]);
      expect(again.invalidSession).toBe(true);
      expect(again.ready).toBeNull();
      const after = sb.state().gateway.identifies;
      expect(after.refused - before.refused).toBe(1);
      expect(after.started - before.started).toBe(2);
      const remaining = obj(obj((await api(sb, 'GET', '/gateway/bot')).body).session_start_limit).remaining;
      expect(remaining).toBe(Number(limit.remaining) - 2);
    } finally {
      await control(sb, 'PATCH', '/gateway', { identify_limit: false, max_concurrency: 1 });
    }
  });
});
