/**
 * Every ticket and channel operation, called through the engine, has the Discord effect it describes:
 * asserted on the sandbox's state, not on the calls made.
 */
import { expect, it } from 'vitest';
import { operatorActor } from '../../src/engine/actor.js';
import { invoke } from '../../src/operations/define.js';
import { findOperation } from '../../src/operations/index.js';
import { describeEachDatabase } from '../support/databases.js';
import { eventually, useDiscord, type Harness } from './harness.js';

interface Ow { id: string; type: number; allow: string; deny: string }
interface Chan { id: string; type: number; name: string; parent_id: string | null; permission_overwrites: Ow[]; member_ids?: string[]; thread_metadata?: { archived: boolean; locked: boolean } }
interface Msg { id: string; content: string; channel_id: string; author: { id: string; username: string }; webhook_id?: string; embeds: unknown[]; pinned?: boolean; type?: number }

const admin = operatorActor('310927734108356609');
const SEND = 1n << 11n;
const VIEW = 1n << 10n;

const chan = (h: Harness, id: string): Chan | undefined => {
  const s = h.sandbox.state();
  return ([...s.channels, ...s.threads] as unknown as Chan[]).find((c) => c.id === id);
};
const msgs = (h: Harness, channelId: string) => h.sandbox.state({ channel_id: channelId }).messages as unknown as Msg[];
const ow = (c: Chan, id: string) => c.permission_overwrites.find((o) => o.id === id);
const has = (bits: string | undefined, flag: bigint) => (BigInt(bits ?? '0') & flag) === flag;

