import { AttachmentBuilder, ButtonStyle, ComponentType, DiscordAPIError, EmbedBuilder, Events, MessageFlags } from 'discord.js';
import type { Client, Message, PartialMessage, TextChannel } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { api, arr, login, obj, sandbox, waitFor } from './helpers.js';

let sb: Sandbox;
let client: Client<true>;
let channel: TextChannel;
beforeAll(async () => {
  sb = await sandbox();
  client = await login(sb);
  channel = (await client.guilds.cache.get(sb.demo.guildId)!.channels.create({ name: 'messages' })) as TextChannel;
});
afterAll(async () => {
  await client.destroy();
  await sb.close();
});

async function apiError(p: Promise<unknown>): Promise<DiscordAPIError> {
  const e = await p.then(() => null, (err: unknown) => err);
  if (!(e instanceof DiscordAPIError)) throw new Error(`expected DiscordAPIError, got ${String(e)}`);
  return e;
}

describe('messages through discord.js', () => {
  it('sends content, embeds, components and allowed mentions; MESSAGE_CREATE arrives', async () => {
    const created = waitFor<[Message]>(client, Events.MessageCreate, (m) => m.content.startsWith('Ticket opened'));
    const sent = await channel.send({
      content: `Ticket opened by <@${sb.demo.customerUserId}> for <@&${sb.demo.staffRoleId}>`,
      embeds: [new EmbedBuilder().setTitle('Ticket #1').setDescription('Printer on fire').addFields({ name: 'Priority', value: 'High' })],
      components: [
        {
          type: ComponentType.ActionRow,
          components: [{ type: ComponentType.Button, style: ButtonStyle.Danger, custom_id: 'ticket:close', label: 'Close' }],
        },
      ],
      allowedMentions: { users: [sb.demo.customerUserId] },
    });
    const [evt] = await created;
    expect(evt.id).toBe(sent.id);
    expect(sent.embeds[0]?.title).toBe('Ticket #1');
    expect(sent.components).toHaveLength(1);
    expect(sent.mentions.users.map((u) => u.id)).toEqual([sb.demo.customerUserId]);
    expect(sent.mentions.roles.size).toBe(0); // roles not allowed by allowed_mentions
    const fetched = await channel.messages.fetch({ message: sent.id, force: true });
    expect(fetched.content).toBe(sent.content);
  });

  it('edits and deletes (MESSAGE_UPDATE, MESSAGE_DELETE), then 10008', async () => {
    const m = await channel.send('draft');
    const updated = waitFor<[Message | PartialMessage, Message | PartialMessage]>(client, Events.MessageUpdate, (_o, n) => n.id === m.id);
    const edited = await m.edit({ content: 'final', embeds: [{ title: 'now with embed' }] });
    await updated;
    expect(edited.content).toBe('final');
    expect(edited.editedTimestamp).not.toBeNull();
    const deleted = waitFor<[Message | PartialMessage]>(client, Events.MessageDelete, (d) => d.id === m.id);
    await m.delete();
    await deleted;
    const e = await apiError(channel.messages.fetch({ message: m.id, force: true }));
    expect(e.code).toBe(10008);
  });

  it('nonce + enforce_nonce returns the first message instead of a duplicate', async () => {
    const a = await channel.send({ content: 'once', nonce: 'job-42', enforceNonce: true });
    const b = await channel.send({ content: 'once', nonce: 'job-42', enforceNonce: true });
    expect(b.id).toBe(a.id);
    const c = await channel.send({ content: 'once', nonce: 'job-42' }); // without enforce: a new message
    expect(c.id).not.toBe(a.id);
  });

  it('uploads multipart attachments that can be downloaded again', async () => {
    const file = new AttachmentBuilder(Buffer.from('transcript body'), { name: 'transcript.txt', description: 'the transcript' });
    const m = await channel.send({ content: 'see file', files: [file] });
    const att = m.attachments.first();
    expect(att?.name).toBe('transcript.txt');
    expect(att?.size).toBe(15);
    expect(att?.description).toBe('the transcript');
    const download = await fetch(att!.url);
    expect(await download.text()).toBe('transcript body');
    // editing keeps listed attachments and adds new ones
    const edited = await m.edit({ files: [att!, new AttachmentBuilder(Buffer.from('b'), { name: 'b.txt' })] });
    expect(edited.attachments.map((a) => a.name).sort()).toEqual(['b.txt', 'transcript.txt']);
  });

  it('reads history with limit, before, after, around (newest first)', async () => {
    const hist = (await client.guilds.cache.get(sb.demo.guildId)!.channels.create({ name: 'history' })) as TextChannel;
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push(sb.actMessage({ user_id: sb.demo.customerUserId, channel_id: hist.id, content: `m${i}` }).id as string);
    const latest = await hist.messages.fetch({ limit: 5 });
    expect([...latest.values()].map((m) => m.content)).toEqual(['m11', 'm10', 'm9', 'm8', 'm7']);
    const before = await hist.messages.fetch({ limit: 3, before: ids[5] });
    expect([...before.values()].map((m) => m.content)).toEqual(['m4', 'm3', 'm2']);
    const after = await hist.messages.fetch({ limit: 3, after: ids[5] });
    expect([...after.values()].map((m) => m.content)).toEqual(['m8', 'm7', 'm6']);
    const around = await hist.messages.fetch({ limit: 3, around: ids[5] });
    expect([...around.values()].map((m) => m.content)).toEqual(['m6', 'm5', 'm4']);
    const bad = await api(sb, 'GET', `/channels/${hist.id}/messages?limit=101`);
    expect(bad.status).toBe(400);
    expect(obj(bad.body)).toMatchObject({ code: 50035, errors: { limit: { _errors: [{ code: 'NUMBER_TYPE_MAX' }] } } });
    const zero = await api(sb, 'GET', `/channels/${hist.id}/messages?limit=0`);
    expect(obj(zero.body).code).toBe(50035);
    expect(arr((await api(sb, 'GET', `/channels/${hist.id}/messages?limit=100`)).body)).toHaveLength(12);
  });
});

