/**
 * The end-to-end proof, against the sandbox: a user clicks a panel button, fills the form,
 * gets a private ticket (channel or thread), talks, staff claims with the button, a user is added,
 * the ticket is closed with a reason, the transcript lands in the transcripts channel and in the
 * owner's DMs with every message in order.
 */
import { expect, it } from 'vitest';
import { operatorActor } from '../../src/engine/actor.js';
import type { TicketView } from '../../src/engine/views.js';
import { describeEachDatabase } from '../support/databases.js';
import { eventually, useDiscord, type Harness } from './harness.js';

interface Msg { id: string; content: string; author: { id: string }; attachments: Array<{ filename: string; url: string }>; components?: Array<{ components?: Array<{ custom_id?: string }> }>; embeds: Array<{ fields?: Array<{ name: string; value: string }> }> }
interface Chan { id: string; name: string; parent_id: string | null; permission_overwrites: Array<{ id: string; type: number; allow: string; deny: string }>; member_ids?: string[]; thread_metadata?: { archived: boolean; locked: boolean } }

const admin = operatorActor('310927734108356609');
const VIEW = 1n << 10n;
const SEND = 1n << 11n;

function messages(h: Harness, channelId: string): Msg[] {
  return h.sandbox.state({ channel_id: channelId }).messages as unknown as Msg[];
}
function channel(h: Harness, id: string): Chan | undefined {
  const s = h.sandbox.state();
  return ([...s.channels, ...s.threads] as unknown as Chan[]).find((c) => c.id === id);
}
function customIds(m: Msg): string[] {
  return (m.components ?? []).flatMap((row) => (row.components ?? []).map((c) => c.custom_id ?? ''));
}
async function fileText(h: Harness, channelId: string, pattern: RegExp): Promise<string> {
  const m = messages(h, channelId).find((x) => x.attachments.some((a) => pattern.test(a.filename)));
  if (!m) throw new Error(`no transcript file in ${channelId} yet`);
  const att = m.attachments.find((a) => pattern.test(a.filename));
  const res = await fetch(att!.url);
  return res.text();
}
async function expectFailure(p: Promise<unknown>): Promise<void> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err, 'expected the sandbox to refuse').not.toBeNull();
}

