import { ChannelType, DiscordAPIError, Events, OverwriteType, PermissionFlagsBits } from 'discord.js';
import type { Client, GuildChannel, TextChannel } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { api, arr, login, obj, sandbox, waitFor } from './helpers.js';

let sb: Sandbox;
let client: Client<true>;
beforeAll(async () => {
  sb = await sandbox();
  client = await login(sb);
});
afterAll(async () => {
  await client.destroy();
  await sb.close();
});

const guild = () => client.guilds.cache.get(sb.demo.guildId)!;

async function apiError(p: Promise<unknown>): Promise<DiscordAPIError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  if (!(e instanceof DiscordAPIError)) throw new Error(`expected DiscordAPIError, got ${String(e)}`);
  return e;
}

describe('guild channels through discord.js', () => {
  it('creates a ticket channel with permission overwrites and emits CHANNEL_CREATE', async () => {
    const event = waitFor<[GuildChannel]>(client, Events.ChannelCreate, (c) => c.name === 'ticket-0001');
    const ch = await guild().channels.create({
      name: 'Ticket 0001',
      type: ChannelType.GuildText,
      parent: sb.demo.supportCategoryId,
      topic: 'Opened by alice',
      permissionOverwrites: [
        { id: sb.demo.guildId, deny: [PermissionFlagsBits.ViewChannel] },
        { id: sb.demo.customerUserId, type: OverwriteType.Member, allow: [PermissionFlagsBits.ViewChannel, PermissionFlagsBits.SendMessages] },
        { id: sb.demo.staffRoleId, allow: [PermissionFlagsBits.ViewChannel] },
      ],
    });
    expect(ch.name).toBe('ticket-0001'); // text channel names are normalised like Discord does
    expect(ch.parentId).toBe(sb.demo.supportCategoryId);
    expect(ch.topic).toBe('Opened by alice');
    const [evt] = await event;
    expect(evt.id).toBe(ch.id);
    expect(ch.permissionOverwrites.cache.get(sb.demo.customerUserId)?.allow.has(PermissionFlagsBits.SendMessages)).toBe(true);
    // The overwrites are real: another member cannot see the channel, the owner of the ticket can speak.
    expect(() => sb.actMessage({ user_id: sb.demo.memberUserId, channel_id: ch.id, content: 'hi' })).toThrow(/Missing Access/);
    expect(sb.actMessage({ user_id: sb.demo.customerUserId, channel_id: ch.id, content: 'hi' }).content).toBe('hi');
  });

  it('modifies a channel (name, topic, parent, overwrites) and emits CHANNEL_UPDATE', async () => {
    const ch = await guild().channels.create({ name: 'to-modify', parent: sb.demo.supportCategoryId });
    const updated = waitFor<[GuildChannel, GuildChannel]>(client, Events.ChannelUpdate, (_o, n) => n.id === ch.id && n.name === 'renamed');
    const edited = await ch.edit({ name: 'renamed', topic: 'new topic', parent: sb.demo.closedCategoryId, lockPermissions: false });
    await updated;
    expect(edited.name).toBe('renamed');
    expect((edited as TextChannel).topic).toBe('new topic');
    expect(edited.parentId).toBe(sb.demo.closedCategoryId);
    await ch.permissionOverwrites.set([{ id: sb.demo.customerUserId, allow: [PermissionFlagsBits.ViewChannel] }]);
    const state = sb.state();
    const rec = state.channels.find((c) => c.id === ch.id);
    expect(arr(rec?.permission_overwrites)).toEqual([{ id: sb.demo.customerUserId, type: 1, allow: String(PermissionFlagsBits.ViewChannel), deny: '0' }]);
  });

  it('edits and deletes a single permission overwrite (204, CHANNEL_UPDATE)', async () => {
    const ch = (await guild().channels.create({ name: 'overwrites' })) as TextChannel;
    const updated = waitFor<[GuildChannel, GuildChannel]>(client, Events.ChannelUpdate, (_o, n) => n.id === ch.id && n.permissionOverwrites.cache.has(sb.demo.memberUserId));
    await ch.permissionOverwrites.edit(sb.demo.memberUserId, { ViewChannel: true, SendMessages: false });
    await updated;
    const ow = ch.permissionOverwrites.cache.get(sb.demo.memberUserId);
    expect(ow?.allow.has(PermissionFlagsBits.ViewChannel)).toBe(true);
    expect(ow?.deny.has(PermissionFlagsBits.SendMessages)).toBe(true);
    await ch.permissionOverwrites.delete(sb.demo.memberUserId);
    expect(sb.state().channels.find((c) => c.id === ch.id)?.permission_overwrites).toEqual([]);
    // raw: PUT answers 204 without a content type
    const put = await api(sb, 'PUT', `/channels/${ch.id}/permissions/${sb.demo.staffRoleId}`, { type: 0, allow: '1024', deny: '0' });
    expect(put.status).toBe(204);
    expect(put.headers.get('content-type')).toBeNull();
    expect(put.text).toBe('');
  });

  it('deletes a channel and emits CHANNEL_DELETE; then 10003', async () => {
    const ch = await guild().channels.create({ name: 'doomed' });
    const deleted = waitFor<[GuildChannel]>(client, Events.ChannelDelete, (c) => c.id === ch.id);
    await ch.delete();
    await deleted;
    const e = await apiError(client.channels.fetch(ch.id, { force: true }));
    expect(e.code).toBe(10003);
    expect(e.status).toBe(404);
  });
});

