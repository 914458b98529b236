import {
  ActionRowBuilder,
  AttachmentBuilder,
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ButtonBuilder,
  ButtonStyle,
  DiscordAPIError,
  Events,
  MessageFlags,
  ModalBuilder,
  StringSelectMenuBuilder,
  TextInputBuilder,
  TextInputStyle,
} from 'discord.js';
import type { Client, Interaction, TextChannel } from 'discord.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { api, control, login, obj, sandbox } from './helpers.js';

let sb: Sandbox;
let client: Client<true>;
let panel: TextChannel;
const handlers: ((i: Interaction) => Promise<void>)[] = [];
beforeAll(async () => {
  sb = await sandbox();
  client = await login(sb);
  client.on(Events.InteractionCreate, (i) => {
    const h = handlers.shift();
    if (h) void h(i).catch((err: unknown) => process.stderr.write(`handler failed: ${String(err)}\n`));
  });
  panel = client.channels.cache.get(sb.demo.ticketsChannelId) as TextChannel;
  await panel.send({
    content: 'Need help?',
    components: [
      new ActionRowBuilder<ButtonBuilder>().addComponents(
        new ButtonBuilder().setCustomId('open').setLabel('Open ticket').setStyle(ButtonStyle.Primary),
        new ButtonBuilder().setCustomId('form').setLabel('Open with form').setStyle(ButtonStyle.Secondary),
      ),
      new ActionRowBuilder<StringSelectMenuBuilder>().addComponents(
        new StringSelectMenuBuilder().setCustomId('topic').addOptions({ label: 'Billing', value: 'billing' }, { label: 'Bug', value: 'bug' }),
      ),
    ],
  });
  await client.application.commands.set(
    [
      { name: 'ticket', description: 'Tickets', options: [{ type: ApplicationCommandOptionType.Subcommand, name: 'add', description: 'Add someone', options: [{ type: ApplicationCommandOptionType.User, name: 'user', description: 'Who', required: true }] }] },
    ],
    sb.demo.guildId,
  );
});
afterEach(() => {
  handlers.length = 0;
});
afterAll(async () => {
  await client.destroy();
  await sb.close();
});

const alice = () => sb.demo.customerUserId;

