// Every REST mutation emits its gateway event: a raw gateway client with every intent watches a
// sequence of mutations made through REST and sees the matching dispatch for each.
import { once } from 'node:events';
import { GatewayIntentBits as I } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Sandbox } from '../../src/sandbox/index.js';
import { api, obj, sandbox } from './helpers.js';

const ALL = I.Guilds | I.GuildMembers | I.GuildWebhooks | I.GuildMessages | I.GuildMessageTyping | I.MessageContent | I.DirectMessages;

let sb: Sandbox;
let ws: WebSocket;
const seen: { t: string; d: Record<string, unknown> }[] = [];
let notify: (() => void) | null = null;

beforeAll(async () => {
  sb = await sandbox();
  const gw = obj((await api(sb, 'GET', '/gateway/bot')).body);
  ws = new WebSocket(`${String(gw.url)}?v=10&encoding=json`);
  ws.on('message', (raw) => {
    const f = JSON.parse(String(raw)) as { op: number; t?: string; d: Record<string, unknown> };
    if (f.op === 0 && f.t) {
      seen.push({ t: f.t, d: f.d });
      notify?.();
    }
  });
  await once(ws, 'open');
  ws.send(JSON.stringify({ op: 2, d: { token: sb.botToken, intents: ALL, properties: {} } }));
  await next('GUILD_CREATE');
});
afterAll(async () => {
  ws.close(1000);
  await sb.close();
});

/** The next dispatch of type `t` not yet consumed. */
async function next(t: string, pred: (d: Record<string, unknown>) => boolean = () => true): Promise<Record<string, unknown>> {
  for (;;) {
    const i = seen.findIndex((e) => e.t === t && pred(e.d));
    if (i >= 0) return seen.splice(i, 1)[0]!.d;
    await new Promise<void>((r) => (notify = r));
  }
}

describe('REST mutation → gateway event', () => {
  it('channels, overwrites, messages, threads, roles, members, webhooks', async () => {
    const g = sb.demo.guildId;
    const ch = obj((await api(sb, 'POST', `/guilds/${g}/channels`, { name: 'events' })).body);
    const cid = String(ch.id);
    expect((await next('CHANNEL_CREATE', (d) => d.id === cid)).name).toBe('events');
    await api(sb, 'PATCH', `/channels/${cid}`, { topic: 't' });
    expect((await next('CHANNEL_UPDATE', (d) => d.id === cid)).topic).toBe('t');
    await api(sb, 'PUT', `/channels/${cid}/permissions/${sb.demo.customerUserId}`, { type: 1, allow: '1024' });
    await next('CHANNEL_UPDATE', (d) => d.id === cid);
    await api(sb, 'DELETE', `/channels/${cid}/permissions/${sb.demo.customerUserId}`);
    await next('CHANNEL_UPDATE', (d) => d.id === cid);

    const m = obj((await api(sb, 'POST', `/channels/${cid}/messages`, { content: 'a' })).body);
    await next('MESSAGE_CREATE', (d) => d.id === m.id);
    await api(sb, 'PATCH', `/channels/${cid}/messages/${String(m.id)}`, { content: 'b' });
    expect((await next('MESSAGE_UPDATE', (d) => d.id === m.id)).content).toBe('b');
    await api(sb, 'POST', `/channels/${cid}/typing`);
    await next('TYPING_START', (d) => d.channel_id === cid);
    const m2 = obj((await api(sb, 'POST', `/channels/${cid}/messages`, { content: 'c' })).body);
    const m3 = obj((await api(sb, 'POST', `/channels/${cid}/messages`, { content: 'd' })).body);
    await api(sb, 'POST', `/channels/${cid}/messages/bulk-delete`, { messages: [m2.id, m3.id] });
    expect((await next('MESSAGE_DELETE_BULK', (d) => d.channel_id === cid)).ids).toEqual([m2.id, m3.id]);
    await api(sb, 'DELETE', `/channels/${cid}/messages/${String(m.id)}`);
    await next('MESSAGE_DELETE', (d) => d.id === m.id);

    const t = obj((await api(sb, 'POST', `/channels/${cid}/threads`, { name: 'th', type: 12 })).body);
    const tid = String(t.id);
    expect((await next('THREAD_CREATE', (d) => d.id === tid)).newly_created).toBe(true);
    await api(sb, 'PUT', `/channels/${tid}/thread-members/${sb.demo.customerUserId}`);
    await next('THREAD_MEMBERS_UPDATE', (d) => d.id === tid);
    await api(sb, 'DELETE', `/channels/${tid}/thread-members/${sb.demo.customerUserId}`);
    expect((await next('THREAD_MEMBERS_UPDATE', (d) => d.id === tid)).removed_member_ids).toEqual([sb.demo.customerUserId]);
    await api(sb, 'PATCH', `/channels/${tid}`, { archived: true });
    await next('THREAD_UPDATE', (d) => d.id === tid);
    await api(sb, 'DELETE', `/channels/${tid}`);
    await next('THREAD_DELETE', (d) => d.id === tid);

    const role = obj((await api(sb, 'POST', `/guilds/${g}/roles`, { name: 'VIP' })).body);
    await next('GUILD_ROLE_CREATE', (d) => obj(d.role).id === role.id);
    await api(sb, 'PATCH', `/guilds/${g}/roles/${String(role.id)}`, { name: 'VIP+' });
    await next('GUILD_ROLE_UPDATE', (d) => obj(d.role).name === 'VIP+');
    await api(sb, 'PUT', `/guilds/${g}/members/${sb.demo.customerUserId}/roles/${String(role.id)}`);
    await next('GUILD_MEMBER_UPDATE', (d) => (d.roles as string[]).includes(String(role.id)));
    await api(sb, 'PATCH', `/guilds/${g}/members/${sb.demo.customerUserId}`, { nick: 'Ali' });
    expect((await next('GUILD_MEMBER_UPDATE', (d) => d.nick === 'Ali')).guild_id).toBe(g);
    await api(sb, 'DELETE', `/guilds/${g}/roles/${String(role.id)}`);
    await next('GUILD_ROLE_DELETE', (d) => d.role_id === role.id);

    await api(sb, 'POST', `/channels/${cid}/webhooks`, { name: 'hook' });
    await next('WEBHOOKS_UPDATE', (d) => d.channel_id === cid);

    await api(sb, 'DELETE', `/guilds/${g}/members/958372614409273344`);
    await next('GUILD_MEMBER_REMOVE', (d) => obj(d.user).id === '958372614409273344');

    await api(sb, 'DELETE', `/channels/${cid}`);
    await next('CHANNEL_DELETE', (d) => d.id === cid);
  });
});
