/**
 * Buttons, selects, modals, /ticket commands and the context menus into engine operations, acting as the clicking user.
 * Every answer is ephemeral; engine errors become their sentence. Anything that may wait for Discord
 * (opening a ticket waits for its channel) defers first, so the 3-second deadline is never missed.
 * Answers speak the member's language (the interaction's locale, English when we have no catalogue
 * for it), and that locale is remembered so the messages of their tickets speak it too.
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
import { t as tl, type MessageKey, type MessageParams } from '../../i18n/catalogue.js';
import { pickLocale, type Locale } from '../../i18n/locales.js';
import { closeModal, feedbackModal, formModal, ids, parseCustomId, type ParsedId } from '../render.js';
import { describeSchedule, withinWorkingHours } from '../working-hours.js';

export interface InteractionDeps { engine: Engine; logger: Logger }

/** Discord users act as themselves, through the bot; never anonymously. */
export function discordActor(userId: string, guildId: string): Actor {
  return { userId, tokenId: null, abilities: new Set(['tickets:read', 'tickets:write', 'transcripts:read']), guilds: [guildId], asBot: true };
}

/** The member's language for answers to this interaction. */
const localeOf = (i: Interaction): Locale => pickLocale(i.locale);
/** An error whose sentence comes from the catalogue, in the member's language. */
const fail = (i: Interaction, code: 'forbidden' | 'conflict' | 'not_found' | 'invalid' | 'rate_limited', key: MessageKey, params?: MessageParams) =>
  new EngineError(code, tl(localeOf(i), key, params), { localized: true });
/**
 * What a member reads for a refusal: our own checks already speak their language; an engine's
 * sentence (written for API callers, in English) gets a lead in the member's language by its kind,
 * with the engine's words kept as the detail staff may need.
 */
const refusal = (i: Interaction, err: EngineError): string =>
  (err.details['localized'] === true ? err.message : tl(localeOf(i), `error.refused.${err.code}`, { detail: err.message }));
const say = (i: Interaction, key: MessageKey, params?: MessageParams) => fail(i, 'forbidden', key, params);
const unix = (ms: number) => Math.floor(ms / 1000);