describe('component interactions', () => {
  it('a reply can carry files (multipart callback)', async () => {
    handlers.push(async (i) => {
      if (!i.isButton()) throw new Error('expected a button');
      await i.reply({ content: 'your transcript', files: [new AttachmentBuilder(Buffer.from('hello'), { name: 't.txt' })] });
    });
    const r = await sb.actInteraction({ user_id: alice(), channel_id: sb.demo.ticketsChannelId, type: 'button', custom_id: 'open' });
    const att = (r.message?.attachments as { filename: string; url: string }[])[0];
    expect(att?.filename).toBe('t.txt');
    expect(await (await fetch(att!.url)).text()).toBe('hello');
  });

  it('button → reply (type 4); ephemeral reply is not in history', async () => {
    handlers.push(async (i) => {
      if (!i.isButton()) throw new Error('expected a button');
      expect(i.customId).toBe('open');
      expect(i.user.id).toBe(alice());
      expect(i.message.id).toBeTruthy();
      await i.reply({ content: 'Ticket opened: #ticket-1', flags: MessageFlags.Ephemeral });
    });
    const r = await sb.actInteraction({ user_id: alice(), channel_id: sb.demo.ticketsChannelId, type: 'button', custom_id: 'open' });
    expect(r.outcome).toBe('responded');
    expect(r.response?.type).toBe(4);
    expect(r.message?.content).toBe('Ticket opened: #ticket-1');
    expect(Number(r.message?.flags) & 64).toBe(64);
    const hist = await panel.messages.fetch({ limit: 10 });
    expect(hist.some((m) => m.content === 'Ticket opened: #ticket-1')).toBe(false);
  });

  it('select → deferUpdate (type 6) then editReply edits the panel message', async () => {
    handlers.push(async (i) => {
      if (!i.isStringSelectMenu()) throw new Error('expected a select');
      expect(i.values).toEqual(['bug']);
      await i.deferUpdate();
      await i.editReply({ content: 'Need help? (you picked bug)' });
    });
    const r = await sb.actInteraction({ user_id: alice(), channel_id: sb.demo.ticketsChannelId, type: 'select', custom_id: 'topic', values: ['bug'] });
    expect(r.response?.type).toBe(6);
    // editReply happens after the callback; wait for the message update event instead of sleeping
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if (sb.state({ channel_id: sb.demo.ticketsChannelId }).messages.some((m) => m.content === 'Need help? (you picked bug)')) resolve();
        else client.once(Events.MessageUpdate, check);
      };
      check();
    });
    const bad = await control(sb, 'POST', '/act/interaction', { user_id: alice(), channel_id: sb.demo.ticketsChannelId, type: 'select', custom_id: 'topic', values: ['nope'] });
    expect(bad.status).toBe(400);
  });

  it('button → modal (type 9) → modal submit → deferReply (type 5) → editReply and followUp', async () => {
    handlers.push(async (i) => {
      if (!i.isButton()) throw new Error('expected a button');
      await i.showModal(
        new ModalBuilder()
          .setCustomId('ticket-form')
          .setTitle('Open a ticket')
          .addComponents(new ActionRowBuilder<TextInputBuilder>().addComponents(new TextInputBuilder().setCustomId('summary').setLabel('Summary').setStyle(TextInputStyle.Short))),
      );
    });
    const shown = await sb.actInteraction({ user_id: alice(), channel_id: sb.demo.ticketsChannelId, type: 'button', custom_id: 'form' });
    expect(shown.response?.type).toBe(9);
    expect(obj(shown.response?.data).custom_id).toBe('ticket-form');

    let followupDone!: () => void;
    const followed = new Promise<void>((r) => (followupDone = r));
    handlers.push(async (i) => {
      if (!i.isModalSubmit()) throw new Error('expected a modal submit');
      expect(i.fields.getTextInputValue('summary')).toBe('Printer on fire');
      await i.deferReply();
      await i.editReply('Ticket #2 opened');
      const f = await i.followUp({ content: 'A staff member will be with you shortly', flags: MessageFlags.Ephemeral });
      expect(f.flags.has(MessageFlags.Ephemeral)).toBe(true);
      const original = await i.fetchReply();
      expect(original.content).toBe('Ticket #2 opened');
      followupDone();
    });
    // settle_ms: follow the deferred reply until the bot edits it
    const submitted = await sb.actInteraction({ user_id: alice(), channel_id: sb.demo.ticketsChannelId, type: 'modal', custom_id: 'ticket-form', fields: { summary: 'Printer on fire' }, settle_ms: 10_000 });
    expect(submitted.response?.type).toBe(5);
    expect(submitted.message?.content).toBe('Ticket #2 opened');
    expect(Number(submitted.message?.flags) & 128).toBe(0); // no longer "thinking…"
    await followed;
    const st = sb.state().interactions.find((x) => x.id === submitted.interaction_id);
    expect((st?.followup_ids as string[]).length).toBe(1);
  });

  it('without settle_ms a deferred reply is answered as "thinking…"', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    handlers.push(async (i) => {
      if (!i.isButton()) throw new Error('expected a button');
      await i.deferReply();
      await gate;
      await i.editReply('done');
    });
    const r = await sb.actInteraction({ user_id: alice(), channel_id: sb.demo.ticketsChannelId, type: 'button', custom_id: 'open' });
    expect(Number(r.message?.flags) & 128).toBe(128);
    release();
  });

  it('button → update (type 7) edits the message carrying the button', async () => {
    handlers.push(async (i) => {
      if (!i.isButton()) throw new Error('expected a button');
      await i.update({ content: 'Claimed by Sam', components: [] });
    });
    const m = await panel.send({ content: 'Unclaimed', components: [new ActionRowBuilder<ButtonBuilder>().addComponents(new ButtonBuilder().setCustomId('claim').setLabel('Claim').setStyle(ButtonStyle.Success))] });
    const r = await sb.actInteraction({ user_id: sb.demo.staffUserId, channel_id: sb.demo.ticketsChannelId, type: 'button', custom_id: 'claim', message_id: m.id });
    expect(r.response?.type).toBe(7);
    expect(r.message?.id).toBe(m.id);
    expect(r.message?.content).toBe('Claimed by Sam');
    expect(r.message?.components).toEqual([]);
  });
});