describe('message limits and errors (raw HTTP)', () => {
  it('content over 2000 characters → 50035 BASE_TYPE_MAX_LENGTH', async () => {
    const r = await api(sb, 'POST', `/channels/${channel.id}/messages`, { content: 'x'.repeat(2001) });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({
      message: 'Invalid Form Body',
      code: 50035,
      errors: { content: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 2000 or fewer in length.' }] } },
    });
    expect((await api(sb, 'POST', `/channels/${channel.id}/messages`, { content: 'x'.repeat(2000) })).status).toBe(200);
  });

  it('more than 10 embeds → 50035; an empty message → 50006', async () => {
    const r = await api(sb, 'POST', `/channels/${channel.id}/messages`, { embeds: Array.from({ length: 11 }, (_, i) => ({ title: `e${i}` })) });
    expect(obj(r.body)).toMatchObject({ code: 50035, errors: { embeds: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH' }] } } });
    const e = await apiError(channel.send({ embeds: Array.from({ length: 11 }, (_, i) => ({ title: `e${i}` })) }));
    expect(e.code).toBe(50035);
    const empty = await api(sb, 'POST', `/channels/${channel.id}/messages`, { content: '' });
    expect(obj(empty.body).code).toBe(50006);
  });

  it('components are validated as Discord does (rows, buttons, selects, unique custom_ids)', async () => {
    const post = (components: unknown[], flags?: number) => api(sb, 'POST', `/channels/${channel.id}/messages`, { ...(flags ? { flags } : { content: 'c' }), components });
    const button = (id: string) => ({ type: 2, style: 1, label: id, custom_id: id });
    expect((await post([{ type: 1, components: [button('a'), button('b')] }])).status).toBe(200);
    const dup = await post([{ type: 1, components: [button('a'), button('a')] }]);
    expect(obj(dup.body)).toMatchObject({ code: 50035, errors: { components: { 0: { components: { 1: { custom_id: { _errors: [{ code: 'COMPONENT_CUSTOM_ID_DUPLICATED' }] } } } } } } });
    expect(obj((await post([{ type: 1, components: [1, 2, 3, 4, 5, 6].map((n) => button(`b${n}`)) }])).body).code).toBe(50035);
    expect(obj((await post([button('bare')])).body).code).toBe(50035); // buttons must sit in a row
    expect(obj((await post([{ type: 1, components: [{ type: 2, style: 1, label: 'no id' }] }])).body).code).toBe(50035);
    expect((await post([{ type: 1, components: [{ type: 2, style: 5, label: 'Docs', url: 'https://example.com' }] }])).status).toBe(200);
    expect(obj((await post([{ type: 1, components: [{ type: 3, custom_id: 's', options: [] }] }])).body).code).toBe(50035);
    expect(obj((await post(Array.from({ length: 6 }, (_, i) => ({ type: 1, components: [button(`r${i}`)] })))).body).code).toBe(50035);
    // components v2: containers and text displays are fine, ids still unique
    const v2 = await post([{ type: 17, components: [{ type: 10, content: 'hi' }, { type: 1, components: [button('v2')] }] }], 1 << 15);
    expect(v2.status).toBe(200);
    const v2WithContent = await api(sb, 'POST', `/channels/${channel.id}/messages`, { content: 'x', flags: 1 << 15, components: [{ type: 10, content: 'hi' }] });
    expect(obj(v2WithContent.body).code).toBe(50035);
  });

  it('unknown message 10008, malformed JSON 50109, unauthorised 401, unknown route 404', async () => {
    expect(obj((await api(sb, 'GET', `/channels/${channel.id}/messages/123456789012345678`)).body).code).toBe(10008);
    const bad = await api(sb, 'POST', `/channels/${channel.id}/messages`, undefined, { raw: '{"content": ', headers: { 'Content-Type': 'application/json' } });
    expect(bad.status).toBe(400);
    expect(obj(bad.body).code).toBe(50109);
    const wrongType = await api(sb, 'POST', `/channels/${channel.id}/messages`, { content: 5, embeds: 'no' });
    expect(obj(wrongType.body).code).toBe(50035);
    const noAuth = await api(sb, 'GET', '/users/@me', undefined, { auth: false });
    expect(noAuth.status).toBe(401);
    expect(noAuth.body).toEqual({ message: '401: Unauthorized', code: 0 });
    const nowhere = await api(sb, 'GET', '/nowhere/at/all');
    expect(nowhere.status).toBe(404);
    const array = await api(sb, 'POST', `/channels/${channel.id}/messages`, [1, 2, 3]);
    expect(array.status).toBe(400);
    const badId = await api(sb, 'GET', `/channels/${channel.id}/messages?before=notanid`);
    expect(obj(badId.body).code).toBe(50035);
  });

  it('a user without SendMessages cannot speak in the tickets panel channel', () => {
    expect(() => sb.actMessage({ user_id: sb.demo.customerUserId, channel_id: sb.demo.ticketsChannelId, content: 'hi' })).toThrow(/Missing Permissions/);
  });

  it('DMs: the bot opens a DM, the user answers; a user sharing no guild gets 50007', async () => {
    const user = await client.users.fetch(sb.demo.customerUserId);
    const dm = await user.createDM();
    const out = await dm.send('Your ticket was closed.');
    expect(out.channelId).toBe(dm.id);
    const reply = waitFor<[Message]>(client, Events.MessageCreate, (m) => m.channelId === dm.id && m.author.id === sb.demo.customerUserId);
    sb.actMessage({ user_id: sb.demo.customerUserId, content: 'thanks!' }); // no channel_id: DM to the bot
    const [m] = await reply;
    expect(m.content).toBe('thanks!');
    expect(m.channel.isDMBased()).toBe(true);
    sb.actLeave({ user_id: sb.demo.memberUserId });
    const gone = await api(sb, 'POST', '/users/@me/channels', { recipient_id: sb.demo.memberUserId });
    expect(obj(gone.body).code).toBe(50007);
  });

  it('replies reference the message and flags like SuppressEmbeds stick', async () => {
    const first = await channel.send('question');
    const answer = await first.reply({ content: 'answer', flags: MessageFlags.SuppressEmbeds });
    expect(answer.reference?.messageId).toBe(first.id);
    expect(answer.flags.has(MessageFlags.SuppressEmbeds)).toBe(true);
  });
});

describe('pins and reactions', () => {
  it('pins and unpins (CHANNEL_PINS_UPDATE, a type-6 system message), lists pins', async () => {
    const m = await channel.send('opening message');
    const pinsUpdate = waitFor(client, Events.ChannelPinsUpdate);
    await m.pin();
    await pinsUpdate;
    const pins = await channel.messages.fetchPins();
    expect(pins.items.map((i) => i.message.id)).toEqual([m.id]);
    const latest = await channel.messages.fetch({ limit: 1 });
    expect(latest.first()?.type).toBe(6);
    expect(latest.first()?.reference?.messageId).toBe(m.id);
    await m.unpin();
    expect((await channel.messages.fetchPins()).items).toHaveLength(0);
  });

  it('the bot and users react (MESSAGE_REACTION_ADD), reactions show on the message', async () => {
    const m = await channel.send('Rate your support experience');
    await m.react('⭐');
    const added = waitFor<[import('discord.js').MessageReaction, import('discord.js').User]>(client, Events.MessageReactionAdd, (_r, u) => u.id === sb.demo.customerUserId);
    const res = await fetch(`${sb.url}/_sandbox/act/reaction`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ user_id: sb.demo.customerUserId, channel_id: channel.id, message_id: m.id, emoji: '⭐' }),
    });
    expect(res.status).toBe(200);
    const [reaction] = await added;
    expect(reaction.emoji.name).toBe('⭐');
    const fetched = await channel.messages.fetch({ message: m.id, force: true });
    expect(fetched.reactions.cache.get('⭐')?.count).toBe(2);
    const users = await fetched.reactions.cache.get('⭐')!.users.fetch();
    expect([...users.keys()].sort()).toEqual([sb.botUserId, sb.demo.customerUserId].sort());
    await m.react(`ticket:${sb.demo.emojiIds.ticket}`);
    const bad = await api(sb, 'PUT', `/channels/${channel.id}/messages/${m.id}/reactions/${encodeURIComponent('nope:123456789012345678')}/@me`);
    expect(obj(bad.body).code).toBe(10014);
    await fetched.reactions.removeAll();
    expect((await channel.messages.fetch({ message: m.id, force: true })).reactions.cache.size).toBe(0);
  });
});