describeEachDatabase('Discord effects of operations', (database) => {
  const h = useDiscord(database);
  const idle = () => h().discord.worker!.idle();

  async function newTicket(groupId?: string) {
    const d = h().sandbox.demo;
    const t = await h().engine.tickets.create(admin, { guild_id: d.guildId, user_id: d.customerUserId, topic: 'Help', ...(groupId ? { ticket_group_id: groupId } : {}) });
    expect(t.channel_id, 'create_ticket waits for its channel').not.toBeNull();
    return { t, ref: { guild_id: d.guildId, ticket: { ticket_id: t.id } }, d };
  }

  it('ticket operations on a channel ticket', async () => {
    const { engine } = h();
    const { t, ref, d } = await newTicket();
    const id = t.channel_id!;
    await engine.tickets.lock(admin, ref); await idle();
    expect(has(ow(chan(h(), id)!, d.customerUserId)!.deny, SEND)).toBe(true);
    await engine.tickets.unlock(admin, ref); await idle();
    expect(has(ow(chan(h(), id)!, d.customerUserId)!.deny, SEND)).toBe(false);

    await engine.tickets.assign(admin, { ...ref, user_id: d.secondStaffUserId }); await idle();
    expect(has(ow(chan(h(), id)!, d.secondStaffUserId)?.allow, VIEW)).toBe(true);
    await engine.tickets.transfer(admin, { ...ref, user_id: d.staffUserId }); await idle();
    expect(ow(chan(h(), id)!, d.secondStaffUserId)).toBeUndefined();
    expect(has(ow(chan(h(), id)!, d.staffUserId)?.allow, VIEW)).toBe(true);

    await engine.tickets.addMember(admin, { ...ref, user_id: d.memberUserId }); await idle();
    expect(has(ow(chan(h(), id)!, d.memberUserId)?.allow, VIEW)).toBe(true);
    await engine.tickets.removeMember(admin, { ...ref, user_id: d.memberUserId }); await idle();
    expect(ow(chan(h(), id)!, d.memberUserId)).toBeUndefined();

    await engine.tickets.setOwner(admin, { ...ref, user_id: d.memberUserId }); await idle();
    expect(has(ow(chan(h(), id)!, d.memberUserId)?.allow, VIEW)).toBe(true);
    expect(ow(chan(h(), id)!, d.customerUserId)).toBeUndefined();
    await engine.tickets.setOwner(admin, { ...ref, user_id: d.customerUserId }); await idle();

    const group = await engine.groups.update(admin, { guild_id: d.guildId, group_id: t.group_id, priority_levels: [{ label: 'Low' }, { label: 'Urgent' }] });
    await engine.tickets.setPriority(admin, { ...ref, priority: 1 }); await idle();
    const row = await database().db.selectFrom('tickets').select('opening_message_id').where('id', '=', t.id).executeTakeFirstOrThrow();
    const opening = msgs(h(), id).find((m) => m.id === row.opening_message_id)!;
    expect(JSON.stringify(opening.embeds)).toContain(group.priority_levels[1]!.label);
    // The opening message, which shows the priority, is the channel's one pinned message.
    expect(msgs(h(), id).filter((m) => m.pinned).map((m) => m.id)).toEqual([opening.id]);
    expect(msgs(h(), id).some((m) => m.content.includes('Urgent'))).toBe(true);

    await engine.tickets.rename(admin, { ...ref, name: 'Refund Case' }); await idle();
    expect(chan(h(), id)!.name).toBe('refund-case');

    await engine.tickets.createNotes(admin, ref); await idle();
    const withNotes = await engine.tickets.get(ref);
    const notes = chan(h(), withNotes.notes_thread_id!)!;
    expect(notes.type).toBe(12);
    await engine.tickets.addNotesMember(admin, { ...ref, user_id: d.secondStaffUserId }); await idle();
    expect(chan(h(), notes.id)!.member_ids).toContain(d.secondStaffUserId);
    expect(chan(h(), notes.id)!.member_ids).not.toContain(d.customerUserId);
    await engine.tickets.removeNotesMember(admin, { ...ref, user_id: d.secondStaffUserId }); await idle();
    expect(chan(h(), notes.id)!.member_ids).not.toContain(d.secondStaffUserId);

    await engine.tickets.close(admin, { ...ref, reason: 'done' }); await idle();
    expect(chan(h(), id)!.parent_id).toBe(d.closedCategoryId);
    expect(msgs(h(), id).some((m) => m.content.includes('closed') && m.content.includes('done'))).toBe(true);
    await engine.tickets.reopen(admin, ref); await idle();
    expect(chan(h(), id)!.parent_id).toBe(d.supportCategoryId);
    expect(has(ow(chan(h(), id)!, d.customerUserId)!.allow, SEND)).toBe(true);

    await engine.tickets.delete(admin, ref); await idle();
    expect(chan(h(), id)).toBeUndefined();
    expect((await engine.tickets.get(ref)).discord.status).toBe('ok');
  });

  it('ticket operations on a thread ticket', async () => {
    const { engine, sandbox } = h();
    const d = sandbox.demo;
    const group = await engine.groups.create(admin, { guild_id: d.guildId, name: 'Threads', mode: 'thread', opened_channel_id: d.ticketsChannelId, staff_role_ids: [d.staffRoleId] });
    const { t, ref } = await newTicket(group.id);
    const id = t.thread_id!;
    expect(chan(h(), id)!.type).toBe(12);
    const { opening_message_id: openingId } = await database().db.selectFrom('tickets').select('opening_message_id').where('id', '=', t.id).executeTakeFirstOrThrow();
    expect(openingId).not.toBeNull();
    expect(msgs(h(), id).filter((m) => m.pinned).map((m) => m.id)).toEqual([openingId]);
    await engine.tickets.addMember(admin, { ...ref, user_id: d.memberUserId }); await idle();
    expect(chan(h(), id)!.member_ids).toContain(d.memberUserId);
    await engine.tickets.lock(admin, ref); await idle();
    expect(chan(h(), id)!.thread_metadata).toMatchObject({ locked: true, archived: false });
    await engine.tickets.close(admin, ref); await idle();
    expect(chan(h(), id)!.thread_metadata).toMatchObject({ locked: true, archived: true });
    await engine.tickets.reopen(admin, ref); await engine.tickets.unlock(admin, ref); await idle();
    expect(chan(h(), id)!.thread_metadata).toMatchObject({ locked: false, archived: false });
    await engine.tickets.delete(admin, ref); await idle();
    expect(chan(h(), id)).toBeUndefined();
  });

  it('renames respect the 2-per-10-minutes limit: the third waits, queued, never failed', async () => {
    const { engine } = h();
    const { t, ref } = await newTicket();
    await engine.tickets.rename(admin, { ...ref, name: 'one' }); await idle();
    await engine.tickets.rename(admin, { ...ref, name: 'two' }); await idle();
    await engine.tickets.rename(admin, { ...ref, name: 'three' }); await idle();
    expect(chan(h(), t.channel_id!)!.name).toBe('two');
    const job = await database().db.selectFrom('discord_jobs').selectAll().where('ticket_id', '=', t.id).where('kind', '=', 'ticket.rename').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(job.status).toBe('pending');
    expect(job.run_at.getTime()).toBeGreaterThan(Date.now() + 8 * 60_000);
    const view = await engine.tickets.get(ref);
    expect(view.name).toBe('three');
    expect(view.discord.status).toBe('ok');
    // Other jobs of the ticket are not held up by the waiting rename.
    await engine.tickets.lock(admin, ref); await idle();
    expect(has(ow(chan(h(), t.channel_id!)!, t.owner_id)!.deny, SEND)).toBe(true);
  });

  it('channel messages: plain, webhook with username, forum post, thread via webhook, edits, custom messages', async () => {
    const { engine, sandbox } = h();
    const d = sandbox.demo;
    const sent = async (p: Promise<{ job_id: string }>) => {
      const q = await p;
      await engine.outbox.waitForJobs([q.job_id], 10_000);
      const row = await database().db.selectFrom('discord_jobs').selectAll().where('id', '=', q.job_id).executeTakeFirstOrThrow();
      expect(row.status).toBe('done');
      return row.result as { message_id: string; channel_id: string; thread_id?: string };
    };
    const plain = await sent(engine.channelMessages.send(admin, { guild_id: d.guildId, channel_id: d.generalChannelId, content: 'Hello from the API' }));
    expect(msgs(h(), d.generalChannelId).find((m) => m.id === plain.message_id)?.content).toBe('Hello from the API');

    const hooked = await sent(engine.channelMessages.send(admin, { guild_id: d.guildId, channel_id: d.generalChannelId, content: 'As a webhook', username: 'Helper Bot', avatar_url: 'https://example.com/a.png' }));
    const hm = msgs(h(), d.generalChannelId).find((m) => m.id === hooked.message_id)!;
    expect(hm.author.username).toBe('Helper Bot');
    expect(hm.webhook_id).toBeTruthy();
    const again = await sent(engine.channelMessages.send(admin, { guild_id: d.guildId, channel_id: d.generalChannelId, content: 'Same webhook', username: 'Helper Bot' }));
    expect(msgs(h(), d.generalChannelId).find((m) => m.id === again.message_id)!.webhook_id).toBe(hm.webhook_id);
    expect((sandbox.state().webhooks as unknown as Array<{ channel_id: string }>).filter((w) => w.channel_id === d.generalChannelId)).toHaveLength(1);

    const post = await sent(engine.channelMessages.send(admin, { guild_id: d.guildId, channel_id: d.forumChannelId, content: 'Forum question', thread_name: 'Support Request', applied_tags: [d.forumTags.open] }));
    const thread = chan(h(), post.thread_id!)!;
    await h().discord.syncGuild(d.guildId); // the new forum post becomes a known channel
    expect(thread).toMatchObject({ name: 'Support Request', parent_id: d.forumChannelId });
    expect(msgs(h(), thread.id).some((m) => m.content === 'Forum question')).toBe(true);

    const inThread = await sent(engine.channelMessages.send(admin, { guild_id: d.guildId, channel_id: thread.id, content: 'Reply in the post', username: 'Helper Bot' }));
    expect(msgs(h(), thread.id).find((m) => m.id === inThread.message_id)?.author.username).toBe('Helper Bot');

    await sent(engine.channelMessages.edit(admin, { guild_id: d.guildId, channel_id: d.generalChannelId, message_id: plain.message_id, content: 'Edited by the API' }));
    expect(msgs(h(), d.generalChannelId).find((m) => m.id === plain.message_id)?.content).toBe('Edited by the API');
    await sent(engine.channelMessages.edit(admin, { guild_id: d.guildId, channel_id: d.generalChannelId, message_id: hooked.message_id, content: 'Webhook edit', username: 'Helper Bot' }));
    expect(msgs(h(), d.generalChannelId).find((m) => m.id === hooked.message_id)?.content).toBe('Webhook edit');

    const custom = await engine.customMessages.create(admin, { guild_id: d.guildId, name: 'greeting', content: 'Welcome {user.name}!' });
    const cm = await sent(engine.channelMessages.sendCustom(admin, { guild_id: d.guildId, channel_id: d.generalChannelId, custom_message_id: custom.id, context: { user: { name: 'Alice' } } }));
    expect(msgs(h(), d.generalChannelId).find((m) => m.id === cm.message_id)?.content).toBe('Welcome Alice!');
  });

  it('panels are updated in place and removed', async () => {
    const { engine, sandbox } = h();
    const d = sandbox.demo;
    const panel = await engine.panels.create(admin, { guild_id: d.guildId, name: 'Ops panel', channel_id: d.generalChannelId, title: 'Old title' });
    await idle();
    const posted = await engine.panels.get({ guild_id: d.guildId, panel_id: panel.id });
    expect(posted.message_id).not.toBeNull();
    await engine.panels.update(admin, { guild_id: d.guildId, panel_id: panel.id, title: 'New title' }); await idle();
    const after = await engine.panels.get({ guild_id: d.guildId, panel_id: panel.id });
    expect(after.message_id).toBe(posted.message_id);
    expect(JSON.stringify(msgs(h(), d.generalChannelId).find((m) => m.id === posted.message_id)!.embeds)).toContain('New title');
    await engine.panels.delete(admin, { guild_id: d.guildId, panel_id: panel.id }); await idle();
    expect(msgs(h(), d.generalChannelId).find((m) => m.id === posted.message_id)).toBeUndefined();
  });

  it('sync_guild runs on demand with progress', async () => {
    const { engine, sandbox } = h();
    const op = findOperation('sync_guild')!;
    const progress: string[] = [];
    const out = await invoke(op, { engine, actor: admin, requestId: 'r1', signal: new AbortController().signal, progress: (_d, _t, m) => { if (m) progress.push(m); } }, { guild_id: sandbox.demo.guildId });
    expect(out).toMatchObject({ guild_id: sandbox.demo.guildId, created_default_group: false });
    expect((out as { members: number }).members).toBeGreaterThanOrEqual(6);
    expect(progress.at(-1)).toBe('Guild synced');
  });

  it('sync_guild cancelled part-way stops and records nothing; uncancelled it records the snapshot', async () => {
    const { engine, sandbox } = h();
    const guildId = sandbox.demo.guildId;
    const syncedAt = async () => (await engine.guilds.get(guildId)).synced_at;
    const before = await syncedAt();
    const op = findOperation('sync_guild')!;
    const abort = new AbortController();
    const seen: string[] = [];
    const run = invoke(op, { engine, actor: admin, requestId: 'r2', signal: abort.signal, progress: (_d, _t, m) => {
      if (m) seen.push(m);
      if (m === 'Fetching members') abort.abort(); // the guild, channels and roles are fetched by now
    } }, { guild_id: guildId });
    await expect(run).rejects.toMatchObject({ code: 'unavailable', message: expect.stringMatching(/cancelled/) });
    expect(seen.at(-1)).toBe('Fetching members');
    expect(await syncedAt()).toBe(before);

    await invoke(op, { engine, actor: admin, requestId: 'r3', signal: new AbortController().signal, progress: () => {} }, { guild_id: guildId });
    expect(Date.parse((await syncedAt())!)).toBeGreaterThan(Date.parse(before ?? '1970-01-01'));
  });

  it('gateway: a channel deleted by hand deletes its ticket; leaving closes tickets where asked; expiry closes unless eternal', async () => {
    const { engine, sandbox, discord } = h();
    const d = sandbox.demo;
    const { t, ref } = await newTicket();
    await fetch(`${sandbox.apiUrl}/v10/channels/${t.channel_id}`, { method: 'DELETE', headers: { authorization: `Bot ${sandbox.botToken}` } });
    await eventually(async () => expect((await engine.tickets.get(ref)).deleted_at).not.toBeNull());

    const leaving = await engine.groups.create(admin, { guild_id: d.guildId, name: 'Leavers', opened_category_id: d.supportCategoryId, staff_role_ids: [d.staffRoleId], close_on_leave: true });
    const l = await engine.tickets.create(admin, { guild_id: d.guildId, user_id: '958372614409273344', ticket_group_id: leaving.id });
    const stays = await engine.tickets.create(admin, { guild_id: d.guildId, user_id: '958372614409273344' });
    sandbox.actLeave({ user_id: '958372614409273344' });
    await eventually(async () => expect((await engine.tickets.get({ guild_id: d.guildId, ticket: { ticket_id: l.id } })).status).toBe('closed'));
    // The default group does not close on leave: the same member's ticket there stays open.
    expect((await engine.tickets.get({ guild_id: d.guildId, ticket: { ticket_id: stays.id } })).status).toBe('open');

    const a = await newTicket();
    const b = await newTicket();
    const past = new Date(Date.now() - 60_000).toISOString();
    await engine.tickets.setExpiry(admin, { ...a.ref, expire_at: past });
    await engine.tickets.setExpiry(admin, { ...b.ref, expire_at: past });
    await engine.tickets.setEternal(admin, { ...b.ref, eternal: true });
    await discord.scheduler.tick();
    expect((await engine.tickets.get(a.ref)).status).toBe('closed');
    expect((await engine.tickets.get(b.ref)).status).toBe('open');
  });

  it('an idle ticket: the scheduler warns its owner in the channel with a ping, a reply keeps it open, silence closes it', async () => {
    const { engine, discord, database: dbh } = h();
    const d = h().sandbox.demo;
    const quiet = await engine.groups.create(admin, { guild_id: d.guildId, name: 'Quiet', opened_category_id: d.supportCategoryId, staff_role_ids: [d.staffRoleId], auto_close_hours: 2, stale_warning_hours: 1 });
    const { t, ref } = await newTicket(quiet.id);
    const channelId = t.channel_id!;
    // As if it had opened 90 minutes ago with nobody writing since (the bot's opening message does not count).
    const backdate = (minutes: number) => dbh.db.updateTable('tickets').set({ opened_at: new Date(Date.now() - minutes * 60_000), last_activity: null }).where('id', '=', t.id).execute();
    await backdate(90);
    await discord.scheduler.tick(); await idle();
    const warning = msgs(h(), channelId).find((m) => m.content.includes('closes by itself'));
    expect(warning, 'the warning is posted in the ticket').toBeDefined();
    expect((warning as unknown as { mentions: Array<{ id: string }> }).mentions.map((u) => u.id)).toEqual([d.customerUserId]);
    // The owner answers: the ticket is alive again, and a new tick neither warns nor closes it.
    h().sandbox.actMessage({ user_id: d.customerUserId, channel_id: channelId, content: 'Still here, still broken.' });
    await eventually(async () => expect((await dbh.db.selectFrom('tickets').select('last_activity').where('id', '=', t.id).executeTakeFirstOrThrow()).last_activity).not.toBeNull());
    await discord.scheduler.tick(); await idle();
    expect((await engine.tickets.get(ref)).status).toBe('open');
    expect(msgs(h(), channelId).filter((m) => m.content.includes('closes by itself'))).toHaveLength(1);
    // Three hours of silence: closed like any close (owner loses SendMessages), with the reason.
    await backdate(180);
    await discord.scheduler.tick(); await idle();
    expect(await engine.tickets.get(ref)).toMatchObject({ status: 'closed', closed_reason: 'No activity for 2 hours.' });
    expect(has(ow(chan(h(), channelId)!, d.customerUserId)!.deny, SEND)).toBe(true);
  });

  it('a close request: the owner is pinged with Close / Keep it open buttons, and each button does what it says', async () => {
    const { engine, sandbox } = h();
    const { t, ref, d } = await newTicket();
    const channelId = t.channel_id!;
    const requestMessage = () => msgs(h(), channelId).filter((m) => m.content.includes('thinks this ticket can be closed')).at(-1) as unknown as Msg & { mentions: Array<{ id: string }>; components: Array<{ components: Array<{ custom_id: string; label: string }> }> };
    // Staff asks with /ticket closerequest: the request is on the ticket, the message pings only the owner.
    await sandbox.actInteraction({ user_id: d.staffUserId, channel_id: channelId, type: 'command', command: 'ticket closerequest', options: { reason: 'Refund sent', hours: 24 }, settle_ms: 10_000 });
    // The command answers at once (deferred) and asks a moment later.
    await eventually(async () => expect((await engine.tickets.get(ref)).close_request).toMatchObject({ requested_by: d.staffUserId, reason: 'Refund sent', closes_at: expect.any(String) }));
    await idle();
    const first = requestMessage();
    expect(first.content).toContain(`<@${d.customerUserId}> <@${d.staffUserId}> thinks this ticket can be closed: Refund sent.`);
    expect(first.mentions.map((u) => u.id)).toEqual([d.customerUserId]);
    const buttons = first.components[0]!.components;
    expect(buttons.map((b) => b.label)).toEqual(['Close ticket', 'Keep it open']);

    // A member added to the ticket sees the buttons but, neither owner nor staff, cannot answer.
    await engine.tickets.addMember(admin, { ...ref, user_id: d.memberUserId }); await idle();
    const stranger = await sandbox.actInteraction({ user_id: d.memberUserId, channel_id: channelId, type: 'button', custom_id: buttons[1]!.custom_id, message_id: first.id });
    expect(JSON.stringify(stranger.response)).toContain('Only the ticket owner or staff');
    // The owner keeps it open (settle: wait for the deferred answer, sent once the engine has the decision).
    await sandbox.actInteraction({ user_id: d.customerUserId, channel_id: channelId, type: 'button', custom_id: buttons[1]!.custom_id, message_id: first.id, settle_ms: 10_000 });
    await idle();
    expect(await engine.tickets.get(ref)).toMatchObject({ status: 'open', close_request: null });
    expect(msgs(h(), channelId).some((m) => m.content === `<@${d.customerUserId}> kept this ticket open.`)).toBe(true);

    // Asked again (by an agent), the owner closes it: closed like any close, with the request's reason.
    await engine.tickets.requestClose(admin, { ...ref, reason: 'All fixed' });
    await idle();
    const second = requestMessage();
    expect(second.id).not.toBe(first.id);
    await sandbox.actInteraction({ user_id: d.customerUserId, channel_id: channelId, type: 'button', custom_id: second.components[0]!.components[0]!.custom_id, message_id: second.id, settle_ms: 10_000 });
    await idle();
    expect(await engine.tickets.get(ref)).toMatchObject({ status: 'closed', closed_reason: 'All fixed', closed_by: d.customerUserId });
    expect(has(ow(chan(h(), channelId)!, d.customerUserId)!.deny, SEND)).toBe(true);
  });

  it('feedback: a closed ticket\'s owner is asked by DM to rate it, rates with a comment, and the rating lands in the feedback channel', async () => {
    const { engine, sandbox } = h();
    const d = sandbox.demo;
    const rated = await engine.groups.create(admin, { guild_id: d.guildId, name: 'Rated', opened_category_id: d.supportCategoryId, staff_role_ids: [d.staffRoleId], feedback_channel_id: d.generalChannelId });
    const { ref } = await newTicket(rated.id);
    await engine.tickets.close(admin, { ...ref, reason: 'Solved' });
    await idle();
    const dm = (sandbox.state().channels as unknown as Array<{ id: string; type: number; recipients?: Array<{ id: string }> }>)
      .find((c) => c.type === 1 && c.recipients?.some((r) => r.id === d.customerUserId));
    expect(dm, 'a DM channel with the owner').toBeDefined();
    type Row = { components: Array<{ custom_id: string; label: string }> };
    const ask = (msgs(h(), dm!.id) as unknown as Array<Msg & { components: Row[] }>).filter((m) => m.content.includes('How did we do')).at(-1);
    expect(ask?.content).toContain(`ticket #`);
    const buttons = ask!.components.flatMap((r) => r.components);
    expect(buttons.map((b) => b.label)).toEqual(['⭐', '⭐⭐', '⭐⭐⭐', '⭐⭐⭐⭐', '⭐⭐⭐⭐⭐']);

    // Four stars: the button opens the comment form, its submit records both.
    const click = await sandbox.actInteraction({ user_id: d.customerUserId, channel_id: dm!.id, type: 'button', custom_id: buttons[3]!.custom_id, message_id: ask!.id });
    expect(click.response?.type).toBe(9);
    await sandbox.actInteraction({ user_id: d.customerUserId, channel_id: dm!.id, type: 'modal', custom_id: String(click.response?.data?.['custom_id']), fields: { comment: 'Quick and kind <@&1>' } });
    await eventually(async () => expect(await engine.tickets.get(ref)).toMatchObject({ rating: 4, rating_comment: 'Quick and kind <@&1>' }));
    await idle();
    const post = msgs(h(), d.generalChannelId).filter((m) => m.content.includes('rated')).at(-1) as unknown as Msg & { mentions: unknown[]; mention_roles: unknown[] };
    expect(post.content).toContain('rated ⭐⭐⭐⭐ (4/5)');
    expect(post.content).toContain('> Quick and kind');
    expect(post.mentions).toEqual([]);
    expect(post.mention_roles).toEqual([]);

    // Reopened and closed again, a rated ticket is not asked twice.
    const asked = () => msgs(h(), dm!.id).filter((m) => m.content.includes('How did we do')).length;
    const before = asked();
    await engine.tickets.reopen(admin, ref);
    await engine.tickets.close(admin, ref);
    await idle();
    expect(asked()).toBe(before);
  });

  it('a blocked member, or one with a blocked role, is told so when opening from Discord, and no ticket opens', async () => {
    const { engine, sandbox } = h();
    const d = sandbox.demo;
    const openAs = (userId: string) => sandbox.actInteraction({ user_id: userId, channel_id: d.ticketsChannelId, type: 'command', command: 'ticket open', options: { topic: 'Let me in' } });
    const count = async (userId: string) => (await engine.tickets.list({ guild_id: d.guildId, owner_id: userId })).total;
    const before = { member: await count(d.memberUserId), staff: await count(d.secondStaffUserId) };
    await engine.blocks.add(admin, { guild_id: d.guildId, user_id: d.memberUserId, reason: 'raid' });
    await engine.blocks.add(admin, { guild_id: d.guildId, role_id: d.staffRoleId });
    for (const userId of [d.memberUserId, d.secondStaffUserId]) {
      const r = await openAs(userId);
      expect(r.response?.data?.['content']).toBe('You are blocked from opening tickets in this server.');
    }
    expect({ member: await count(d.memberUserId), staff: await count(d.secondStaffUserId) }).toEqual(before);
    // Lifted, the member opens a ticket again.
    await engine.blocks.remove(admin, { guild_id: d.guildId, user_id: d.memberUserId });
    await engine.blocks.remove(admin, { guild_id: d.guildId, role_id: d.staffRoleId });
    await openAs(d.memberUserId);
    await eventually(async () => expect(await count(d.memberUserId)).toBe(before.member + 1));
    // Its channel is made before the next test plants faults.
    await eventually(async () => expect((await engine.tickets.list({ guild_id: d.guildId, owner_id: d.memberUserId, sort: 'created_at', order: 'desc', per_page: 1 })).tickets[0]?.channel_id).toBeTruthy());
    await idle();
  });

  it('context menus: a ticket about a message (quoted, linked) for the one who asks; staff open one for a member', async () => {
    const { engine, sandbox } = h();
    const d = sandbox.demo;
    const newest = async (userId: string) => (await engine.tickets.list({ guild_id: d.guildId, owner_id: userId, sort: 'created_at', order: 'desc', per_page: 1 })).tickets[0];
    const posted = sandbox.actMessage({ user_id: d.customerUserId, channel_id: d.generalChannelId, content: 'My printer is on fire\nand the manual says nothing' }) as { id: string };
    const about = await sandbox.actInteraction({ user_id: d.customerUserId, channel_id: d.generalChannelId, type: 'command', command: 'Open a ticket about this', target_id: posted.id, settle_ms: 10_000 });
    const t = (await newest(d.customerUserId))!;
    expect(t).toMatchObject({ topic: 'My printer is on fire', status: 'open' });
    expect(JSON.stringify(about.message)).toContain(`Your ticket #${t.number} is open`);
    await idle();
    const opening = msgs(h(), t.channel_id!).find((m) => m.embeds.length > 0) as unknown as { embeds: Array<{ description?: string }> };
    expect(opening.embeds[0]?.description).toContain(`About https://discord.com/channels/${d.guildId}/${d.generalChannelId}/${posted.id} by <@${d.customerUserId}>:\n> My printer is on fire\n> and the manual says nothing`);

    // On a member: staff only.
    const refused = await sandbox.actInteraction({ user_id: d.memberUserId, channel_id: d.generalChannelId, type: 'command', command: 'Open a ticket for them', target_id: d.customerUserId });
    expect(refused.response?.data?.['content']).toBe('Only staff can open tickets for other members.');
    const before = (await engine.tickets.list({ guild_id: d.guildId, owner_id: d.memberUserId })).total;
    const forThem = await sandbox.actInteraction({ user_id: d.staffUserId, channel_id: d.generalChannelId, type: 'command', command: 'Open a ticket for them', target_id: d.memberUserId, settle_ms: 10_000 });
    expect((await engine.tickets.list({ guild_id: d.guildId, owner_id: d.memberUserId })).total).toBe(before + 1);
    expect(JSON.stringify(forThem.message)).toContain(`for <@${d.memberUserId}> is open`);
    await idle();
  });

  it('a group cooldown: a second /ticket open too soon is answered with the wait, and opens nothing', async () => {
    const { engine, sandbox } = h();
    const d = sandbox.demo;
    const group = (await engine.guilds.get(d.guildId)).default_group_id!;
    await engine.groups.update(admin, { guild_id: d.guildId, group_id: group, cooldown_seconds: 600 });
    try {
      const openOwn = () => sandbox.actInteraction({ user_id: d.secondStaffUserId, channel_id: d.ticketsChannelId, type: 'command', command: 'ticket open', options: { topic: 'Again' }, settle_ms: 10_000 });
      const count = async () => (await engine.tickets.list({ guild_id: d.guildId, owner_id: d.secondStaffUserId })).total;
      await openOwn();
      const after = await count();
      const again = await openOwn();
      // The wait shows as a Discord timestamp (each member reads it in their own language): ten minutes from the first open.
      const waitUntil = /^You opened a ticket in .+ a moment ago\. You can open another <t:(\d+):R>\.$/.exec(String(again.response?.data?.['content']));
      expect(waitUntil, String(again.response?.data?.['content'])).not.toBeNull();
      const left = Number(waitUntil![1]) * 1000 - Date.now();
      expect(left).toBeGreaterThan(580_000);
      expect(left).toBeLessThanOrEqual(601_000);
      expect(await count()).toBe(after);
      await idle();
    } finally {
      await engine.groups.update(admin, { guild_id: d.guildId, group_id: group, cooldown_seconds: null });
    }
  });

  it('required roles: a member without one is told which roles open tickets here; given one in Discord, they open at once', async () => {
    const { engine, sandbox } = h();
    const d = sandbox.demo;
    const group = (await engine.guilds.get(d.guildId)).default_group_id!;
    const api = (method: string, path: string) => fetch(`${sandbox.apiUrl}/v10${path}`, { method, headers: { authorization: `Bot ${sandbox.botToken}` } });
    const count = async () => (await engine.tickets.list({ guild_id: d.guildId, owner_id: d.memberUserId })).total;
    const openOwn = () => sandbox.actInteraction({ user_id: d.memberUserId, channel_id: d.ticketsChannelId, type: 'command', command: 'ticket open', options: { topic: 'Members only' }, settle_ms: 10_000 });
    await engine.groups.update(admin, { guild_id: d.guildId, group_id: group, required_role_ids: [d.adminRoleId] });
    try {
      const before = await count();
      const refused = await openOwn();
      expect(refused.response?.data?.['content']).toMatch(new RegExp(`^Opening a ticket in .+ needs one of these roles: <@&${d.adminRoleId}>\\.$`));
      expect(refused.response?.data?.['allowed_mentions'], 'names the role without pinging it').toEqual({ parse: [] });
      expect(await count()).toBe(before);
      // The role given a moment ago (before any sync) counts: the interaction carries the member's live roles.
      await api('PUT', `/guilds/${d.guildId}/members/${d.memberUserId}/roles/${d.adminRoleId}`);
      const opened = await openOwn();
      expect(JSON.stringify(opened.message ?? opened.response)).toMatch(/Your ticket #\d+ is/);
      expect(await count()).toBe(before + 1);
      await idle();
    } finally {
      await api('DELETE', `/guilds/${d.guildId}/members/${d.memberUserId}/roles/${d.adminRoleId}`);
      await engine.groups.update(admin, { guild_id: d.guildId, group_id: group, required_role_ids: [] });
    }
  });

  it('a name Discord\'s word filter refuses: ticket #1488 and its notes open under neutral names, a refused rename keeps the name and says so', async () => {
    const { engine, sandbox, database: dbh } = h();
    const d = sandbox.demo;
    await dbh.db.updateTable('guilds').set({ ticket_counter: 1487 }).where('id', '=', d.guildId).execute();
    const t = await engine.tickets.create(admin, { guild_id: d.guildId, user_id: d.customerUserId, topic: 'Filtered' });
    expect(t.number).toBe(1488);
    expect(t.channel_id, 'the ticket opened all the same').not.toBeNull();
    expect(chan(h(), t.channel_id!)!.name).toMatch(/^ticket-[a-z]{8}$/);
    expect(t.name, 'the ticket carries the name Discord shows').toBe(chan(h(), t.channel_id!)!.name);
    const ref = { guild_id: d.guildId, ticket: { ticket_id: t.id } };
    const linked = (await engine.tickets.events({ ...ref })).events.find((e) => e.kind === 'discord_linked');
    expect(linked?.data).toMatchObject({ changes: { name: t.name } });

    await engine.tickets.createNotes(admin, ref); await idle();
    const notes = (await engine.tickets.get(ref)).notes_thread_id;
    expect(notes).not.toBeNull();
    expect(chan(h(), notes!)!.name).toMatch(/^notes-[a-z]{8}$/);

    await engine.tickets.rename(admin, { ...ref, name: 'refund 1488' }); await idle();
    expect(chan(h(), t.channel_id!)!.name, 'Discord kept the old name').toBe(t.name);
    expect(msgs(h(), t.channel_id!).map((m) => m.content)).toContainEqual(expect.stringMatching(/^⚠️ Discord refused the name "refund-1488" .*Pick another name\.$/));
    const job = await dbh.db.selectFrom('discord_jobs').select(['status', 'result']).where('ticket_id', '=', t.id).where('kind', '=', 'ticket.rename').executeTakeFirstOrThrow();
    expect(job).toMatchObject({ status: 'done', result: { renamed: false, refused: 'refund-1488' } });

    // Thread tickets too: a template Discord refuses gives a neutral thread name.
    const group = await engine.groups.create(admin, { guild_id: d.guildId, name: 'Filtered threads', mode: 'thread', opened_channel_id: d.ticketsChannelId, name_template: 'case-1488-{number}' });
    const th = await engine.tickets.create(admin, { guild_id: d.guildId, user_id: d.customerUserId, ticket_group_id: group.id });
    expect(th.thread_id).not.toBeNull();
    expect(chan(h(), th.thread_id!)!.name).toMatch(/^ticket-[a-z]{8}$/);
    await engine.groups.delete(admin, { guild_id: d.guildId, group_id: group.id }).catch(() => {});
    await idle();
  });

  it('an agent\'s reply posted by the bot answers the ticket: the owner\'s turn, first response; the owner\'s next line hands it back', async () => {
    const { engine, sandbox } = h();
    const { t, ref, d } = await newTicket();
    expect(t.waiting_on).toBe('staff');
    await engine.channelMessages.send(operatorActor('601082144459178129'), { guild_id: d.guildId, channel_id: t.channel_id!, content: 'Hi! Could you send your order number?' });
    await idle();
    const answered = await engine.tickets.get(ref);
    const posted = msgs(h(), t.channel_id!).find((m) => m.content === 'Hi! Could you send your order number?')!;
    expect(answered).toMatchObject({ waiting_on: 'owner', first_response_at: answered.waiting_since });
    expect(Date.parse(answered.waiting_since!)).toBe(Number((BigInt(posted.id) >> 22n) + 1420070400000n));
    sandbox.actMessage({ user_id: d.customerUserId, channel_id: t.channel_id!, content: 'It is 4242' });
    await eventually(async () => expect((await engine.tickets.get(ref)).waiting_on).toBe('staff'));
    // A notice of the bot's own (a message into another channel, or the system's) answers nothing.
    await engine.channelMessages.send(operatorActor('601082144459178129'), { guild_id: d.guildId, channel_id: d.generalChannelId, content: 'Unrelated' });
    await idle();
    expect((await engine.tickets.get(ref)).waiting_on).toBe('staff');
  });

  it('claim modes: a claimed ticket in a private group hides from other staff, in a read_only group they can read; unclaimed it is theirs again', async () => {
    const { engine } = h();
    const d = h().sandbox.demo;
    const group = (await engine.guilds.get(d.guildId)).default_group_id!;
    const staffRole = () => ow(chan(h(), channelId)!, d.staffRoleId)!;
    let channelId = '';
    try {
      expect((await engine.groups.update(admin, { guild_id: d.guildId, group_id: group, claim_mode: 'private' })).claim_mode).toBe('private');
      const { t, ref } = await newTicket();
      channelId = t.channel_id!;
      expect(has(staffRole().allow, VIEW), 'unclaimed: all staff see it').toBe(true);
      await engine.tickets.assign(admin, { ...ref, user_id: d.staffUserId }); await idle();
      expect(has(staffRole().deny, VIEW)).toBe(true);
      expect(has(staffRole().allow, VIEW)).toBe(false);
      expect(has(ow(chan(h(), channelId)!, d.staffUserId)?.allow, VIEW | SEND), 'the claimer keeps it').toBe(true);
      await engine.tickets.unassign(admin, ref); await idle();
      expect(has(staffRole().allow, VIEW | SEND)).toBe(true);
      expect(staffRole().deny).toBe('0');

      await engine.groups.update(admin, { guild_id: d.guildId, group_id: group, claim_mode: 'read_only' });
      await engine.tickets.claim({ ...admin, userId: d.secondStaffUserId }, ref); await idle();
      expect(has(staffRole().allow, VIEW)).toBe(true);
      expect(has(staffRole().deny, SEND)).toBe(true);
      expect(has(ow(chan(h(), channelId)!, d.secondStaffUserId)?.allow, VIEW | SEND)).toBe(true);
    } finally {
      await engine.groups.update(admin, { guild_id: d.guildId, group_id: group, claim_mode: 'open' });
      await idle();
    }
  });

  it('auto replies: the owner writing a keyword gets the saved answer once per ticket; staff writing it, or a partial word, gets nothing', async () => {
    const { engine, sandbox } = h();
    const { t, ref, d } = await newTicket();
    const channelId = t.channel_id!;
    const saved = await engine.customMessages.create(admin, { guild_id: d.guildId, name: 'Refund answer', content: 'Hi {user}, refunds for ticket #{ticket.number} take five days.', auto_keywords: ['refund', 'money back'] });
    try {
      const answers = () => msgs(h(), channelId).filter((m) => m.content.startsWith('Hi <@'));
      const write = async (userId: string, content: string) => {
        sandbox.actMessage({ user_id: userId, channel_id: channelId, content });
        await eventually(async () => expect((await engine.transcripts.listMessages({ ...ref, limit: 100 })).messages.map((m) => m.content)).toContain(content));
        await idle();
      };
      await write(d.customerUserId, 'Where are my refunds?');
      expect(answers(), '"refunds" is not the word "refund"').toHaveLength(0);
      await write(d.staffUserId, 'About your refund: checking.');
      expect(answers(), 'staff writing the word is no question').toHaveLength(0);
      await write(d.customerUserId, 'I want my REFUND now');
      expect(answers().map((m) => m.content)).toEqual([`Hi <@${d.customerUserId}>, refunds for ticket #${t.number} take five days.`]);
      await write(d.customerUserId, 'Still no money back!');
      expect(answers(), 'once per ticket').toHaveLength(1);
      const events = (await engine.tickets.events(ref)).events.filter((e) => e.kind === 'auto_replied');
      expect(events).toHaveLength(1);
      expect(events[0]?.data).toMatchObject({ custom_message_id: saved.id, name: 'Refund answer' });
      expect((await engine.tickets.get(ref)).waiting_on, 'an auto reply answers nothing').toBe('staff');
      // A message an auto reply could not fill in is refused as one.
      await expect(engine.customMessages.update(admin, { guild_id: d.guildId, custom_message_id: saved.id, content: 'Hi {user}, {staff} here.' })).rejects.toThrow(/uses \{staff\}/);
    } finally {
      await engine.customMessages.delete(admin, { guild_id: d.guildId, custom_message_id: saved.id });
    }
  });

  it('/ticket queue shows staff the tickets waiting on them, longest first, and nobody else', async () => {
    const { engine, sandbox } = h();
    const d = sandbox.demo;
    const waiting = (await engine.tickets.list({ guild_id: d.guildId, waiting_on: 'staff', sort: 'waiting_since', order: 'asc', per_page: 15 }));
    const { t } = await newTicket();
    await engine.channelMessages.send(operatorActor(d.staffUserId), { guild_id: d.guildId, channel_id: t.channel_id!, content: 'On it!' });
    await idle();
    const { t: second } = await newTicket();
    const ask = (userId: string) => sandbox.actInteraction({ user_id: userId, channel_id: d.generalChannelId, type: 'command', command: 'ticket queue', settle_ms: 10_000 });
    const refused = await ask(d.customerUserId);
    expect(refused.response?.data?.['content']).toBe('Only staff can do that.');
    const shown = String(((await ask(d.staffUserId)).message as { content?: string } | undefined)?.content);
    const total = waiting.total + 1;
    expect(shown).toContain(`**${total} ticket${total === 1 ? '' : 's'} waiting on staff**, longest first:`);
    // Longest wait first: the engine's queue order, fifteen at most.
    const order = (await engine.tickets.list({ guild_id: d.guildId, waiting_on: 'staff', sort: 'waiting_since', order: 'asc', per_page: 15 })).tickets;
    const listed = [...shown.matchAll(/^\d+\. (<#\d+>|#\d+)/gm)].map((m) => m[1]);
    expect(listed).toEqual(order.map((x) => (x.channel_id ? `<#${x.channel_id}>` : `#${x.number}`)));
    // Waits are Discord timestamps of when the ticket started waiting on staff.
    const since = order.find((x) => x.channel_id === second.channel_id)?.waiting_since;
    if (total <= 15) expect(shown).toContain(`${total}. <#${second.channel_id}> · waiting since <t:${Math.floor(Date.parse(since!) / 1000)}:R> · unclaimed · Help`);
    expect(shown, 'an answered ticket waits on its owner, not on staff').not.toContain(`<#${t.channel_id}>`);
  });

  it('/ticket tag posts a saved message in the ticket, filled in for it; staff only, and an unknown name lists the saved ones', async () => {
    const { engine, sandbox } = h();
    const { t, d } = await newTicket();
    const channelId = t.channel_id!;
    await engine.customMessages.create(admin, { guild_id: d.guildId, name: 'Refund policy', content: 'Hi {user}, refunds take five days (ticket #{ticket.number} on {guild.name}). {staff}' });
    const tag = (userId: string, name: string) => sandbox.actInteraction({ user_id: userId, channel_id: channelId, type: 'command', command: 'ticket tag', options: { name }, settle_ms: 10_000 });
    const posted = await tag(d.staffUserId, 'refund POLICY');
    expect(JSON.stringify(posted.message)).toContain('Posted \\"Refund policy\\".');
    await idle();
    expect(msgs(h(), channelId).map((m) => m.content)).toContain(`Hi <@${d.customerUserId}>, refunds take five days (ticket #${t.number} on TicketBridge Demo). <@${d.staffUserId}>`);
    const unknown = await tag(d.staffUserId, 'shipping');
    expect(JSON.stringify(unknown.message)).toMatch(/No saved message called \\"shipping\\".*Refund policy/);
    const owner = await tag(d.customerUserId, 'Refund policy');
    expect(owner.response?.data?.['content']).toBe('Only staff can do that.');
  });

  it('channels and member roles changed in Discord between syncs reach the engine at once', async () => {
    const { engine, sandbox, database: dbh } = h();
    const d = sandbox.demo;
    const api = (method: string, path: string, body?: unknown) => fetch(`${sandbox.apiUrl}/v10${path}`, {
      method, headers: { authorization: `Bot ${sandbox.botToken}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const made = await (await api('POST', `/guilds/${d.guildId}/channels`, { name: 'announcements', type: 0 })).json() as { id: string };
    const listed = async () => (await engine.guilds.channels({ guild_id: d.guildId, include_deleted: true })).channels.find((c) => c.id === made.id);
    await eventually(async () => expect(await listed()).toMatchObject({ name: 'announcements', deleted_at: null }));
    // An agent can post there right away.
    await engine.channelMessages.send(admin, { guild_id: d.guildId, channel_id: made.id, content: 'Maintenance at noon' });
    await idle();
    expect(msgs(h(), made.id).map((m) => m.content)).toContain('Maintenance at noon');
    await api('PATCH', `/channels/${made.id}`, { name: 'news' });
    await eventually(async () => expect((await listed())?.name).toBe('news'));
    await api('DELETE', `/channels/${made.id}`);
    await eventually(async () => expect((await listed())?.deleted_at).not.toBeNull());

    // A role given in Discord counts for a role block at once, on every route (the synced roles).
    const roles = async () => (await dbh.db.selectFrom('members').select('roles').where('guild_id', '=', d.guildId).where('user_id', '=', d.memberUserId).executeTakeFirstOrThrow()).roles;
    await engine.blocks.add(admin, { guild_id: d.guildId, role_id: d.adminRoleId, reason: 'test' });
    try {
      await api('PUT', `/guilds/${d.guildId}/members/${d.memberUserId}/roles/${d.adminRoleId}`);
      await eventually(async () => expect(await roles()).toContain(d.adminRoleId));
      expect(await engine.blocks.blocking(d.guildId, d.memberUserId)).toMatchObject({ target_type: 'role', target_id: d.adminRoleId });
      await api('DELETE', `/guilds/${d.guildId}/members/${d.memberUserId}/roles/${d.adminRoleId}`);
      await eventually(async () => expect(await roles()).not.toContain(d.adminRoleId));
      expect(await engine.blocks.blocking(d.guildId, d.memberUserId)).toBeNull();
    } finally {
      await engine.blocks.remove(admin, { guild_id: d.guildId, role_id: d.adminRoleId });
    }
  });

  it('a job Discord keeps refusing is dead with its reason, and the ticket says so', async () => {
    const { engine, sandbox } = h();
    const d = sandbox.demo;
    sandbox.addFault({ route: '/guilds/:guild_id/channels', method: 'POST', status: 403, count: 1 });
    const t = await engine.tickets.create(admin, { guild_id: d.guildId, user_id: d.customerUserId });
    expect(t.channel_id).toBeNull();
    expect(t.discord.status).toBe('dead');
    expect(t.discord.error).toMatch(/ticket\.open.*403/);
    // 5xx is retried: two failures, then it works.
    sandbox.addFault({ route: '/guilds/:guild_id/channels', method: 'POST', status: 503, count: 5 });
    const r = await engine.tickets.create(admin, { guild_id: d.guildId, user_id: d.customerUserId });
    expect(r.channel_id).not.toBeNull();
    expect(r.discord.status).toBe('ok');
  });
});