describe('limits and permissions', () => {
  it('names must be 1–100 characters (50035 with field errors)', async () => {
    const e = await apiError(guild().channels.create({ name: 'x'.repeat(101) }));
    expect(e.code).toBe(50035);
    const raw = await api(sb, 'POST', `/guilds/${sb.demo.guildId}/channels`, { name: '' });
    expect(raw.status).toBe(400);
    expect(obj(raw.body).errors).toEqual({ name: { _errors: [{ code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 100 in length.' }] } });
    const missing = await api(sb, 'POST', `/guilds/${sb.demo.guildId}/channels`, {});
    expect(obj(missing.body).errors).toEqual({ name: { _errors: [{ code: 'BASE_TYPE_REQUIRED', message: 'This field is required' }] } });
  });

  it('names with a term Discord keeps off Server Discovery are refused on create and rename (50035 on name)', async () => {
    const refused = { name: { _errors: [{ code: 'INVALID_COMMUNITY_PROPERTY_NAME', message: 'Contains words not allowed for servers in Server Discovery.' }] } };
    const made = await api(sb, 'POST', `/guilds/${sb.demo.guildId}/channels`, { name: 'ticket-1488' });
    expect(made.status).toBe(400);
    expect(obj(made.body)).toMatchObject({ code: 50035, errors: refused });
    const ok = await guild().channels.create({ name: 'ticket-1487' });
    const e = await apiError(ok.setName('ticket-1488'));
    expect(e.code).toBe(50035);
    expect(sb.state().channels.find((c) => c.id === ok.id)?.name).toBe('ticket-1487');
    const thread = await api(sb, 'POST', `/channels/${ok.id}/threads`, { name: 'notes-1488', type: 12 });
    expect(obj(thread.body)).toMatchObject({ code: 50035, errors: refused });
  });

  it('a category holds at most 50 channels', async () => {
    const cat = await guild().channels.create({ name: 'Full category', type: ChannelType.GuildCategory });
    for (let i = 0; i < 50; i++) {
      const r = await api(sb, 'POST', `/guilds/${sb.demo.guildId}/channels`, { name: `c${i}`, parent_id: cat.id });
      expect(r.status).toBe(201);
    }
    const e = await apiError(guild().channels.create({ name: 'one-too-many', parent: cat.id }));
    expect(e.code).toBe(50035);
    expect(e.rawError).toMatchObject({ errors: { parent_id: { _errors: [{ code: 'CHANNEL_PARENT_MAX_CHANNELS' }] } } });
  });

  it('a guild holds at most 500 channels (30013)', async () => {
    const have = sb.state().channels.filter((c) => c.guild_id === sb.demo.guildId).length;
    for (let i = have; i < 500; i++) {
      const r = await api(sb, 'POST', `/guilds/${sb.demo.guildId}/channels`, { name: `fill-${i}` });
      expect(r.status).toBe(201);
    }
    const e = await apiError(guild().channels.create({ name: 'five-hundred-and-one' }));
    expect(e.code).toBe(30013);
    // make room again for the other tests in this file
    const fillers = sb.state().channels.filter((c) => String(c.name).startsWith('fill-'));
    for (const c of fillers) expect((await api(sb, 'DELETE', `/channels/${String(c.id)}`)).status).toBe(200);
  });

  it('without ManageChannels the bot gets 50013; without ViewChannel 50001', async () => {
    const role = sb.state().guilds[0]!.roles as { id: string; permissions: string }[];
    const botRole = role.find((r) => r.id === sb.demo.botRoleId)!;
    const full = BigInt(botRole.permissions);
    sb.updateRole(sb.demo.botRoleId, { permissions: String(full & ~PermissionFlagsBits.ManageChannels) });
    try {
      const e = await apiError(guild().channels.create({ name: 'nope' }));
      expect(e.code).toBe(50013);
      expect(e.status).toBe(403);
      const e2 = await apiError(guild().channels.cache.get(sb.demo.generalChannelId)!.edit({ name: 'nope' }));
      expect(e2.code).toBe(50013);
    } finally {
      sb.updateRole(sb.demo.botRoleId, { permissions: String(full) });
    }
    // Hide a channel from the bot with a member overwrite: 50001 Missing Access.
    const hidden = await guild().channels.create({
      name: 'hidden',
      permissionOverwrites: [{ id: sb.botUserId, type: OverwriteType.Member, deny: [PermissionFlagsBits.ViewChannel] }],
    });
    const e3 = await api(sb, 'GET', `/channels/${hidden.id}/messages`);
    expect(e3.status).toBe(403);
    expect(obj(e3.body).code).toBe(50001);
    // Overwrites may only grant what the bot has itself.
    const e4 = await api(sb, 'POST', `/guilds/${sb.demo.guildId}/channels`, {
      name: 'grant-admin',
      permission_overwrites: [{ id: sb.demo.customerUserId, type: 1, allow: String(PermissionFlagsBits.Administrator) }],
    });
    expect(obj(e4.body).code).toBe(50013);
  });

  it('unknown guild, channel and member give 10004, 10003, 10007', async () => {
    expect(obj((await api(sb, 'GET', '/guilds/123456789012345678')).body).code).toBe(10004);
    expect(obj((await api(sb, 'GET', '/channels/123456789012345678')).body).code).toBe(10003);
    expect(obj((await api(sb, 'GET', `/guilds/${sb.demo.guildId}/members/123456789012345678`)).body).code).toBe(10007);
    const e = await apiError(guild().members.fetch({ user: '123456789012345678', force: true }));
    expect(e.code).toBe(10007);
  });
});