async function answerIn(i: RepliableInteraction, key: MessageKey, params?: MessageParams): Promise<void> {
  return answer(i, tl(localeOf(i), key, params));
}

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

  async function groupFor(i: Interaction, guildId: string, groupId: string | null): Promise<GroupDetail> {
    const id = groupId ?? (await engine.guilds.get(guildId)).default_group_id;
    if (!id) throw fail(i, 'conflict', 'error.noDefaultGroup');
    return engine.groups.get({ guild_id: guildId, group_id: id });
  }

  /** A block, working hours, the per-user limit and the cooldown, checked before a form is shown (the engine checks all but the hours again). */
  async function checkCanOpen(i: RepliableInteraction, guildId: string, group: GroupDetail): Promise<void> {
    const userId = i.user.id;
    // The member's live roles: a role given a minute ago counts before the next guild sync.
    if (await engine.blocks.blocking(guildId, userId, memberRoles(i))) throw say(i, 'error.blocked');
    if (group.required_role_ids.length > 0 && !memberRoles(i).some((r) => group.required_role_ids.includes(r))) {
      throw say(i, 'error.requiredRoles', { group: group.name, roles: group.required_role_ids.map((r) => `<@&${r}>`).join(', ') });
    }
    if (!withinWorkingHours(group.schedule, group.schedule_timezone, new Date())) {
      throw fail(i, 'conflict', 'error.workingHours', { group: group.name, hours: describeSchedule(group.schedule ?? {}, group.schedule_timezone, localeOf(i)) });
    }
    if (group.per_user_limit !== null) {
      const open = await engine.tickets.list({ guild_id: guildId, owner_id: userId, group_id: group.id, status: 'open', per_page: 1 });
      if (open.total >= group.per_user_limit) {
        const first = open.tickets[0];
        const params = { count: open.total, group: group.name, limit: group.per_user_limit };
        throw first?.channel_id ? fail(i, 'conflict', 'error.limitWithChannel', { ...params, channel: `<#${first.channel_id}>` }) : fail(i, 'conflict', 'error.limit', params);
      }
    }
    if (group.cooldown_seconds !== null) {
      const last = (await engine.tickets.list({ guild_id: guildId, owner_id: userId, group_id: group.id, sort: 'created_at', order: 'desc', per_page: 1 })).tickets[0];
      const until = last ? Date.parse(last.created_at) + group.cooldown_seconds * 1000 : 0;
      if (until > Date.now()) throw fail(i, 'rate_limited', 'error.cooldown', { group: group.name, when: `<t:${Math.ceil(until / 1000)}:R>` });
    }
  }

  async function open(i: RepliableInteraction, group: GroupDetail, panelId: string | null, extra: { topic?: string | undefined; form?: FormAnswer[] | undefined; message?: string | undefined }): Promise<void> {
    const guildId = i.guildId as string;
    await checkCanOpen(i, guildId, group);
    if (!extra.form && group.form_fields.length > 0 && 'showModal' in i) {
      await (i as ButtonInteraction).showModal(formModal(group, panelId, localeOf(i)) as never);
      return;
    }
    await i.deferReply({ flags: MessageFlags.Ephemeral });
    const t = await engine.tickets.create(discordActor(i.user.id, guildId), {
      guild_id: guildId, user_id: i.user.id, ticket_group_id: group.id, topic: extra.topic, form: extra.form, message: extra.message, member_roles: memberRoles(i),
    });
    await (t.channel_id ? answerIn(i, 'reply.opened', { number: t.number, channel: `<#${t.channel_id}>` }) : answerIn(i, 'reply.opening', { number: t.number }));
  }

  /**
   * The context menus. On a message: a ticket for the one who clicked, about that message (quoted
   * with its link; the group's form is not asked, the message says what it is about). On a member:
   * staff open a ticket for them; the engine still checks that member's blocks and limit.
   */
  async function onContextMenu(i: MessageContextMenuCommandInteraction | UserContextMenuCommandInteraction): Promise<void> {
    const guildId = i.guildId as string;
    const group = await groupFor(i, guildId, null);
    const l = localeOf(i);
    if (i.isMessageContextMenuCommand()) {
      const m = i.targetMessage;
      const text = m.content.trim();
      const link = `https://discord.com/channels/${guildId}/${m.channelId}/${m.id}`;
      const quote = text ? `\n${text.slice(0, 1500).split('\n').map((l) => `> ${l}`).join('\n')}` : '';
      const firstLine = text.split('\n')[0]?.slice(0, 100);
      await open(i, group, null, { topic: firstLine || tl(l, 'contextMenu.topic'), form: [], message: `${tl(l, 'contextMenu.about', { link, author: `<@${m.author.id}>` })}${quote}` });
      return;
    }
    if (!isStaff(i, group.staff_role_ids)) throw say(i, 'error.staffOnlyForOthers');
    const target = i.targetUser;
    if (target.bot) throw fail(i, 'invalid', 'error.notABot');
    await i.deferReply({ flags: MessageFlags.Ephemeral });
    const t = await engine.tickets.create(discordActor(i.user.id, guildId), { guild_id: guildId, user_id: target.id, ticket_group_id: group.id, form: [] });
    const params = { number: t.number, user: `<@${target.id}>` };
    await (t.channel_id ? answerIn(i, 'reply.openedFor', { ...params, channel: `<#${t.channel_id}>` }) : answerIn(i, 'reply.openingFor', params));
  }

  async function fromPanel(i: ButtonInteraction | StringSelectMenuInteraction, panelId: string, optionId: string | null): Promise<void> {
    const guildId = i.guildId as string;
    const panel = await engine.panels.get({ guild_id: guildId, panel_id: panelId });
    const option = optionId ? panel.options.find((o) => o.id === optionId) : undefined;
    if (optionId && !option) throw fail(i, 'not_found', 'error.optionGone');
    const group = await groupFor(i, guildId, option?.group_id ?? panel.group_id);
    await open(i, group, panelId, { topic: option?.title });
  }

  async function ticketHere(i: Interaction, guildId: string, ticketId: string) {
    const tc = await engine.outbox.ticketContext(ticketId);
    if (!tc || tc.ticket.guild_id !== guildId) throw fail(i, 'not_found', 'error.ticketGone');
    return tc;
  }

  async function onButton(i: ButtonInteraction, id: ParsedId): Promise<void> {
    const guildId = i.guildId as string;
    if (id.verb === 'panel') return fromPanel(i, id.panelId, id.optionId === '-' ? null : id.optionId);
    if (id.verb === 'close') {
      const tc = await ticketHere(i, guildId, id.ticketId);
      if (tc.ticket.owner_id !== i.user.id && !isStaff(i, tc.group.staff_role_ids)) throw say(i, 'error.ownerOrStaffClose');
      if (tc.ticket.status === 'closed') throw fail(i, 'conflict', 'error.alreadyClosed');
      await i.showModal(closeModal(tc.ticket.id, localeOf(i)) as never);
      return;
    }
    if (id.verb === 'reqclose' || id.verb === 'reqkeep') {
      const tc = await ticketHere(i, guildId, id.ticketId);
      if (tc.ticket.owner_id !== i.user.id && !isStaff(i, tc.group.staff_role_ids)) throw say(i, 'error.ownerOrStaffAnswer');
      await i.deferReply({ flags: MessageFlags.Ephemeral });
      const accept = id.verb === 'reqclose';
      const t = await engine.tickets.answerCloseRequest(discordActor(i.user.id, guildId), { guild_id: guildId, ticket: { ticket_id: tc.ticket.id }, accept });
      await answerIn(i, accept ? 'reply.closedThanks' : 'reply.staysOpen', { number: t.number });
      return;
    }
    if (id.verb === 'claim') {
      const tc = await ticketHere(i, guildId, id.ticketId);
      if (!isStaff(i, tc.group.staff_role_ids)) throw say(i, 'error.staffClaim');
      await i.deferReply({ flags: MessageFlags.Ephemeral });
      const t = await engine.tickets.claim(discordActor(i.user.id, guildId), { guild_id: guildId, ticket: { ticket_id: tc.ticket.id } });
      await answerIn(i, 'reply.claimedNumber', { number: t.number });
    }
  }

  /**
   * A rating from the feedback DM (no guild there): the button opens the comment form, its submit
   * records rating and comment. Only the ticket's owner may rate it.
   */
  async function onRating(i: ButtonInteraction | ModalSubmitInteraction, id: { verb: 'rate' | 'rateform'; ticketId: string; rating: number }): Promise<void> {
    const tc = await engine.outbox.ticketContext(id.ticketId);
    if (!tc || tc.ticket.deleted_at) throw fail(i, 'not_found', 'error.ticketGone');
    if (tc.ticket.owner_id !== i.user.id) throw say(i, 'error.ownerRate');
    if (id.verb === 'rate' && i.isButton()) {
      await i.showModal(feedbackModal(tc.ticket.id, id.rating, localeOf(i)) as never);
      return;
    }
    let comment = '';
    if (i.isModalSubmit()) {
      try { comment = i.fields.getTextInputValue(ids.commentField).trim(); } catch { /* no comment */ }
    }
    await i.deferReply({ flags: MessageFlags.Ephemeral });
    const guildId = tc.ticket.guild_id;
    await engine.tickets.rate(discordActor(i.user.id, guildId), { guild_id: guildId, ticket: { ticket_id: tc.ticket.id }, rating: id.rating, comment: comment || undefined });
    await answerIn(i, 'reply.feedbackThanks');
  }

  async function onModal(i: ModalSubmitInteraction, id: ParsedId): Promise<void> {
    const guildId = i.guildId as string;
    if (id.verb === 'form') {
      const group = await groupFor(i, guildId, id.groupId);
      const form = (group.form_fields as FormField[]).slice(0, 5).map((f, n) => {
        let value = '';
        try { value = i.fields.getTextInputValue(ids.formField(n)); } catch { /* optional field left out */ }
        return { title: f.label, value };
      });
      await open(i, group, id.panelId, { form });
      return;
    }
    if (id.verb === 'closeform') {
      const tc = await ticketHere(i, guildId, id.ticketId);
      if (tc.ticket.owner_id !== i.user.id && !isStaff(i, tc.group.staff_role_ids)) throw say(i, 'error.ownerOrStaffClose');
      let reason = '';
      try { reason = i.fields.getTextInputValue(ids.reasonField).trim(); } catch { /* no reason */ }
      await i.deferReply({ flags: MessageFlags.Ephemeral });
      const t = await engine.tickets.close(discordActor(i.user.id, guildId), { guild_id: guildId, ticket: { ticket_id: tc.ticket.id }, reason: reason || undefined });
      await answerIn(i, 'reply.closedNumber', { number: t.number });
    }
  }

  /** /ticket queue: the open tickets whose owners wait on staff, longest wait first, for staff of any group. */
  async function queue(i: ChatInputCommandInteraction, guildId: string): Promise<void> {
    const groups = (await engine.groups.list({ guild_id: guildId, per_page: 100 })).groups;
    if (!isStaff(i, groups.flatMap((g) => g.staff_role_ids))) throw say(i, 'error.staffOnly');
    await i.deferReply({ flags: MessageFlags.Ephemeral });
    const page = await engine.tickets.list({ guild_id: guildId, waiting_on: 'staff', sort: 'waiting_since', order: 'asc', per_page: 15 });
    if (page.total === 0) return answerIn(i, 'queue.empty');
    const l = localeOf(i);
    // Waits as Discord timestamps: each member reads them in their own language and time zone.
    const lines = page.tickets.map((tk, n) => {
      const where = tk.channel_id ? `<#${tk.channel_id}>` : `#${tk.number}`;
      const who = tk.assigned_id ? tl(l, 'queue.claimedBy', { user: `<@${tk.assigned_id}>` }) : tl(l, 'queue.unclaimed');
      const since = `<t:${unix(Date.parse(tk.waiting_since ?? tk.opened_at))}:R>`;
      return `${tl(l, 'queue.line', { position: n + 1, where, since, who })}${tk.topic ? ` · ${tk.topic.slice(0, 60)}` : ''}`;
    });
    const more = page.total > page.tickets.length ? `\n${tl(l, 'queue.more', { count: page.total - page.tickets.length })}` : '';
    return answer(i, `${tl(l, 'queue.title', { count: page.total })}\n${lines.join('\n')}${more}`);
  }

  async function onCommand(i: ChatInputCommandInteraction): Promise<void> {
    if (i.commandName !== 'ticket') return;
    const guildId = i.guildId;
    if (!guildId) throw fail(i, 'invalid', 'error.outsideServer');
    const sub = i.options.getSubcommand();
    const actor = discordActor(i.user.id, guildId);
    if (sub === 'open') {
      const group = await groupFor(i, guildId, null);
      await open(i, group, null, { topic: i.options.getString('topic') ?? undefined });
      return;
    }
    if (sub === 'queue') return queue(i, guildId);
    const view = await engine.tickets.get({ guild_id: guildId, ticket: { channel_id: i.channelId } }).catch((err: unknown) => {
      if (isEngineError(err) && err.code === 'not_found') throw fail(i, 'not_found', 'error.notATicket');
      throw err;
    });
    const tc = await ticketHere(i, guildId, view.id);
    const staff = isStaff(i, tc.group.staff_role_ids);
    const owner = tc.ticket.owner_id === i.user.id;
    const ownerOk = sub === 'close' || sub === 'transcript';
    if (!staff && !(owner && ownerOk)) throw say(i, ownerOk ? 'error.ownerOrStaff' : 'error.staffOnly');
    await i.deferReply({ flags: MessageFlags.Ephemeral });
    const t = { guild_id: guildId, ticket: { ticket_id: view.id } };
    const user = () => i.options.getUser('user', true).id;
    switch (sub) {
      case 'close': await engine.tickets.close(actor, { ...t, reason: i.options.getString('reason') ?? undefined }); return answerIn(i, 'reply.closed');
      case 'closerequest': {
        const r = await engine.tickets.requestClose(actor, { ...t, reason: i.options.getString('reason') ?? undefined, close_after_hours: i.options.getInteger('hours') });
        return answerIn(i, r.close_request?.closes_at ? 'reply.closeAskedDeadline' : 'reply.closeAsked', { owner: `<@${r.owner_id}>` });
      }
      case 'reopen': await engine.tickets.reopen(actor, t); return answerIn(i, 'reply.reopened');
      case 'claim': await engine.tickets.claim(actor, t); return answerIn(i, 'reply.claimed');
      case 'unclaim': await engine.tickets.unassign(actor, t); return answerIn(i, 'reply.unclaimed');
      case 'add': await engine.tickets.addMember(actor, { ...t, user_id: user() }); return answerIn(i, 'reply.userAdded');
      case 'remove': await engine.tickets.removeMember(actor, { ...t, user_id: user() }); return answerIn(i, 'reply.userRemoved');
      case 'rename': {
        const r = await engine.tickets.rename(actor, { ...t, name: i.options.getString('name') ?? null });
        return answerIn(i, 'reply.renamed', { name: r.name ?? '' });
      }
      case 'priority': {
        const r = await engine.tickets.setPriority(actor, { ...t, priority: i.options.getInteger('level', true) });
        const label = r.priority === null ? tl(localeOf(i), 'priority.none') : (tc.group.priority_levels[r.priority]?.label ?? String(r.priority));
        return answerIn(i, 'reply.priority', { label });
      }
      case 'lock': await engine.tickets.lock(actor, t); return answerIn(i, 'reply.locked');
      case 'unlock': await engine.tickets.unlock(actor, t); return answerIn(i, 'reply.unlocked');
      case 'transcript': {
        if (tc.group.transcript_channel_id) await engine.transcripts.save(actor, t);
        await engine.transcripts.send(actor, { ...t, user_id: i.user.id });
        return answerIn(i, 'reply.transcript');
      }
      case 'tag': {
        // A saved answer, filled in for this ticket: {user} is its owner, {staff} who posts it.
        const saved = await engine.customMessages.findByName(guildId, i.options.getString('name', true));
        await engine.channelMessages.sendCustom(actor, {
          guild_id: guildId, channel_id: i.channelId, custom_message_id: saved.id,
          context: { user: `<@${tc.ticket.owner_id}>`, staff: `<@${i.user.id}>`, ticket: { id: tc.ticket.id, number: tc.ticket.number, topic: tc.ticket.topic ?? '' } },
        });
        return answerIn(i, 'reply.tagPosted', { name: saved.name });
      }
      case 'notes': {
        let notes = tc.ticket.notes_thread_id;
        if (!notes) notes = (await engine.tickets.createNotes(actor, t)).notes_thread_id;
        await engine.tickets.addNotesMember(actor, { ...t, user_id: i.user.id });
        return notes ? answerIn(i, 'reply.notes', { thread: `<#${notes}>` }) : answerIn(i, 'reply.notesCreating');
      }
      default: throw fail(i, 'invalid', 'error.unknownSubcommand', { name: sub });
    }
  }

  /** The member's Discord language, kept for the messages of their tickets (written only when it changed). */
  async function rememberLocale(i: Interaction): Promise<void> {
    if (!i.locale) return;
    await engine.guilds.rememberLocale({
      id: i.user.id, username: i.user.username, global_name: i.user.globalName ?? null, avatar: i.user.avatar ?? null, bot: i.user.bot, locale: i.locale,
    }).catch((err: unknown) => deps.logger.warn({ err: (err as Error).message }, 'could not remember a member\'s locale'));
  }

  return async (i: Interaction): Promise<void> => {
    if (!i.isRepliable()) return;
    try {
      // Before any ticket opens: its first messages are written in this language.
      await rememberLocale(i);
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
        if (!optionId) throw fail(i, 'invalid', 'error.pickOption');
        return await fromPanel(i, id.panelId, optionId);
      }
      if (i.isModalSubmit()) return await onModal(i, id);
    } catch (err) {
      // A database restart is said as such (try again shortly), not as a failure of ours.
      const known = isEngineError(err) ? err : asUnavailable(err);
      const text = known ? refusal(i, known) : tl(localeOf(i), 'error.generic');
      if (!known) deps.logger.error({ err: (err as Error).message, stack: (err as Error).stack }, 'interaction failed');
      await answer(i, text).catch((e: unknown) => deps.logger.warn({ err: (e as Error).message }, 'could not answer the interaction'));
    }
  };
}
