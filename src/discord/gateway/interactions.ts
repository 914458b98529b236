/**
 * Buttons, selects, modals, /ticket commands and the context menus into engine operations, acting as the clicking user.
 * Every answer is ephemeral; engine errors become their sentence. Anything that may wait for Discord
 * (opening a ticket waits for its channel) defers first, so the 3-second deadline is never missed.
 */
import {
  MessageFlags, PermissionFlagsBits,
  type ButtonInteraction, type ChatInputCommandInteraction, type Interaction, type MessageContextMenuCommandInteraction, type ModalSubmitInteraction,
  type RepliableInteraction, type StringSelectMenuInteraction, type UserContextMenuCommandInteraction,
} from 'discord.js';
import type { FormAnswer, FormField } from '../../db/schema.js';
import type { Actor } from '../../engine/actor.js';
import { asUnavailable, EngineError, isEngineError } from '../../engine/errors.js';
import type { Engine } from '../../engine/index.js';
import type { GroupDetail } from '../../engine/groups.js';
import type { Logger } from '../../logger.js';
import { closeModal, feedbackModal, formModal, ids, parseCustomId, type ParsedId } from '../render.js';
import { describeSchedule, withinWorkingHours } from '../working-hours.js';
import { humanDuration } from '../../duration.js';

export interface InteractionDeps { engine: Engine; logger: Logger }

/** Discord users act as themselves, through the bot; never anonymously. */
export function discordActor(userId: string, guildId: string): Actor {
  return { userId, tokenId: null, abilities: new Set(['tickets:read', 'tickets:write', 'transcripts:read']), guilds: [guildId], asBot: true };
}

const say = (message: string) => new EngineError('forbidden', message);

async function answer(i: RepliableInteraction, text: string): Promise<void> {
  const content = text.slice(0, 2000);
  // Answers name roles and channels to point at them, never to ping anyone.
  const allowedMentions = { parse: [] };
  if (i.deferred || i.replied) await i.editReply({ content, allowedMentions });
  else await i.reply({ content, flags: MessageFlags.Ephemeral, allowedMentions });
}

function memberRoles(i: RepliableInteraction): string[] {
  const m = i.member;
  if (!m) return [];
  return Array.isArray(m.roles) ? m.roles : [...m.roles.cache.keys()];
}

function isStaff(i: RepliableInteraction, staffRoleIds: readonly string[]): boolean {
  if (i.memberPermissions?.has(PermissionFlagsBits.ManageGuild) || i.memberPermissions?.has(PermissionFlagsBits.Administrator)) return true;
  return memberRoles(i).some((r) => staffRoleIds.includes(r));
}

