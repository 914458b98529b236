import { expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/engine/index.js';
import { EngineError } from '../../src/engine/errors.js';
import type { Actor } from '../../src/engine/actor.js';
import { invoke, type OperationContext } from '../../src/operations/define.js';
import { findOperation } from '../../src/operations/index.js';
import { describeEachDatabase } from '../support/databases.js';
import { guildSnapshot, seedGuild, snowflake, staffActor } from '../support/fixtures.js';

const staff = staffActor('601082144459178129');

interface MessageOut { id: string; name: string; content: string | null; variables: string[]; [k: string]: unknown }
interface Queued { job_id: string; status: string; channel_id: string; message_id: string | null }

describeEachDatabase('custom and channel messages', (database) => {
  let engine: Engine;
  const e = () => (engine ??= createEngine(database()));
  const ctx = (actor: Actor): OperationContext => ({ engine: e(), actor, requestId: 'test', signal: new AbortController().signal, progress: () => {} });
  const call = async <T = MessageOut>(name: string, input: unknown, actor: Actor = staff): Promise<T> => {
    const op = findOperation(name);
    if (!op) throw new Error(`no operation ${name}`);
    return await invoke(op, ctx(actor), input) as T;
  };
  const fail = async (name: string, input: unknown, actor: Actor = staff): Promise<EngineError> => {
    const err = await call(name, input, actor).then(() => undefined, (x: unknown) => x);
    expect(err, `${name} should fail`).toBeInstanceOf(EngineError);
    return err as EngineError;
  };
  const db = () => database().db;
  const jobs = (guildId: string) => db().selectFrom('discord_jobs').select(['id', 'kind', 'payload']).where('guild_id', '=', guildId).orderBy('id').execute();
  const state = async (guildId: string) => ({
    messages: await db().selectFrom('custom_messages').selectAll().where('guild_id', '=', guildId).orderBy('id').execute(),
    jobs: await jobs(guildId),
  });

  it('stores custom messages, lists them in pages, and renders their variables from a context', async () => {
    const g = await seedGuild(db());
    const welcome = await call('create_custom_message', {
      guild_id: g.guildId, name: 'Welcome', content: 'Hi {user}, ticket #{ticket.number} in {guild.name}.',
      embeds: [{ title: 'Ticket {ticket.number}', description: 'Opened by {user}', color: 0x5865f2, fields: [{ name: 'Topic', value: '{ticket.topic}' }] }],
      components: [{ type: 1, components: [{ type: 2, style: 4, label: 'Close #{ticket.number}', custom_id: 'close:{ticket.number}' }] }],
    });
    expect(welcome.variables).toEqual(['user', 'ticket.number', 'guild.name', 'ticket.topic']);
    await call('create_custom_message', { guild_id: g.guildId, name: 'Bye', content: 'Bye!' });
    const page = await call<{ messages: MessageOut[]; total: number }>('list_custom_messages', { guild_id: g.guildId, per_page: 1, page: 2 });
    expect(page.total).toBe(2);
    expect(page.messages.map((m) => m.name)).toEqual(['Bye']);

    const rendered = await call('render_custom_message', {
      guild_id: g.guildId, custom_message_id: welcome.id,
      context: { user: '<@849383430663776372>', ticket: { number: 12, topic: 'Refund' } },
    });
    expect(rendered).toEqual({
      custom_message_id: welcome.id,
      content: `Hi <@849383430663776372>, ticket #12 in Guild ${g.guildId}.`,
      embeds: [{ title: 'Ticket 12', description: 'Opened by <@849383430663776372>', color: 0x5865f2, fields: [{ name: 'Topic', value: 'Refund' }] }],
      components: [{ type: 1, components: [{ type: 2, style: 4, label: 'Close #12', custom_id: 'close:12' }] }],
    });
    // Flat dotted keys work too, and the context may override the built-in guild name.
    const flat = await call<{ content: string }>('render_custom_message', {
      guild_id: g.guildId, custom_message_id: welcome.id,
      context: { user: 'Ann', 'ticket.number': 3, 'ticket.topic': 'x', guild: { name: 'Acme' } },
    });
    expect(flat.content).toBe('Hi Ann, ticket #3 in Acme.');

    const missing = await fail('render_custom_message', { guild_id: g.guildId, custom_message_id: welcome.id, context: { user: 'Ann' } });
    expect(missing.code).toBe('invalid');
    expect(missing.message).toMatch(/\{ticket\.number\}, \{ticket\.topic\}, which the context does not define/);
    expect(missing.details.fields?.map((f) => f.path)).toEqual(['context.ticket.number', 'context.ticket.topic']);

    const updated = await call('update_custom_message', { guild_id: g.guildId, custom_message_id: welcome.id, content: 'Hello {user}', embeds: [], components: [] });
    expect(updated).toMatchObject({ name: 'Welcome', content: 'Hello {user}', variables: ['user'] });
    expect(await call('get_custom_message', { guild_id: g.guildId, custom_message_id: welcome.id })).toEqual(updated);
    await call('delete_custom_message', { guild_id: g.guildId, custom_message_id: welcome.id });
    expect((await fail('get_custom_message', { guild_id: g.guildId, custom_message_id: welcome.id })).code).toBe('not_found');
  });

  it('queues channel sends and edits with the full payload, validating the channel against the synced guild', async () => {
    const snap = guildSnapshot();
    await e().guilds.applySync(snap);
    const gid = snap.guild.id;
    const sent = await call<Queued>('send_channel_message', {
      guild_id: gid, channel_id: snap.ids.general, content: 'Hello, world!', tts: false, flags: 4096,
      embeds: [{ title: 'Hi' }], components: [{ type: 1, components: [{ type: 2, style: 1, label: 'Open', custom_id: 'open' }] }],
      allowed_mentions: { parse: [] },
    });
    expect(sent).toMatchObject({ status: 'queued', channel_id: snap.ids.general, message_id: null });
    const [job] = await jobs(gid);
    expect(job).toEqual({
      id: sent.job_id, kind: 'channel.message.send',
      payload: {
        channel_id: snap.ids.general, channel_type: 0, message_id: null, via: 'bot', webhook: null, thread: null, nonce: expect.stringMatching(/^\d+$/), reply: null,
        message: { content: 'Hello, world!', tts: false, flags: 4096, embeds: [{ title: 'Hi' }], components: [{ type: 1, components: [{ type: 2, style: 1, label: 'Open', custom_id: 'open' }] }], allowed_mentions: { parse: [] } },
      },
    });

    // A forum post through a webhook, then an edit (send_channel_message with message_id, and edit_channel_message).
    const post = await call<Queued>('send_channel_message', { guild_id: gid, channel_id: snap.ids.forum, content: 'Help!', thread_name: 'Support Request', applied_tags: [snowflake()], username: 'Foo', avatar_url: 'https://example.com/avatar.png' });
    const messageId = snowflake();
    const edit1 = await call<Queued>('send_channel_message', { guild_id: gid, channel_id: snap.ids.general, message_id: messageId, content: 'Edited' });
    const edit2 = await call<Queued>('edit_channel_message', { guild_id: gid, channel_id: snap.ids.general, message_id: messageId, embeds: [{ description: 'Now an embed' }] });
    expect(edit2).toMatchObject({ status: 'queued', message_id: messageId });
    const rows = await jobs(gid);
    expect(rows.map((r) => r.kind)).toEqual(['channel.message.send', 'channel.message.send', 'channel.message.edit', 'channel.message.edit']);
    expect(rows[1]?.payload).toMatchObject({ via: 'webhook', webhook: { username: 'Foo', avatar_url: 'https://example.com/avatar.png' }, thread: { name: 'Support Request' }, channel_type: 15 });
    expect(rows[2]?.payload).toMatchObject({ message_id: messageId, message: { content: 'Edited' }, nonce: null });
    expect([post.job_id, edit1.job_id, edit2.job_id]).toEqual(rows.slice(1).map((r) => r.id));

    // A guild whose channels were never synced cannot be checked, so any channel id is accepted.
    const unsynced = await seedGuild(db());
    expect(await call<Queued>('send_channel_message', { guild_id: unsynced.guildId, channel_id: snowflake(), content: 'hi' })).toMatchObject({ status: 'queued' });
  });

  it('renders and sends a custom message, or edits a sent one with it', async () => {
    const snap = guildSnapshot();
    await e().guilds.applySync(snap);
    const gid = snap.guild.id;
    const msg = await call('create_custom_message', { guild_id: gid, name: 'Rules', content: 'Welcome to {guild.name}, {user}!', embeds: [{ title: 'Rules for {user}' }] });
    const queued = await call<Queued>('send_custom_message', { guild_id: gid, custom_message_id: msg.id, channel_id: snap.ids.general, context: { user: 'Ann' } });
    const edited = await call<Queued>('send_custom_message', { guild_id: gid, custom_message_id: msg.id, channel_id: snap.ids.general, message_id: snowflake(), context: { user: 'Bob' }, username: 'Rules bot' });
    const rows = await jobs(gid);
    expect(rows.map((r) => [r.id, r.kind])).toEqual([[queued.job_id, 'channel.message.send'], [edited.job_id, 'channel.message.edit']]);
    expect(rows[0]?.payload).toMatchObject({ message: { content: 'Welcome to Demo Guild, Ann!', embeds: [{ title: 'Rules for Ann' }], components: [] } });
    expect(rows[1]?.payload).toMatchObject({ via: 'webhook', message: { content: 'Welcome to Demo Guild, Bob!' } });

    const before = await state(gid);
    const missing = await fail('send_custom_message', { guild_id: gid, custom_message_id: msg.id, channel_id: snap.ids.general });
    expect(missing.code).toBe('invalid');
    expect(missing.message).toMatch(/\{user\}/);
    expect(await state(gid)).toEqual(before);
  });

  it('rejects bad messages with a sentence saying what to fix, and queues nothing', async () => {
    const snap = guildSnapshot();
    await e().guilds.applySync(snap);
    const gid = snap.guild.id;
    const ch = snap.ids.general;
    const msg = await call('create_custom_message', { guild_id: gid, name: 'Long', content: '{text}' });
    const before = await state(gid);
    const cases: Array<[string, unknown, string, RegExp]> = [
      ['send_channel_message', { guild_id: gid, channel_id: snowflake(), content: 'x' }, 'not_found', /not a channel of guild.*list_guild_channels/],
      ['send_channel_message', { guild_id: gid, channel_id: ch }, 'invalid', /message is empty/i],
      ['send_channel_message', { guild_id: gid, channel_id: ch, content: 'x'.repeat(2001) }, 'invalid', /content/],
      ['send_channel_message', { guild_id: gid, channel_id: ch, embeds: Array.from({ length: 11 }, () => ({ title: 'x' })) }, 'invalid', /embeds/],
      ['send_channel_message', { guild_id: gid, channel_id: ch, embeds: [{ description: 'x'.repeat(4096) }, { description: 'y'.repeat(4096) }] }, 'invalid', /6000/],
      ['send_channel_message', { guild_id: gid, channel_id: ch, content: 'x', flags: 64 }, 'invalid', /SUPPRESS_EMBEDS/],
      ['send_channel_message', { guild_id: gid, channel_id: snap.ids.forum, content: 'x' }, 'invalid', /forum channel.*thread_name/],
      ['send_channel_message', { guild_id: gid, channel_id: ch, content: 'x', thread_name: 'Post' }, 'invalid', /only applies to forum channels/],
      ['send_channel_message', { guild_id: gid, channel_id: ch, content: 'x', username: 'Discord Staff' }, 'invalid', /may not contain "discord"/],
      ['send_channel_message', { guild_id: gid, channel_id: ch, content: 'x', avatar_url: 'ftp://x' }, 'invalid', /avatar_url/],
      ['send_channel_message', { guild_id: gid, channel_id: ch, message_id: snowflake(), poll: { question: { text: 'Q' }, answers: [{ poll_media: { text: 'A' } }] } }, 'invalid', /poll cannot be edited/],
      ['edit_channel_message', { guild_id: gid, channel_id: ch, content: 'x' }, 'invalid', /message_id/],
      ['send_custom_message', { guild_id: gid, channel_id: ch, custom_message_id: msg.id, context: { text: 'x'.repeat(2001) } }, 'invalid', /2000/],
      ['send_custom_message', { guild_id: gid, channel_id: ch, custom_message_id: snowflake(), context: {} }, 'not_found', /list_custom_messages/],
      ['create_custom_message', { guild_id: gid, name: 'Empty' }, 'invalid', /needs content, embeds or components/],
      ['create_custom_message', { guild_id: gid, name: 'Big', embeds: [{ title: 't'.repeat(257) }] }, 'invalid', /embeds\.0\.title/],
      ['update_custom_message', { guild_id: gid, custom_message_id: msg.id, content: null }, 'invalid', /needs content/],
    ];
    for (const [name, input, code, message] of cases) {
      const err = await fail(name, input);
      expect(err.code, `${name} ${JSON.stringify(input).slice(0, 120)}`).toBe(code);
      expect(err.message).toMatch(message);
    }
    // Sending needs the channels:write ability.
    const reader: Actor = { ...staff, abilities: new Set(['guild:read']) };
    expect((await fail('send_channel_message', { guild_id: gid, channel_id: ch, content: 'x' }, reader)).code).toBe('forbidden');
    expect(await state(gid)).toEqual(before);
  });

  it("treats another guild's custom message as not found", async () => {
    const mine = await seedGuild(db());
    const theirs = await seedGuild(db());
    const msg = await call('create_custom_message', { guild_id: theirs.guildId, name: 'Secret', content: 'x' });
    const before = await state(theirs.guildId);
    const ref = { guild_id: mine.guildId, custom_message_id: msg.id };
    for (const [name, input] of [
      ['get_custom_message', ref], ['update_custom_message', { ...ref, name: 'Mine' }], ['delete_custom_message', ref],
      ['render_custom_message', ref], ['send_custom_message', { ...ref, channel_id: snowflake() }],
    ] as const) {
      const err = await fail(name, input);
      expect(err.code, name).toBe('not_found');
    }
    expect(await state(theirs.guildId)).toEqual(before);
    expect(await state(mine.guildId)).toEqual({ messages: [], jobs: [] });
  });
});