describeEachDatabase('Discord end to end', (database) => {
  const h = useDiscord(database);

  async function runFlow(mode: 'channel' | 'thread'): Promise<void> {
    const { engine, sandbox } = h();
    const d = sandbox.demo;
    const guild = await engine.guilds.get(d.guildId);
    const base = await engine.groups.get({ guild_id: d.guildId, group_id: guild.default_group_id! });
    const group = mode === 'channel'
      ? await engine.groups.update(admin, {
        guild_id: d.guildId, group_id: base.id, form_title: 'Tell us more',
        form_fields: [{ label: 'What happened?', style: 2, required: true }, { label: 'Order number', required: false }],
      })
      : await engine.groups.create(admin, {
        guild_id: d.guildId, name: 'Thread help', mode: 'thread', opened_channel_id: d.ticketsChannelId,
        transcript_channel_id: d.transcriptsChannelId, staff_role_ids: [d.staffRoleId],
        form_title: 'Tell us more', form_fields: [{ label: 'What happened?', style: 2, required: true }],
      });
    expect(group.staff_role_ids).toContain(d.staffRoleId);
    expect(group.transcript_channel_id).toBe(d.transcriptsChannelId);

    // The panel is posted with its button.
    const panel = await engine.panels.create(admin, { guild_id: d.guildId, name: `Help ${mode}`, channel_id: d.ticketsChannelId, group_id: group.id, title: 'Need help?' });
    const posted = await eventually(async () => {
      const p = await engine.panels.get({ guild_id: d.guildId, panel_id: panel.id });
      if (!p.message_id) throw new Error('panel not posted yet');
      return p;
    });
    const panelMsg = messages(h(), d.ticketsChannelId).find((m) => m.id === posted.message_id)!;
    const button = customIds(panelMsg)[0]!;

    // Click → modal → submit.
    const click = await sandbox.actInteraction({ user_id: d.customerUserId, channel_id: d.ticketsChannelId, type: 'button', custom_id: button });
    expect(click.response?.type).toBe(9);
    const modalId = String(click.response?.data?.['custom_id']);
    const submit = await sandbox.actInteraction({ user_id: d.customerUserId, channel_id: d.ticketsChannelId, type: 'modal', custom_id: modalId, fields: { field_0: 'My order never arrived', ...(mode === 'channel' ? { field_1: 'A-1001' } : {}) } });
    expect(submit.outcome).toBe('responded');
    const ticket: TicketView = await eventually(async () => {
      const list = await engine.tickets.list({ guild_id: d.guildId, owner_id: d.customerUserId, group_id: group.id, status: 'open' });
      const t = list.tickets[0];
      if (!t?.channel_id) throw new Error('no ticket channel yet');
      return t;
    });
    expect(ticket.form[0]).toMatchObject({ title: 'What happened?', value: 'My order never arrived' });
    const where = ticket.channel_id!;
    const ch = channel(h(), where)!;
    if (mode === 'channel') {
      expect(ch.parent_id).toBe(d.supportCategoryId);
      const ow = new Map(ch.permission_overwrites.map((o) => [o.id, o]));
      expect(BigInt(ow.get(d.guildId)!.deny) & VIEW).toBe(VIEW);
      expect(BigInt(ow.get(d.customerUserId)!.allow) & VIEW).toBe(VIEW);
      expect(BigInt(ow.get(d.staffRoleId)!.allow) & VIEW).toBe(VIEW);
      expect(BigInt(ow.get(sandbox.botUserId)!.allow) & VIEW).toBe(VIEW);
    } else {
      expect(ticket.thread_id).toBe(where);
      expect(ticket.channel_parent_id).toBe(d.ticketsChannelId);
      await eventually(() => expect(channel(h(), where)!.member_ids).toEqual(expect.arrayContaining([d.customerUserId, d.staffUserId, d.secondStaffUserId])));
    }
    // The opening message carries the form answers and the buttons.
    const opening = await eventually(() => {
      const m = messages(h(), where).find((x) => customIds(x).some((c) => c.startsWith('tb:claim:')));
      if (!m) throw new Error('no opening message yet');
      return m;
    });
    expect(JSON.stringify(opening.embeds)).toContain('My order never arrived');

    // Only the owner, staff and the bot can see it: an unrelated member cannot write there.
    await expectFailure(Promise.resolve().then(() => sandbox.actMessage({ user_id: d.memberUserId, channel_id: where, content: 'can I see this?' })));
    sandbox.actMessage({ user_id: d.customerUserId, channel_id: where, content: 'first: hello, anyone there?' });
    sandbox.actMessage({ user_id: d.staffUserId, channel_id: where, content: 'second: hi, looking into it' });

    // Staff claims with the button.
    const claim = customIds(opening).find((c) => c.startsWith('tb:claim:'))!;
    await sandbox.actInteraction({ user_id: d.staffUserId, channel_id: where, type: 'button', custom_id: claim, message_id: opening.id });
    await eventually(async () => expect((await engine.tickets.get({ guild_id: d.guildId, ticket: { ticket_id: ticket.id } })).assigned_id).toBe(d.staffUserId));

    // A user is added with /ticket add, then can write.
    await sandbox.actInteraction({ user_id: d.staffUserId, channel_id: where, type: 'command', command: 'ticket add', options: { user: d.memberUserId } });
    await eventually(() => sandbox.actMessage({ user_id: d.memberUserId, channel_id: where, content: 'third: I was added' }));
    sandbox.actMessage({ user_id: d.customerUserId, channel_id: where, content: 'fourth: thanks!' });
    await eventually(async () => expect((await engine.transcripts.listMessages({ guild_id: d.guildId, ticket: { ticket_id: ticket.id } })).messages.map((m) => m.content)).toEqual(expect.arrayContaining(['fourth: thanks!'])));

    // Closed with a reason through the Close button and its modal.
    const close = await sandbox.actInteraction({ user_id: d.customerUserId, channel_id: where, type: 'button', custom_id: `tb:close:${ticket.id}`, message_id: opening.id });
    expect(close.response?.type).toBe(9);
    await sandbox.actInteraction({ user_id: d.customerUserId, channel_id: where, type: 'modal', custom_id: String(close.response?.data?.['custom_id']), fields: { reason: 'Resolved: refund sent' } });
    const closed = await eventually(async () => {
      const t = await engine.tickets.get({ guild_id: d.guildId, ticket: { ticket_id: ticket.id } });
      if (t.status !== 'closed') throw new Error('not closed yet');
      return t;
    });
    expect(closed.closed_reason).toBe('Resolved: refund sent');
    await h().discord.worker!.idle();
    if (mode === 'channel') {
      const after = channel(h(), where)!;
      expect(after.parent_id).toBe(d.closedCategoryId);
      const owner = after.permission_overwrites.find((o) => o.id === d.customerUserId)!;
      expect(BigInt(owner.deny) & SEND).toBe(SEND);
    } else {
      expect(channel(h(), where)!.thread_metadata).toMatchObject({ archived: true, locked: true });
    }

    // The transcript file holds every message in order, in the transcripts channel and in the owner's DMs.
    const inOrder = ['first: hello, anyone there?', 'second: hi, looking into it', 'third: I was added', 'fourth: thanks!'];
    const file = await eventually(() => fileText(h(), d.transcriptsChannelId, new RegExp(`transcript-${ticket.number}\\.txt`)));
    const positions = inOrder.map((line) => file.indexOf(line));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    const dm = (sandbox.state().channels as unknown as Array<{ id: string; type: number; recipients?: Array<{ id: string }> }>)
      .find((c) => c.type === 1 && c.recipients?.some((r) => r.id === d.customerUserId));
    expect(dm, 'a DM channel with the owner').toBeDefined();
    const dmFile = await fileText(h(), dm!.id, new RegExp(`transcript-${ticket.number}\\.txt`));
    for (const line of inOrder) expect(dmFile).toContain(line);
    // Exactly one opening message, one transcript post.
    expect(messages(h(), where).filter((m) => customIds(m).some((c) => c.startsWith('tb:claim:')))).toHaveLength(1);
    expect(messages(h(), d.transcriptsChannelId).filter((m) => m.attachments.some((a) => a.filename === `transcript-${ticket.number}.txt`))).toHaveLength(1);
  }

  it('channel mode: panel, form, private channel, claim, add, close with reason, transcript posted and DMed', async () => {
    await runFlow('channel');
  });

  it('thread mode: the same through a private thread', async () => {
    await runFlow('thread');
  });
});