export function createInteractionHandler(deps: InteractionDeps) {
  const { engine } = deps;

  async function groupFor(guildId: string, groupId: string | null): Promise<GroupDetail> {
    const id = groupId ?? (await engine.guilds.get(guildId)).default_group_id;
    if (!id) throw new EngineError('conflict', 'This server has no default ticket group yet; ask an admin to create one.');
    return engine.groups.get({ guild_id: guildId, group_id: id });
  }

  /** A block, working hours, the per-user limit and the cooldown, checked before a form is shown (the engine checks all but the hours again). */
  async function checkCanOpen(i: RepliableInteraction, guildId: string, group: GroupDetail): Promise<void> {
    const userId = i.user.id;
    // The member's live roles: a role given a minute ago counts before the next guild sync.
    if (await engine.blocks.blocking(guildId, userId, memberRoles(i))) throw say('You are blocked from opening tickets in this server.');
    if (group.required_role_ids.length > 0 && !memberRoles(i).some((r) => group.required_role_ids.includes(r))) {
      throw say(`Opening a ticket in ${group.name} needs one of these roles: ${group.required_role_ids.map((r) => `<@&${r}>`).join(', ')}.`);
    }
    if (!withinWorkingHours(group.schedule, group.schedule_timezone, new Date())) {
      throw new EngineError('conflict', `${group.name} is closed right now. Working hours: ${describeSchedule(group.schedule ?? {}, group.schedule_timezone)}. Please come back then.`);
    }
    if (group.per_user_limit !== null) {
      const open = await engine.tickets.list({ guild_id: guildId, owner_id: userId, group_id: group.id, status: 'open', per_page: 1 });
      if (open.total >= group.per_user_limit) {
        const first = open.tickets[0];
        throw new EngineError('conflict', `You already have ${open.total} open ticket(s) in ${group.name} (limit ${group.per_user_limit})${first?.channel_id ? `: <#${first.channel_id}>` : ''}. Close one first.`);
      }
    }
    if (group.cooldown_seconds !== null) {
      const last = (await engine.tickets.list({ guild_id: guildId, owner_id: userId, group_id: group.id, sort: 'created_at', order: 'desc', per_page: 1 })).tickets[0];
      const wait = last ? Math.ceil(group.cooldown_seconds - (Date.now() - Date.parse(last.created_at)) / 1000) : 0;
      if (wait > 0) throw new EngineError('rate_limited', `You opened a ticket in ${group.name} a moment ago. Please wait ${wait} s before opening another.`);
    }
  }

  async function open(i: RepliableInteraction, group: GroupDetail, panelId: string | null, extra: { topic?: string | undefined; form?: FormAnswer[] | undefined; message?: string | undefined }): Promise<void> {
    const guildId = i.guildId as string;
    await checkCanOpen(i, guildId, group);
    if (!extra.form && group.form_fields.length > 0 && 'showModal' in i) {
      await (i as ButtonInteraction).showModal(formModal(group as never, panelId) as never);
      return;
    }
    await i.deferReply({ flags: MessageFlags.Ephemeral });
    const t = await engine.tickets.create(discordActor(i.user.id, guildId), {
      guild_id: guildId, user_id: i.user.id, ticket_group_id: group.id, topic: extra.topic, form: extra.form, message: extra.message, member_roles: memberRoles(i),
    });
    await answer(i, t.channel_id ? `Your ticket #${t.number} is open: <#${t.channel_id}>` : `Your ticket #${t.number} is being opened; its channel will appear shortly.`);
  }

  /**
   * The context menus. On a message: a ticket for the one who clicked, about that message (quoted
   * with its link; the group's form is not asked, the message says what it is about). On a member:
   * staff open a ticket for them; the engine still checks that member's blocks and limit.
   */
  async function onContextMenu(i: MessageContextMenuCommandInteraction | UserContextMenuCommandInteraction): Promise<void> {
    const guildId = i.guildId as string;
    const group = await groupFor(guildId, null);
    if (i.isMessageContextMenuCommand()) {
      const m = i.targetMessage;
      const text = m.content.trim();
      const link = `https://discord.com/channels/${guildId}/${m.channelId}/${m.id}`;
      const quote = text ? `\n${text.slice(0, 1500).split('\n').map((l) => `> ${l}`).join('\n')}` : '';
      const firstLine = text.split('\n')[0]?.slice(0, 100);
      await open(i, group, null, { topic: firstLine || 'A message', form: [], message: `About ${link} by <@${m.author.id}>:${quote}` });
      return;
    }
    if (!isStaff(i, group.staff_role_ids)) throw say('Only staff can open tickets for other members.');
    const target = i.targetUser;
    if (target.bot) throw new EngineError('invalid', 'Tickets are for people; pick a member, not a bot.');
    await i.deferReply({ flags: MessageFlags.Ephemeral });
    const t = await engine.tickets.create(discordActor(i.user.id, guildId), { guild_id: guildId, user_id: target.id, ticket_group_id: group.id, form: [] });
    await answer(i, t.channel_id ? `Ticket #${t.number} for <@${target.id}> is open: <#${t.channel_id}>` : `Ticket #${t.number} for <@${target.id}> is being opened.`);
  }

  async function fromPanel(i: ButtonInteraction | StringSelectMenuInteraction, panelId: string, optionId: string | null): Promise<void> {
    const guildId = i.guildId as string;
    const panel = await engine.panels.get({ guild_id: guildId, panel_id: panelId });
    const option = optionId ? panel.options.find((o) => o.id === optionId) : undefined;
    if (optionId && !option) throw new EngineError('not_found', 'That option is no longer on this panel; the panel will be refreshed shortly.');
    const group = await groupFor(guildId, option?.group_id ?? panel.group_id);
    await open(i, group, panelId, { topic: option?.title });
  }

  async function ticketHere(guildId: string, ticketId: string) {
    const tc = await engine.outbox.ticketContext(ticketId);
    if (!tc || tc.ticket.guild_id !== guildId) throw new EngineError('not_found', 'This ticket no longer exists.');
    return tc;
  }

  async function onButton(i: ButtonInteraction, id: ParsedId): Promise<void> {
    const guildId = i.guildId as string;
    if (id.verb === 'panel') return fromPanel(i, id.panelId, id.optionId === '-' ? null : id.optionId);
    if (id.verb === 'close') {
      const tc = await ticketHere(guildId, id.ticketId);
      if (tc.ticket.owner_id !== i.user.id && !isStaff(i, tc.group.staff_role_ids)) throw say('Only the ticket owner or staff can close this ticket.');
      if (tc.ticket.status === 'closed') throw new EngineError('conflict', 'This ticket is already closed.');
      await i.showModal(closeModal(tc.ticket.id) as never);
      return;
    }
    if (id.verb === 'reqclose' || id.verb === 'reqkeep') {
      const tc = await ticketHere(guildId, id.ticketId);
      if (tc.ticket.owner_id !== i.user.id && !isStaff(i, tc.group.staff_role_ids)) throw say('Only the ticket owner or staff can answer this close request.');
      await i.deferReply({ flags: MessageFlags.Ephemeral });
      const accept = id.verb === 'reqclose';
      const t = await engine.tickets.answerCloseRequest(discordActor(i.user.id, guildId), { guild_id: guildId, ticket: { ticket_id: tc.ticket.id }, accept });
      await answer(i, accept ? `Ticket #${t.number} is closed. Thank you!` : `Ticket #${t.number} stays open.`);
      return;
    }
    if (id.verb === 'claim') {
      const tc = await ticketHere(guildId, id.ticketId);
      if (!isStaff(i, tc.group.staff_role_ids)) throw say('Only staff can claim tickets.');
      await i.deferReply({ flags: MessageFlags.Ephemeral });
      const t = await engine.tickets.claim(discordActor(i.user.id, guildId), { guild_id: guildId, ticket: { ticket_id: tc.ticket.id } });
      await answer(i, `You claimed ticket #${t.number}.`);
    }
  }

  /**
   * A rating from the feedback DM (no guild there): the button opens the comment form, its submit
   * records rating and comment. Only the ticket's owner may rate it.
   */
  async function onRating(i: ButtonInteraction | ModalSubmitInteraction, id: { verb: 'rate' | 'rateform'; ticketId: string; rating: number }): Promise<void> {
    const tc = await engine.outbox.ticketContext(id.ticketId);
    if (!tc || tc.ticket.deleted_at) throw new EngineError('not_found', 'This ticket no longer exists.');
    if (tc.ticket.owner_id !== i.user.id) throw say('Only the ticket owner can rate it.');
    if (id.verb === 'rate' && i.isButton()) {
      await i.showModal(feedbackModal(tc.ticket.id, id.rating) as never);
      return;
    }
    let comment = '';
    if (i.isModalSubmit()) {
      try { comment = i.fields.getTextInputValue(ids.commentField).trim(); } catch { /* no comment */ }
    }
    await i.deferReply({ flags: MessageFlags.Ephemeral });
    const guildId = tc.ticket.guild_id;
    await engine.tickets.rate(discordActor(i.user.id, guildId), { guild_id: guildId, ticket: { ticket_id: tc.ticket.id }, rating: id.rating, comment: comment || undefined });
    await answer(i, 'Thank you for your feedback!');
  }

  async function onModal(i: ModalSubmitInteraction, id: ParsedId): Promise<void> {
    const guildId = i.guildId as string;
    if (id.verb === 'form') {
      const group = await groupFor(guildId, id.groupId);
      const form = (group.form_fields as FormField[]).slice(0, 5).map((f, n) => {
        let value = '';
        try { value = i.fields.getTextInputValue(ids.formField(n)); } catch { /* optional field left out */ }
        return { title: f.label, value };
      });
      await open(i, group, id.panelId, { form });
      return;
    }
    if (id.verb === 'closeform') {
      const tc = await ticketHere(guildId, id.ticketId);
      if (tc.ticket.owner_id !== i.user.id && !isStaff(i, tc.group.staff_role_ids)) throw say('Only the ticket owner or staff can close this ticket.');
      let reason = '';
      try { reason = i.fields.getTextInputValue(ids.reasonField).trim(); } catch { /* no reason */ }
      await i.deferReply({ flags: MessageFlags.Ephemeral });
      const t = await engine.tickets.close(discordActor(i.user.id, guildId), { guild_id: guildId, ticket: { ticket_id: tc.ticket.id }, reason: reason || undefined });
      await answer(i, `Ticket #${t.number} is closed.`);
    }
  }

  /** /ticket queue: the open tickets whose owners wait on staff, longest wait first, for staff of any group. */
  async function queue(i: ChatInputCommandInteraction, guildId: string): Promise<void> {
    const groups = (await engine.groups.list({ guild_id: guildId, per_page: 100 })).groups;
    if (!isStaff(i, groups.flatMap((g) => g.staff_role_ids))) throw say('Only staff can do that.');
    await i.deferReply({ flags: MessageFlags.Ephemeral });
    const page = await engine.tickets.list({ guild_id: guildId, waiting_on: 'staff', sort: 'waiting_since', order: 'asc', per_page: 15 });
    if (page.total === 0) return answer(i, 'Nobody is waiting on staff. 🎉');
    const now = Date.now();
    const lines = page.tickets.map((t, n) => {
      const where = t.channel_id ? `<#${t.channel_id}>` : `#${t.number}`;
      const who = t.assigned_id ? `claimed by <@${t.assigned_id}>` : 'unclaimed';
      return `${n + 1}. ${where} · waiting ${humanDuration(now - Date.parse(t.waiting_since ?? t.opened_at))} · ${who}${t.topic ? ` · ${t.topic.slice(0, 60)}` : ''}`;
    });
    const more = page.total > page.tickets.length ? `\n…and ${page.total - page.tickets.length} more.` : '';
    return answer(i, `**${page.total} ticket${page.total === 1 ? '' : 's'} waiting on staff**, longest first:\n${lines.join('\n')}${more}`);
  }

  async function onCommand(i: ChatInputCommandInteraction): Promise<void> {
    if (i.commandName !== 'ticket') return;
    const guildId = i.guildId;
    if (!guildId) throw new EngineError('invalid', 'Use /ticket inside a server.');
    const sub = i.options.getSubcommand();
    const actor = discordActor(i.user.id, guildId);
    if (sub === 'open') {
      const group = await groupFor(guildId, null);
      await open(i, group, null, { topic: i.options.getString('topic') ?? undefined });
      return;
    }
    if (sub === 'queue') return queue(i, guildId);
    const view = await engine.tickets.get({ guild_id: guildId, ticket: { channel_id: i.channelId } }).catch((err: unknown) => {
      if (isEngineError(err) && err.code === 'not_found') throw new EngineError('not_found', 'This channel is not a ticket. Use /ticket inside a ticket channel or thread.');
      throw err;
    });
    const tc = await ticketHere(guildId, view.id);
    const staff = isStaff(i, tc.group.staff_role_ids);
    const owner = tc.ticket.owner_id === i.user.id;
    const ownerOk = sub === 'close' || sub === 'transcript';
    if (!staff && !(owner && ownerOk)) throw say(ownerOk ? 'Only the ticket owner or staff can do that.' : 'Only staff can do that.');
    await i.deferReply({ flags: MessageFlags.Ephemeral });
    const t = { guild_id: guildId, ticket: { ticket_id: view.id } };
    const user = () => i.options.getUser('user', true).id;
    switch (sub) {
      case 'close': await engine.tickets.close(actor, { ...t, reason: i.options.getString('reason') ?? undefined }); return answer(i, 'Ticket closed.');
      case 'closerequest': {
        const r = await engine.tickets.requestClose(actor, { ...t, reason: i.options.getString('reason') ?? undefined, close_after_hours: i.options.getInteger('hours') });
        return answer(i, `Asked <@${r.owner_id}> whether this ticket can close${r.close_request?.closes_at ? '; it closes by itself if they do not answer in time' : ''}.`);
      }
      case 'reopen': await engine.tickets.reopen(actor, t); return answer(i, 'Ticket reopened.');
      case 'claim': await engine.tickets.claim(actor, t); return answer(i, 'You claimed this ticket.');
      case 'unclaim': await engine.tickets.unassign(actor, t); return answer(i, 'The ticket is unassigned.');
      case 'add': await engine.tickets.addMember(actor, { ...t, user_id: user() }); return answer(i, 'User added.');
      case 'remove': await engine.tickets.removeMember(actor, { ...t, user_id: user() }); return answer(i, 'User removed.');
      case 'rename': {
        const r = await engine.tickets.rename(actor, { ...t, name: i.options.getString('name') ?? null });
        return answer(i, `Renamed to ${r.name}. Discord allows two renames per 10 minutes, so the channel may follow a little later.`);
      }
      case 'priority': {
        const r = await engine.tickets.setPriority(actor, { ...t, priority: i.options.getInteger('level', true) });
        return answer(i, `Priority set to ${r.priority === null ? 'none' : (tc.group.priority_levels[r.priority]?.label ?? r.priority)}.`);
      }
      case 'lock': await engine.tickets.lock(actor, t); return answer(i, 'Ticket locked.');
      case 'unlock': await engine.tickets.unlock(actor, t); return answer(i, 'Ticket unlocked.');
      case 'transcript': {
        if (tc.group.transcript_channel_id) await engine.transcripts.save(actor, t);
        await engine.transcripts.send(actor, { ...t, user_id: i.user.id });
        return answer(i, 'The transcript is on its way to your DMs.');
      }
      case 'tag': {
        // A saved answer, filled in for this ticket: {user} is its owner, {staff} who posts it.
        const saved = await engine.customMessages.findByName(guildId, i.options.getString('name', true));
        await engine.channelMessages.sendCustom(actor, {
          guild_id: guildId, channel_id: i.channelId, custom_message_id: saved.id,
          context: { user: `<@${tc.ticket.owner_id}>`, staff: `<@${i.user.id}>`, ticket: { id: tc.ticket.id, number: tc.ticket.number, topic: tc.ticket.topic ?? '' } },
        });
        return answer(i, `Posted "${saved.name}".`);
      }
      case 'notes': {
        let notes = tc.ticket.notes_thread_id;
        if (!notes) notes = (await engine.tickets.createNotes(actor, t)).notes_thread_id;
        await engine.tickets.addNotesMember(actor, { ...t, user_id: i.user.id });
        return answer(i, notes ? `Staff notes: <#${notes}>` : 'The notes thread is being created.');
      }
      default: throw new EngineError('invalid', `Unknown subcommand ${sub}.`);
    }
  }

  return async (i: Interaction): Promise<void> => {
    if (!i.isRepliable()) return;
    try {
      const id = 'customId' in i ? parseCustomId(i.customId) : null;
      // Ratings come from the feedback DM; everything else happens in a server.
      if (id && (id.verb === 'rate' || id.verb === 'rateform') && (i.isButton() || i.isModalSubmit())) return await onRating(i, id);
      if (!i.guildId) return;
      if (i.isChatInputCommand()) return await onCommand(i);
      if (i.isMessageContextMenuCommand() || i.isUserContextMenuCommand()) return await onContextMenu(i);
      if (!id) return;
      if (i.isButton()) return await onButton(i, id);
      if (i.isStringSelectMenu() && id.verb === 'panelsel') {
        const optionId = i.values[0];
        if (!optionId) throw new EngineError('invalid', 'Pick one of the options.');
        return await fromPanel(i, id.panelId, optionId);
      }
      if (i.isModalSubmit()) return await onModal(i, id);
    } catch (err) {
      // A database restart is said as such (try again shortly), not as a failure of ours.
      const known = isEngineError(err) ? err : asUnavailable(err);
      const text = known ? known.message : 'Something went wrong on our side; please try again in a moment.';
      if (!known) deps.logger.error({ err: (err as Error).message, stack: (err as Error).stack }, 'interaction failed');
      await answer(i, text).catch((e: unknown) => deps.logger.warn({ err: (e as Error).message }, 'could not answer the interaction'));
    }
  };
}
