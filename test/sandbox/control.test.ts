import { request } from 'node:http';
import { Events } from 'discord.js';
import type { Message } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Sandbox } from '../../src/sandbox/index.js';
import { api, arr, control, login, obj, sandbox, waitFor } from './helpers.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await sandbox();
});
afterAll(async () => {
  await sb.close();
});

describe('the demo guild', () => {
  it('uses the seed documents’ example ids, deterministically', async () => {
    const other = await sandbox();
    try {
      expect(other.demo).toEqual(sb.demo);
      expect(other.botToken).toBe(sb.botToken);
    } finally {
      await other.close();
    }
    expect(sb.demo.guildId).toBe('919722116696391721');
    expect(sb.demo.ticketsChannelId).toBe('1441604990945853500');
    for (const id of ['849383430663776372', '601082144459178129', '1305908865287852092']) expect(sb.demo.userIds).toContain(id);
    const st = obj((await control(sb, 'GET', '/state')).body);
    const channels = arr(st.channels);
    const byId = (id: string) => channels.find((c) => c.id === id);
    expect(byId(sb.demo.ticketsChannelId)).toMatchObject({ type: 0, name: 'tickets', parent_id: sb.demo.supportCategoryId });
    expect(byId(sb.demo.supportCategoryId)).toMatchObject({ type: 4 });
    expect(byId(sb.demo.transcriptsChannelId)).toMatchObject({ type: 0 });
    expect(byId(sb.demo.forumChannelId)).toMatchObject({ type: 15 });
    const guild = arr(st.guilds)[0]!;
    const roleNames = arr(guild.roles).map((r) => r.name);
    expect(roleNames).toEqual(expect.arrayContaining(['Support Staff', 'Admin', 'TicketBridge']));
    const names = arr(st.members).map((m) => obj(m.user).username);
    expect(names).toEqual(expect.arrayContaining(['alice', 'sam.support', 'casey']));
    // documented requests work verbatim
    const ch = await api(sb, 'GET', '/channels/1441604990945853500');
    expect(obj(ch.body).guild_id).toBe('919722116696391721');
  });
});

