import { ChannelType, DiscordAPIError, Events, ThreadAutoArchiveDuration } from 'discord.js';
import type { AnyThreadChannel, Client, ForumChannel, TextChannel, ThreadMember } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { api, obj, login, sandbox, waitFor } from './helpers.js';

let sb: Sandbox;
let client: Client<true>;
let text: TextChannel;
beforeAll(async () => {
  sb = await sandbox();
  client = await login(sb);
  text = client.channels.cache.get(sb.demo.generalChannelId) as TextChannel;
});
afterAll(async () => {
  await client.destroy();
  await sb.close();
});

describe('threads', () => {
  it('private thread: create, add/remove members, archive, lock', async () => {
    const created = waitFor<[AnyThreadChannel, boolean]>(client, Events.ThreadCreate, (t) => t.name === 'ticket-7');
    const thread = await text.threads.create({
      name: 'ticket-7',
      type: ChannelType.PrivateThread,
      invitable: false,
      autoArchiveDuration: ThreadAutoArchiveDuration.OneWeek,
    });
    const [evt, newly] = await created;
    expect(evt.id).toBe(thread.id);
    expect(newly).toBe(true);
    expect(thread.type).toBe(ChannelType.PrivateThread);
    expect(thread.invitable).toBe(false);
    expect(thread.autoArchiveDuration).toBe(10080);

    const membersUpdate = waitFor<[unknown, unknown, AnyThreadChannel]>(client, Events.ThreadMembersUpdate, (_a, _r, t) => t.id === thread.id);
    await thread.members.add(sb.demo.customerUserId);
    await membersUpdate;
    const members = await thread.members.fetch();
    expect([...members.keys()].sort()).toEqual([sb.botUserId, sb.demo.customerUserId].sort());
    const one: ThreadMember = await thread.members.fetch({ member: sb.demo.customerUserId, withMember: true });
    expect(one.id).toBe(sb.demo.customerUserId);

    // the member can now talk in the private thread; a non-member cannot see it
    expect(sb.actMessage({ user_id: sb.demo.customerUserId, channel_id: thread.id, content: 'in thread' }).content).toBe('in thread');
    expect(() => sb.actMessage({ user_id: sb.demo.memberUserId, channel_id: thread.id, content: 'x' })).toThrow(/Missing Access/);

    await thread.members.remove(sb.demo.customerUserId);
    expect(sb.state().threads.find((t) => t.id === thread.id)?.member_ids).toEqual([sb.botUserId]);

    const updated = waitFor<[AnyThreadChannel, AnyThreadChannel]>(client, Events.ThreadUpdate, (_o, n) => n.id === thread.id && n.locked === true);
    await thread.edit({ locked: true, archived: true });
    await updated;
    expect(thread.archived).toBe(true);
    expect(thread.locked).toBe(true);
    // archived threads refuse new members (50083)
    const e = await thread.members.add(sb.demo.customerUserId).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(DiscordAPIError);
    expect((e as DiscordAPIError).code).toBe(50083);
    // unarchive again
    await thread.setArchived(false);
    expect(thread.archived).toBe(false);
    const archivedList = await api(sb, 'GET', `/channels/${text.id}/threads/archived/private`);
    expect(archivedList.status).toBe(200);
  });

  it('public thread from a message, active thread list, delete (THREAD_DELETE)', async () => {
    const m = await text.send('start a thread here');
    const thread = await m.startThread({ name: 'discussion' });
    expect(thread.id).toBe(m.id);
    expect(thread.type).toBe(ChannelType.PublicThread);
    const active = await client.guilds.cache.get(sb.demo.guildId)!.channels.fetchActiveThreads();
    expect(active.threads.has(thread.id)).toBe(true);
    const deleted = waitFor<[AnyThreadChannel]>(client, Events.ThreadDelete, (t) => t.id === thread.id);
    await thread.delete();
    await deleted;
  });

  it('invalid auto_archive_duration → 50035 BASE_TYPE_CHOICES', async () => {
    const r = await api(sb, 'POST', `/channels/${text.id}/threads`, { name: 'x', type: 12, auto_archive_duration: 5 });
    expect(obj(r.body)).toMatchObject({ code: 50035, errors: { auto_archive_duration: { _errors: [{ code: 'BASE_TYPE_CHOICES' }] } } });
  });
});

describe('forum posts', () => {
  it('creates a post (thread + first message) with applied tags and edits the tags', async () => {
    const forum = client.channels.cache.get(sb.demo.forumChannelId) as ForumChannel;
    expect(forum.availableTags.map((t) => t.name)).toEqual(['Open', 'Waiting', 'Resolved']);
    const msg = waitFor<[import('discord.js').Message]>(client, Events.MessageCreate, (m) => m.content === 'My printer is on fire');
    const post = await forum.threads.create({
      name: 'Printer on fire',
      message: { content: 'My printer is on fire' },
      appliedTags: [sb.demo.forumTags.open],
    });
    expect(post.parentId).toBe(forum.id);
    expect(post.appliedTags).toEqual([sb.demo.forumTags.open]);
    const [first] = await msg;
    expect(first.id).toBe(post.id); // the starter message shares the thread id
    const starter = await post.fetchStarterMessage();
    expect(starter?.content).toBe('My printer is on fire');
    await post.setAppliedTags([sb.demo.forumTags.resolved]);
    expect(sb.state().threads.find((t) => t.id === post.id)?.applied_tags).toEqual([sb.demo.forumTags.resolved]);
    const bad = await api(sb, 'POST', `/channels/${forum.id}/threads`, { name: 'x', message: { content: 'y' }, applied_tags: ['123456789012345678'] });
    expect(obj(bad.body).code).toBe(50035);
    const noMsg = await api(sb, 'POST', `/channels/${forum.id}/threads`, { name: 'x' });
    expect(obj(noMsg.body)).toMatchObject({ code: 50035, errors: { message: { _errors: [{ code: 'BASE_TYPE_REQUIRED' }] } } });
  });
});
