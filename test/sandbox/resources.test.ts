import { ApplicationCommandOptionType, Events, PermissionFlagsBits, WebhookClient } from 'discord.js';
import type { Client, ForumChannel, GuildMember, Message, PartialGuildMember, TextChannel } from 'discord.js';
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

describe('webhooks', () => {
  it('creates a webhook and executes it with username, avatar_url and wait=true', async () => {
    const channel = client.channels.cache.get(sb.demo.transcriptsChannelId) as TextChannel;
    const updated = waitFor(client, Events.WebhooksUpdate);
    const hook = await channel.createWebhook({ name: 'Transcripts' });
    await updated;
    expect(hook.token).toBeTruthy();
    const wc = new WebhookClient({ id: hook.id, token: hook.token! }, { rest: { api: sb.apiUrl, version: '10' } });
    try {
      const created = waitFor<[Message]>(client, Events.MessageCreate, (m) => m.webhookId === hook.id);
      const sent = await wc.send({ content: 'Transcript for #ticket-1', username: 'Alice (relayed)', avatarURL: 'https://example.com/a.png' });
      expect(sent.id).toBeTruthy();
      expect(sent.author.username).toBe('Alice (relayed)');
      const [m] = await created;
      expect(m.author.bot).toBe(true);
      expect(sb.state().messages.find((x) => x.id === sent.id)?.avatar_url).toBe('https://example.com/a.png');
      const edited = await wc.editMessage(sent.id, { content: 'edited' });
      expect(edited.content).toBe('edited');
      // without wait=true: 204 and no content type
      const raw = await fetch(`${sb.apiUrl}/v10/webhooks/${hook.id}/${hook.token}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ content: 'fire and forget' }),
      });
      expect(raw.status).toBe(204);
      expect(raw.headers.get('content-type')).toBeNull();
      const wrongToken = await api(sb, 'POST', `/webhooks/${hook.id}/nope?wait=true`, { content: 'x' }, { auth: false });
      expect(obj(wrongToken.body).code).toBe(50027);
    } finally {
      wc.destroy();
    }
    const list = await channel.fetchWebhooks();
    expect(list.has(hook.id)).toBe(true);
    await hook.delete();
    expect(obj((await api(sb, 'GET', `/webhooks/${hook.id}`)).body).code).toBe(10015);
  });

  it('executes into a thread (thread_id) and creates forum posts (thread_name)', async () => {
    const forum = client.channels.cache.get(sb.demo.forumChannelId) as ForumChannel;
    const hook = await forum.createWebhook({ name: 'Relay' });
    const wc = new WebhookClient({ id: hook.id, token: hook.token! }, { rest: { api: sb.apiUrl, version: '10' } });
    try {
      const post = await wc.send({ content: 'first post', threadName: 'Relayed ticket', appliedTags: [sb.demo.forumTags.waiting] });
      const thread = sb.state().threads.find((t) => t.id === post.channel_id);
      expect(thread?.name).toBe('Relayed ticket');
      expect(thread?.applied_tags).toEqual([sb.demo.forumTags.waiting]);
      const inThread = await wc.send({ content: 'second', threadId: post.channel_id });
      expect(inThread.channel_id).toBe(post.channel_id);
      const noThread = await api(sb, 'POST', `/webhooks/${hook.id}/${hook.token}?wait=true`, { content: 'x' }, { auth: false });
      expect(obj(noThread.body).code).toBe(220001);
    } finally {
      wc.destroy();
    }
  });
});

describe('guild, roles, emojis, members, users', () => {
  it('fetches the guild with counts, roles, emojis, members, users', async () => {
    const guild = await client.guilds.fetch({ guild: sb.demo.guildId, withCounts: true, force: true });
    expect(guild.approximateMemberCount).toBe(sb.demo.userIds.length + 1);
    const roles = await guild.roles.fetch();
    expect(roles.get(sb.demo.adminRoleId)?.permissions.has(PermissionFlagsBits.Administrator)).toBe(true);
    const emojis = await guild.emojis.fetch();
    expect(emojis.map((e) => e.name).sort()).toEqual(['lock', 'ticket']);
    const member = await guild.members.fetch({ user: sb.demo.staffUserId, force: true });
    expect(member.roles.cache.has(sb.demo.staffRoleId)).toBe(true);
    const listed = await api(sb, 'GET', `/guilds/${sb.demo.guildId}/members?limit=1000`);
    expect(arr(listed.body)).toHaveLength(sb.demo.userIds.length + 1);
    const page = await api(sb, 'GET', `/guilds/${sb.demo.guildId}/members?limit=2&after=0`);
    expect(arr(page.body)).toHaveLength(2);
    const user = await client.users.fetch(sb.demo.customerUserId, { force: true });
    expect(user.username).toBe('alice');
    const channels = await guild.channels.fetch();
    expect(channels.has(sb.demo.ticketsChannelId)).toBe(true);
    expect(obj((await api(sb, 'GET', '/users/123456789012345678')).body).code).toBe(10013);
  });

  it('member role changes and leaves emit GUILD_MEMBER_UPDATE / GUILD_MEMBER_REMOVE', async () => {
    const guild = client.guilds.cache.get(sb.demo.guildId)!;
    const member = await guild.members.fetch(sb.demo.customerUserId);
    const upd = waitFor<[GuildMember | PartialGuildMember, GuildMember]>(client, Events.GuildMemberUpdate, (_o, n) => n.id === member.id);
    await member.roles.add(sb.demo.staffRoleId);
    await upd;
    expect(member.roles.cache.has(sb.demo.staffRoleId)).toBe(true);
    await member.roles.remove(sb.demo.staffRoleId);
    const removed = waitFor<[GuildMember | PartialGuildMember]>(client, Events.GuildMemberRemove, (m) => m.id === sb.demo.secondStaffUserId);
    const res = await fetch(`${sb.url}/_sandbox/act/leave`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ user_id: sb.demo.secondStaffUserId }) });
    expect(res.status).toBe(200);
    await removed;
    expect(sb.state().members.some((m) => obj(m.user).id === sb.demo.secondStaffUserId)).toBe(false);
    const added = waitFor<[GuildMember]>(client, Events.GuildMemberAdd, (m) => m.user.username === 'newcomer');
    sb.actJoin({ username: 'newcomer' });
    await added;
  });
});

describe('application commands', () => {
  it('guild and global commands: create, bulk overwrite, edit, delete', async () => {
    const app = client.application;
    const guildCmds = await app.commands.set(
      [
        { name: 'ticket', description: 'Ticket commands', options: [
          { type: ApplicationCommandOptionType.Subcommand, name: 'open', description: 'Open a ticket', options: [{ type: ApplicationCommandOptionType.String, name: 'topic', description: 'Topic', required: true }] },
          { type: ApplicationCommandOptionType.Subcommand, name: 'close', description: 'Close this ticket' },
        ] },
        { name: 'add', description: 'Add a user', options: [{ type: ApplicationCommandOptionType.User, name: 'user', description: 'Who', required: true }] },
      ],
      sb.demo.guildId,
    );
    expect(guildCmds.map((c) => c.name).sort()).toEqual(['add', 'ticket']);
    const again = await app.commands.set([{ name: 'ticket', description: 'Ticket commands v2' }], sb.demo.guildId);
    expect(again.first()?.id).toBe(guildCmds.find((c) => c.name === 'ticket')?.id); // ids survive bulk overwrite
    const global = await app.commands.create({ name: 'help', description: 'Help' });
    const edited = await app.commands.edit(global.id, { description: 'More help' });
    expect(edited.description).toBe('More help');
    const fetched = await app.commands.fetch();
    expect(fetched.map((c) => c.name)).toEqual(['help']);
    await app.commands.delete(global.id);
    expect((await app.commands.fetch()).size).toBe(0);
    const bad = await api(sb, 'POST', `/applications/${sb.applicationId}/commands`, { name: 'Bad Name', description: 'x' });
    expect(obj(bad.body).code).toBe(50035);
    const noDesc = await api(sb, 'POST', `/applications/${sb.applicationId}/commands`, { name: 'nodesc' });
    expect(obj(noDesc.body).code).toBe(50035);
    // put the guild commands back for other tests
    await app.commands.set(guildCmds.map((c) => c.toJSON() as never), sb.demo.guildId);
  });
});