describe('control API over HTTP', () => {
  it('GET /_sandbox describes the sandbox; GET /_sandbox/state holds the whole state', async () => {
    const info = obj((await control(sb, 'GET', '')).body);
    expect(info.bot_token).toBe(sb.botToken);
    expect(obj(info.demo).guildId).toBe(sb.demo.guildId);
    const st = obj((await control(sb, 'GET', '/state')).body);
    for (const k of ['guilds', 'channels', 'threads', 'messages', 'members', 'webhooks', 'commands', 'users', 'interactions', 'faults', 'gateway']) {
      expect(st, k).toHaveProperty(k);
    }
    expect(arr(arr(st.channels).find((c) => c.id === sb.demo.ticketsChannelId)?.permission_overwrites).length).toBeGreaterThan(0);
  });

  it('POST /_sandbox/act/message: a user speaks; the bot sees it', async () => {
    const client = await login(sb);
    try {
      const seen = waitFor<[Message]>(client, Events.MessageCreate, (m) => m.content === 'Hello from Alice');
      const r = await control(sb, 'POST', '/act/message', { user_id: sb.demo.customerUserId, channel_id: sb.demo.generalChannelId, content: 'Hello from Alice' });
      expect(r.status).toBe(200);
      const [m] = await seen;
      expect(m.id).toBe(obj(r.body).id);
      expect(m.member?.id).toBe(sb.demo.customerUserId);
      const withFile = await control(sb, 'POST', '/act/message', {
        user_id: sb.demo.customerUserId,
        channel_id: sb.demo.generalChannelId,
        content: 'log attached',
        attachments: [{ filename: 'log.txt', content: 'line 1' }],
      });
      const att = arr(obj(withFile.body).attachments)[0]!;
      expect(await (await fetch(String(att.url))).text()).toBe('line 1');
      const filtered = obj((await control(sb, 'GET', `/state?channel_id=${sb.demo.generalChannelId}`)).body);
      expect(arr(filtered.messages).every((x) => x.channel_id === sb.demo.generalChannelId)).toBe(true);
    } finally {
      await client.destroy();
    }
  });

  it('act endpoints answer Discord-shaped errors', async () => {
    const bad = await control(sb, 'POST', '/act/message', { user_id: 'x', content: 1 });
    expect(bad.status).toBe(400);
    expect(obj(bad.body).code).toBe(50035);
    expect(obj(obj(bad.body).errors)).toHaveProperty('user_id');
    const unknownUser = await control(sb, 'POST', '/act/message', { user_id: '123456789012345678', channel_id: sb.demo.generalChannelId, content: 'x' });
    expect(obj(unknownUser.body).code).toBe(10013);
    const noBot = await control(sb, 'POST', '/act/interaction', { user_id: sb.demo.customerUserId, channel_id: sb.demo.generalChannelId, type: 'button', custom_id: 'x' });
    expect(noBot.status).toBe(409);
    const leaveUnknown = await control(sb, 'POST', '/act/leave', { user_id: '123456789012345678' });
    expect(obj(leaveUnknown.body).code).toBe(10007);
    const wrongMethod = await control(sb, 'GET', '/act/message');
    expect(wrongMethod.status).toBe(405);
    const nowhere = await control(sb, 'GET', '/nowhere');
    expect(nowhere.status).toBe(404);
    const badJson = await fetch(`${sb.url}/_sandbox/act/message`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{' });
    expect(badJson.status).toBe(400);
    expect(((await badJson.json()) as { code: number }).code).toBe(50109);
  });

  it('POST/GET/DELETE /_sandbox/faults', async () => {
    const add = await control(sb, 'POST', '/faults', { route: '/users/@me', status: 503, count: 2 });
    expect(add.status).toBe(201);
    expect(arr((await control(sb, 'GET', '/faults')).body)).toHaveLength(1);
    expect((await api(sb, 'GET', '/users/@me')).status).toBe(503);
    const cleared = await control(sb, 'DELETE', '/faults');
    expect(obj(cleared.body).cleared).toBe(1);
    expect((await api(sb, 'GET', '/users/@me')).status).toBe(200);
    const invalid = await control(sb, 'POST', '/faults', { route: '/users/@me' });
    expect(invalid.status).toBe(400);
    const client = await login(sb);
    try {
      const resumed = waitFor(client, Events.ShardResume);
      const drop = await control(sb, 'POST', '/faults', { target: 'gateway', action: 'drop' });
      expect(obj(obj(drop.body).gateway)).toMatchObject({ action: 'drop' });
      await resumed;
    } finally {
      await client.destroy();
    }
    const wildcard = await control(sb, 'POST', '/faults', { route: '/channels/*/messages', method: 'get', status: 500 });
    expect(wildcard.status).toBe(201);
    expect((await api(sb, 'GET', `/channels/${sb.demo.generalChannelId}/messages`)).status).toBe(500);
    expect((await api(sb, 'GET', `/channels/${sb.demo.generalChannelId}/messages`)).status).toBe(200);
  });
});

describe('reset', () => {
  it('POST /_sandbox/reset restores the demo guild', async () => {
    const own = await sandbox();
    try {
      const ch = await api(own, 'POST', `/guilds/${own.demo.guildId}/channels`, { name: 'temporary' });
      own.actMessage({ user_id: own.demo.customerUserId, channel_id: own.demo.generalChannelId, content: 'to be forgotten' });
      own.addFault({ route: '/users/@me', status: 500 });
      const before = own.state().channels.length;
      expect((await control(own, 'POST', '/reset')).status).toBe(200);
      const after = own.state();
      expect(after.channels.length).toBe(before - 1);
      expect(after.channels.some((c) => c.id === obj(ch.body).id)).toBe(false);
      expect(after.messages).toHaveLength(0);
      expect(after.faults).toHaveLength(0);
      expect((await api(own, 'GET', '/users/@me')).status).toBe(200);
    } finally {
      await own.close();
    }
  });
});

describe('robustness: malformed requests never crash the server', () => {
  function rawHttp(method: string, path: string, headers: Record<string, string>, body?: string): Promise<number> {
    const u = new URL(sb.url);
    return new Promise((resolve, reject) => {
      const req = request({ host: u.hostname, port: u.port, method, path, headers }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      if (body !== undefined) req.write(body);
      req.end();
    });
  }

  it('answers garbage with 4xx and keeps serving', async () => {
    const auth = { Authorization: `Bot ${sb.botToken}` };
    expect(await rawHttp('POST', `/api/v10/channels/${sb.demo.generalChannelId}/messages`, { ...auth, 'Content-Type': 'multipart/form-data; boundary=zzz' }, 'not multipart at all')).toBe(400);
    expect(await rawHttp('GET', '/api/v10/channels/%E0%A4%A', auth)).toBe(404);
    expect(await rawHttp('GET', '/api/v7/users/@me', auth)).toBe(400);
    expect(await rawHttp('BREW', '/api/v10/users/@me', auth)).toBeGreaterThanOrEqual(400);
    expect(await rawHttp('POST', `/api/v10/channels/${sb.demo.generalChannelId}/messages`, { ...auth, 'Content-Type': 'application/json' }, 'null')).toBe(400);
    expect(await rawHttp('POST', `/api/v10/channels/${sb.demo.generalChannelId}/messages`, { ...auth, 'Content-Type': 'application/json' }, '"just a string"')).toBe(400);
    expect(await rawHttp('PUT', `/api/v10/channels/${sb.demo.generalChannelId}/permissions/abc`, { ...auth, 'Content-Type': 'application/json' }, '{"type":0}')).toBe(404);
    expect(await rawHttp('PATCH', `/api/v10/channels/${sb.demo.generalChannelId}`, { ...auth, 'Content-Type': 'application/json' }, '{"permission_overwrites":[{"id":"x"}]}')).toBe(400);
    expect(await rawHttp('POST', `/api/v10/interactions/1/2/callback`, { 'Content-Type': 'application/json' }, '{"type":4}')).toBe(404);
    // the gateway too: garbage frames close the socket, the server stays up
    const ws = new WebSocket(`${sb.url.replace('http', 'ws')}/gateway?v=10&encoding=json`);
    await new Promise((r) => ws.once('open', r));
    ws.send('}{ not json');
    const code = await new Promise<number>((r) => ws.once('close', (c: number) => r(c)));
    expect(code).toBe(4002);
    expect((await api(sb, 'GET', '/users/@me')).status).toBe(200);
  });
});