describe('slash commands', () => {
  it('runs a subcommand with a user option (resolved) → reply withResponse', async () => {
    handlers.push(async (i) => {
      if (!i.isChatInputCommand()) throw new Error('expected a command');
      expect(i.commandName).toBe('ticket');
      expect(i.options.getSubcommand()).toBe('add');
      expect(i.options.getUser('user')?.username).toBe('casey');
      const res = await i.reply({ content: 'Added Casey', withResponse: true });
      expect(res.resource?.message?.content).toBe('Added Casey');
    });
    const r = await control(sb, 'POST', '/act/interaction', { user_id: sb.demo.staffUserId, channel_id: sb.demo.generalChannelId, type: 'command', command: 'ticket add', options: { user: sb.demo.memberUserId } });
    expect(r.status).toBe(200);
    const body = obj(r.body);
    expect(body.outcome).toBe('responded');
    expect(obj(body.message).content).toBe('Added Casey');
    expect(obj(body.message).type).toBe(20);
    const unknown = await control(sb, 'POST', '/act/interaction', { user_id: alice(), channel_id: sb.demo.generalChannelId, type: 'command', command: 'nope' });
    expect(obj(unknown.body).code).toBe(10063);
  });
});

describe('context-menu commands', () => {
  it('"Open ticket" on a message (message command with target_id)', async () => {
    await client.application.commands.create({ name: 'Open ticket', type: ApplicationCommandType.Message }, sb.demo.guildId);
    const said = sb.actMessage({ user_id: alice(), channel_id: sb.demo.generalChannelId, content: 'my order is late' });
    handlers.push(async (i) => {
      if (!i.isMessageContextMenuCommand()) throw new Error('expected a message command');
      expect(i.targetMessage.content).toBe('my order is late');
      await i.reply({ content: 'Ticket opened from that message', flags: MessageFlags.Ephemeral });
    });
    const r = await sb.actInteraction({ user_id: alice(), channel_id: sb.demo.generalChannelId, type: 'command', command: 'Open ticket', target_id: String(said.id) });
    expect(r.message?.content).toBe('Ticket opened from that message');
  });
});

describe('acknowledgement rules', () => {
  it('a second callback gets 40060', async () => {
    let second: unknown;
    const done = new Promise<void>((resolve) => {
      handlers.push(async (i) => {
        if (!i.isButton()) throw new Error('expected a button');
        await i.deferUpdate();
        second = await api(sb, 'POST', `/interactions/${i.id}/${i.token}/callback`, { type: 4, data: { content: 'again' } }, { auth: false });
        resolve();
      });
    });
    await sb.actInteraction({ user_id: alice(), channel_id: sb.demo.ticketsChannelId, type: 'button', custom_id: 'open' });
    await done;
    expect((second as { status: number }).status).toBe(400);
    expect(obj((second as { body: unknown }).body)).toEqual({ message: 'Interaction has already been acknowledged.', code: 40060 });
  });

  it('a callback after 3 seconds gets 10062 and the act call reports a timeout', async () => {
    let late!: (e: unknown) => void;
    const lateResult = new Promise<unknown>((r) => (late = r));
    handlers.push(async (i) => {
      if (!i.isButton()) throw new Error('expected a button');
      // Wait for the act call to give up (it resolves after the deadline), then answer too late.
      await timedOut;
      late(await i.reply('too late').catch((e: unknown) => e));
    });
    const timedOut = sb.actInteraction({ user_id: alice(), channel_id: sb.demo.ticketsChannelId, type: 'button', custom_id: 'open' });
    const r = await timedOut;
    expect(r.outcome).toBe('timeout');
    const e = await lateResult;
    expect(e).toBeInstanceOf(DiscordAPIError);
    expect((e as DiscordAPIError).code).toBe(10062);
  }, 10_000);
});
