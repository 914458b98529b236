/**
 * Ticket jobs. Every state job (close, reopen, lock, assign, members, owner, move) recomputes the
 * channel's wanted state from the ticket row and applies it in one PATCH, so a retried or reordered
 * job converges instead of drifting. Created channels and threads are recorded on the ticket before
 * anything else; a retry after a crash looks for what the earlier attempt made before creating again.
 */
import { ChannelType, Routes } from 'discord.js';
import { z } from 'zod';
import type { TicketContext } from '../../engine/outbox.js';
import { CANNOT_MESSAGE_USER, INVALID_FORM, isNameRefused, MAX_PINS, MISSING_ACCESS, MISSING_PERMISSIONS, UNKNOWN_CHANNEL, UNKNOWN_MESSAGE, unlessGone } from '../errors.js';
import { ticketOverwrites } from '../permissions.js';
import { isMessageKey, t, type MessageKey } from '../../i18n/catalogue.js';
import { staffLocale, ticketLocale, type Locale } from '../../i18n/locales.js';
import { channelSlug, closeRequestMessage, fallbackTicketName, feedbackPost, feedbackRequest, notice, openingMessage, ticketName, ticketTitle, type MessageBody } from '../render.js';
import { ApiChannel, checkpoint, PermanentJobError, sendOnce, snowflakeTime, type JobContext, type JobHandler, type JobResult } from './context.js';

const CATEGORY_LIMIT = 50;
const ARCHIVE_WEEK = 10080;

async function load(c: JobContext): Promise<TicketContext | null> {
  if (!c.job.ticket_id) throw new PermanentJobError(`${c.job.kind} job ${c.job.id} names no ticket`);
  return c.engine.outbox.ticketContext(c.job.ticket_id);
}

/** The channel (or thread) holding the conversation, or null when Discord never got one. */
const conversationId = (tc: TicketContext): string | null => tc.ticket.thread_id ?? tc.ticket.channel_id;

// ---------- open ----------

export const openTicket: JobHandler = async (c) => {
  const tc = await load(c);
  if (!tc || tc.ticket.deleted_at) return { result: { skipped: 'ticket deleted' } };
  const id = tc.group.mode === 'thread' ? await ensureThread(c, tc) : await ensureChannel(c, tc);
  let openingId = tc.ticket.opening_message_id;
  if (!openingId) {
    const fresh = (await load(c)) ?? tc;
    openingId = await sendOnce(c, id, 'opening', openingMessage(fresh.ticket, fresh.group, ticketLocale(fresh)));
    await c.engine.outbox.setOpeningMessage(tc.ticket.id, openingId);
  }
  await pinOpening(c, id, openingId);
  return { result: { channel_id: id } };
};

/**
 * Pins the opening message, whose embed shows status, assignee and priority, so it stays one click
 * away however long the conversation grows. Pinning twice is a no-op on Discord, so a retry simply
 * pins again. Best effort: without the permission, or with the pin list full, the ticket still opens.
 */
async function pinOpening(c: JobContext, channelId: string, messageId: string): Promise<void> {
  const skipped = await unlessGone(async () => { await c.rest.put(Routes.channelMessagesPin(channelId, messageId)); return false; },
    [UNKNOWN_MESSAGE, MISSING_ACCESS, MISSING_PERMISSIONS, MAX_PINS], true);
  if (skipped) c.logger.info({ channelId, messageId }, 'could not pin the ticket\'s opening message');
}

/** The name the ticket's channel or thread is being created under: its own, or the fallback once Discord refused that. */
function creatingName(c: JobContext, own: string): string {
  const name = c.job.checkpoint['name'];
  return typeof name === 'string' ? name : own;
}

/**
 * Creates under `name`; when Discord's word filter refuses it, records the fallback name (a retry
 * then looks for that one) and creates under it. Returns what was made and the name it carries when
 * that is not the ticket's own.
 */
async function createNamed(c: JobContext, tc: TicketContext, name: string, fallback: string, create: (name: string) => Promise<ApiChannel>): Promise<{ made: ApiChannel; renamed: string | undefined }> {
  try {
    return { made: await create(name), renamed: name === fallback ? fallback : undefined };
  } catch (err) {
    if (!isNameRefused(err) || name === fallback) throw err;
    c.logger.info({ ticketId: tc.ticket.id, refused: name, name: fallback }, 'Discord refused the ticket\'s channel name; using a neutral one');
    await checkpoint(c, { name: fallback });
    return { made: await create(fallback), renamed: fallback };
  }
}

async function ensureChannel(c: JobContext, tc: TicketContext): Promise<string> {
  if (tc.ticket.channel_id) return tc.ticket.channel_id;
  const name = creatingName(c, channelSlug(ticketName(tc.ticket, tc.group)));
  if (c.job.checkpoint['creating'] === true) {
    const found = await findMadeChannel(c, tc, name);
    if (found) {
      await c.engine.outbox.linkTicket(tc.ticket.id, { channel_id: found.id, channel_parent_id: found.parent_id ?? null, name: c.job.checkpoint['name'] === name ? name : undefined });
      return found.id;
    }
  }
  await checkpoint(c, { creating: true });
  const body = {
    type: ChannelType.GuildText,
    topic: ticketTitle(tc.ticket, ticketLocale(tc), 1024).slice(0, 1024),
    permission_overwrites: overwritesOf(c, tc),
  };
  const { made: channel, renamed } = await createNamed(c, tc, name, fallbackTicketName(tc.ticket), (n) => createInCategory(c, tc, { ...body, name: n }));
  await c.engine.outbox.linkTicket(tc.ticket.id, { channel_id: channel.id, channel_parent_id: channel.parent_id ?? null, name: renamed });
  return channel.id;
}

/** Creates the channel in the group's category, overflowing to the next one when a category is full. */
async function createInCategory(c: JobContext, tc: TicketContext, body: Record<string, unknown>): Promise<ApiChannel> {
  const first = tc.group.opened_category_id;
  const post = (parent: string | null) => c.rest.post(Routes.guildChannels(tc.ticket.guild_id), { body: { ...body, ...(parent ? { parent_id: parent } : {}) } });
  if (!first) return ApiChannel.parse(await post(null));
  const made = await tryIn(c, first, post);
  if (made) return made;
  // Full: take the next category of the same name with room (Discord counts, we only check), or make one.
  // One overflow at a time per guild, so concurrent jobs share the new category instead of each making one.
  return overflowLock(tc.ticket.guild_id, () => overflow(c, tc, first, post));
}

/**
 * Categories Discord just called full, skipped for a minute: each refused create spends one of the
 * guild's few channel creations per 5 s, and without this every ticket past the 50th spent two.
 * A minute later (tickets may have closed and moved out) we ask Discord again.
 */
const FULL_FOR_MS = 60_000;
const fullByClient = new WeakMap<object, Map<string, number>>(); // per REST client: per Discord (or sandbox)
function fullOf(c: JobContext): Map<string, number> {
  let m = fullByClient.get(c.rest);
  if (!m) fullByClient.set(c.rest, (m = new Map()));
  return m;
}
async function tryIn(c: JobContext, categoryId: string, post: (parent: string | null) => Promise<unknown>): Promise<ApiChannel | null> {
  const fullCategories = fullOf(c);
  const since = fullCategories.get(categoryId);
  if (since !== undefined && Date.now() - since < FULL_FOR_MS) return null;
  try {
    const made = ApiChannel.parse(await post(categoryId));
    fullCategories.delete(categoryId);
    return made;
  } catch (err) {
    if (!isCategoryFull(err)) throw err;
    fullCategories.set(categoryId, Date.now());
    return null;
  }
}

const overflowChains = new Map<string, Promise<unknown>>();
function overflowLock<T>(guildId: string, fn: () => Promise<T>): Promise<T> {
  const prev = overflowChains.get(guildId) ?? Promise.resolve();
  const next = prev.then(fn, fn);
  const settled = next.catch(() => {});
  overflowChains.set(guildId, settled);
  void settled.then(() => { if (overflowChains.get(guildId) === settled) overflowChains.delete(guildId); });
  return next;
}

async function overflow(c: JobContext, tc: TicketContext, first: string, post: (parent: string | null) => Promise<unknown>): Promise<ApiChannel> {
  const again = await tryIn(c, first, post); // another job's overflow may have run meanwhile
  if (again) return again;
  const all = ApiChannel.array().parse(await c.rest.get(Routes.guildChannels(tc.ticket.guild_id)));
  const home = all.find((ch) => ch.id === first);
  const children = (id: string) => all.filter((ch) => ch.parent_id === id).length;
  const siblings = all.filter((ch) => ch.type === ChannelType.GuildCategory && ch.id !== first && home && ch.name === home.name && children(ch.id) < CATEGORY_LIMIT);
  for (const category of siblings) {
    const made = await tryIn(c, category.id, post);
    if (made) return made;
  }
  const created = ApiChannel.parse(await c.rest.post(Routes.guildChannels(tc.ticket.guild_id), {
    // Named like the full one, so members read one name; in the server's language when that one has none.
    body: { name: home?.name ?? t(staffLocale(tc), 'setup.category.tickets'), type: ChannelType.GuildCategory, permission_overwrites: home?.permission_overwrites ?? [] },
  }));
  fullOf(c).delete(created.id);
  return ApiChannel.parse(await post(created.id));
}

function isCategoryFull(err: unknown): boolean {
  const e = err as { code?: unknown; rawError?: { errors?: Record<string, unknown> } };
  return e.code === INVALID_FORM && JSON.stringify(e.rawError?.errors ?? {}).includes('CHANNEL_PARENT_MAX_CHANNELS');
}

/** After a crash between "create" and "record": the channel we made, recognised by name, owner overwrite and age. */
async function findMadeChannel(c: JobContext, tc: TicketContext, name: string): Promise<ApiChannel | null> {
  const all = ApiChannel.array().parse(await c.rest.get(Routes.guildChannels(tc.ticket.guild_id)));
  const since = tc.ticket.created_at.getTime() - 5_000;
  for (const ch of all) {
    if (ch.type !== ChannelType.GuildText || ch.name !== name || snowflakeTime(ch.id) < since) continue;
    if (!ch.permission_overwrites?.some((o) => o.id === tc.ticket.owner_id && o.type === 1)) continue;
    if (await c.engine.outbox.channelTaken(ch.id, tc.ticket.id)) continue;
    return ch;
  }
  return null;
}

async function ensureThread(c: JobContext, tc: TicketContext): Promise<string> {
  const existing = tc.ticket.thread_id;
  if (existing) {
    await addThreadMembers(c, existing, await threadMembersOf(c, tc));
    return existing;
  }
  const parent = tc.group.opened_channel_id;
  if (!parent) throw new PermanentJobError(`Ticket group "${tc.group.name}" opens thread tickets but has no opened_channel_id to create them in; set it on the group.`);
  const name = creatingName(c, ticketName(tc.ticket, tc.group).slice(0, 100));
  const { made: thread, renamed } = await createPrivateThread(c, tc, parent, name, fallbackTicketName(tc.ticket));
  await c.engine.outbox.linkTicket(tc.ticket.id, { channel_id: thread.id, thread_id: thread.id, channel_parent_id: parent, name: renamed });
  await addThreadMembers(c, thread.id, await threadMembersOf(c, tc));
  return thread.id;
}

/**
 * Creates a private thread once: a retry after a crash between Discord's answer and our checkpoint
 * finds the thread it made instead of making a second one.
 */
async function createPrivateThread(c: JobContext, tc: TicketContext, parent: string, name: string, fallback: string): Promise<{ made: ApiChannel; renamed: string | undefined }> {
  const made = c.job.checkpoint['creating'] === true ? await findMadeThread(c, tc, parent, name) : null;
  if (made) return { made, renamed: c.job.checkpoint['name'] === name ? name : undefined };
  await checkpoint(c, { creating: true });
  return createNamed(c, tc, name, fallback, async (n) => ApiChannel.parse(await c.rest.post(Routes.threads(parent), {
    body: { name: n, type: ChannelType.PrivateThread, invitable: false, auto_archive_duration: ARCHIVE_WEEK },
  })));
}

async function findMadeThread(c: JobContext, tc: TicketContext, parent: string, name: string): Promise<ApiChannel | null> {
  const body = (await c.rest.get(Routes.guildActiveThreads(tc.ticket.guild_id))) as { threads?: unknown };
  const threads = ApiChannel.array().parse(body.threads ?? []);
  const since = tc.ticket.created_at.getTime() - 5_000;
  for (const t of threads) {
    if (t.parent_id !== parent || t.name !== name || snowflakeTime(t.id) < since) continue;
    if (await c.engine.outbox.channelTaken(t.id, tc.ticket.id)) continue;
    return t;
  }
  return null;
}

/** Owner, ticket members, assignee and the group's staff (up to 50): who a private ticket thread holds. */
async function threadMembersOf(c: JobContext, tc: TicketContext): Promise<string[]> {
  const staff = await c.engine.outbox.membersWithRoles(tc.ticket.guild_id, tc.group.staff_role_ids);
  return [...new Set([tc.ticket.owner_id, ...tc.channelMembers, ...(tc.ticket.assigned_id ? [tc.ticket.assigned_id] : []), ...staff])];
}

async function addThreadMembers(c: JobContext, threadId: string, userIds: readonly string[]): Promise<void> {
  const added = new Set((c.job.checkpoint['thread_members'] as string[] | undefined) ?? []);
  for (const userId of userIds) {
    if (added.has(userId)) continue;
    await unlessGone(() => c.rest.put(Routes.threadMembers(threadId, userId)), [10007, 10013], null);
    added.add(userId);
    await checkpoint(c, { thread_members: [...added] });
  }
}

// ---------- state jobs ----------

function wantedParent(tc: TicketContext): string | null | undefined {
  const { ticket: t, group: g } = tc;
  const special = [g.closed_category_id, g.locked_category_id, g.assigned_category_id].filter((x): x is string => Boolean(x));
  if (t.status === 'closed') return g.closed_category_id ?? undefined;
  if (t.locked_at && g.locked_category_id) return g.locked_category_id;
  if (t.assigned_id && g.assigned_category_id) return g.assigned_category_id;
  // Back from a special category to the group's; otherwise stay (an overflow category is fine).
  if (!t.channel_parent_id || special.includes(t.channel_parent_id)) return g.opened_category_id ?? undefined;
  return undefined;
}

/** The channel's overwrites for the ticket's whole current state. */
function overwritesOf(c: JobContext, tc: TicketContext) {
  return ticketOverwrites({
    guildId: tc.ticket.guild_id, botUserId: c.botUserId, ownerId: tc.ticket.owner_id, assignedId: tc.ticket.assigned_id,
    staffRoleIds: tc.group.staff_role_ids, memberIds: tc.channelMembers, readOnly: tc.ticket.status === 'closed' || tc.ticket.locked_at !== null,
    claimMode: tc.group.claim_mode,
  });
}

/** Applies the ticket's wanted overwrites (and category) to its channel in one PATCH. */
async function syncChannel(c: JobContext, tc: TicketContext): Promise<void> {
  const channelId = tc.ticket.channel_id;
  if (!channelId) return;
  const overwrites = overwritesOf(c, tc);
  const parent = wantedParent(tc);
  const move = parent !== undefined && parent !== tc.ticket.channel_parent_id;
  const patch = (withParent: boolean) => c.rest.patch(Routes.channel(channelId), {
    body: { permission_overwrites: overwrites, ...(withParent ? { parent_id: parent } : {}) },
  });
  try {
    await patch(move);
  } catch (err) {
    if (!move || !isCategoryFull(err)) throw err;
    await patch(false); // the target category is full: keep the place, still fix the permissions
    return;
  }
  if (move) await c.engine.outbox.linkTicket(tc.ticket.id, { channel_parent_id: parent ?? null });
}

/** Thread tickets: closed = archived and locked, locked = locked. */
async function syncThread(c: JobContext, tc: TicketContext): Promise<void> {
  const threadId = tc.ticket.thread_id;
  if (!threadId) return;
  const closed = tc.ticket.status === 'closed';
  await c.rest.patch(Routes.channel(threadId), { body: { archived: closed, locked: closed || tc.ticket.locked_at !== null } });
}

/** Edits the opening message so its embed shows the current status, assignee and priority. */
async function refreshOpening(c: JobContext, tc: TicketContext): Promise<void> {
  const channelId = conversationId(tc);
  const messageId = tc.ticket.opening_message_id;
  if (!channelId || !messageId) return;
  const body = openingMessage(tc.ticket, tc.group, ticketLocale(tc));
  await unlessGone(() => c.rest.patch(Routes.channelMessage(channelId, messageId), { body: { embeds: body.embeds, components: body.components } }), [UNKNOWN_MESSAGE], null);
}

const mention = (id: string | null, locale: Locale) => (id ? `<@${id}>` : t(locale, 'notice.theBot'));

type Describe = (tc: TicketContext, payload: Record<string, unknown>, locale: Locale) => string | null;

/**
 * A state job: post its notice, apply the state, refresh the opening message. Threads get notices
 * before archiving. Notices speak the ticket's language (its owner's, else the group's or server's).
 */
function stateJob(describe: Describe, extra?: (c: JobContext, tc: TicketContext) => Promise<void>): JobHandler {
  return async (c) => {
    const tc = await load(c);
    if (!tc || tc.ticket.deleted_at) return { result: { skipped: 'ticket deleted' } };
    const target = conversationId(tc);
    if (!target) throw new Error(`Ticket #${tc.ticket.number} has no Discord channel yet; its open job has not succeeded.`);
    const text = describe(tc, c.job.payload, ticketLocale(tc));
    const isThread = tc.group.mode === 'thread' || tc.ticket.thread_id !== null;
    if (isThread) {
      // A message cannot be posted into an archived thread: reopen first, archive last.
      if (tc.ticket.status === 'open') await syncThread(c, tc);
      await extra?.(c, tc);
      if (text) await sendOnce(c, target, 'notice', notice(text));
      await refreshOpening(c, tc);
      if (tc.ticket.status === 'closed') await syncThread(c, tc);
    } else {
      await syncChannel(c, tc);
      await extra?.(c, tc);
      if (text) await sendOnce(c, target, 'notice', notice(text));
      await refreshOpening(c, tc);
    }
    return { result: {} };
  };
}

const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);

export const closeTicket: JobHandler = async (c) => {
  const base = await stateJob((tc, p, l) => {
    const reason = str(p['reason']);
    const by = mention(tc.ticket.closed_by, l);
    return reason ? t(l, 'notice.closedWithReason', { by, reason }) : t(l, 'notice.closed', { by });
  })(c);
  const tc = await load(c);
  // A closed ticket's transcript is saved to the transcript channel and sent to its owner, once.
  if (tc && !tc.ticket.deleted_at && c.job.checkpoint['transcript_queued'] !== true) {
    const target = { guild_id: tc.ticket.guild_id, ticket: { ticket_id: tc.ticket.id } };
    const bot = { userId: null, tokenId: null, abilities: 'all' as const, guilds: null, asBot: true };
    if (tc.group.transcript_channel_id) await c.engine.transcripts.save(bot, target);
    await c.engine.transcripts.send(bot, { ...target, user_id: tc.ticket.owner_id });
    await checkpoint(c, { transcript_queued: true });
  }
  return base;
};

export const reopenTicket = stateJob((_tc, _p, l) => t(l, 'notice.reopened'));
export const lockTicket = stateJob((_tc, _p, l) => t(l, 'notice.locked'));
export const unlockTicket = stateJob((_tc, _p, l) => t(l, 'notice.unlocked'));

export const assignTicket = stateJob(
  (tc, _p, l) => (tc.ticket.assigned_id ? t(l, 'notice.claimed', { user: `<@${tc.ticket.assigned_id}>` }) : t(l, 'notice.unassigned')),
  async (c, tc) => {
    if (tc.ticket.thread_id && tc.ticket.assigned_id) await addThreadMembers(c, tc.ticket.thread_id, [tc.ticket.assigned_id]);
  },
);

export const changeOwner = stateJob(
  (tc, _p, l) => t(l, 'notice.ownerChanged', { user: `<@${tc.ticket.owner_id}>` }),
  async (c, tc) => {
    if (tc.ticket.thread_id) await addThreadMembers(c, tc.ticket.thread_id, [tc.ticket.owner_id]);
  },
);

export const moveTicket = stateJob((tc, _p, l) => t(l, 'notice.moved', { group: tc.group.name }));

export const setPriority = stateJob((tc, _p, l) => {
  const label = tc.ticket.priority === null ? null : tc.group.priority_levels[tc.ticket.priority]?.label ?? String(tc.ticket.priority);
  return label ? t(l, 'notice.priority', { label }) : t(l, 'notice.priorityCleared');
});

export const addMember = stateJob(
  (_tc, p, l) => t(l, 'notice.memberAdded', { user: `<@${String(p['user_id'])}>` }),
  async (c, tc) => {
    const userId = str(c.job.payload['user_id']);
    if (tc.ticket.thread_id && userId) await addThreadMembers(c, tc.ticket.thread_id, [userId]);
  },
);

export const removeMember = stateJob(
  (_tc, p, l) => t(l, 'notice.memberRemoved', { user: `<@${String(p['user_id'])}>` }),
  async (c, tc) => {
    const userId = str(c.job.payload['user_id']);
    const threadId = tc.ticket.thread_id;
    if (threadId && userId) await unlessGone(() => c.rest.delete(Routes.threadMembers(threadId, userId)), [10007, 10013, UNKNOWN_CHANNEL], null);
  },
);

export const deleteTicket: JobHandler = async (c) => {
  const tc = await load(c);
  if (!tc) return { result: { skipped: 'ticket gone' } };
  const ids = [...new Set([tc.ticket.notes_thread_id, tc.ticket.thread_id ?? tc.ticket.channel_id].filter((x): x is string => Boolean(x)))];
  for (const id of ids) await unlessGone(() => c.rest.delete(Routes.channel(id)), [UNKNOWN_CHANNEL], null);
  return { result: { deleted: ids } };
};

// ---------- notes thread ----------

export const createNotes: JobHandler = async (c) => {
  const tc = await load(c);
  if (!tc || tc.ticket.deleted_at) return { result: { skipped: 'ticket deleted' } };
  let notesId = tc.ticket.notes_thread_id;
  if (!notesId) {
    const parent = tc.ticket.thread_id ? tc.ticket.channel_parent_id : tc.ticket.channel_id;
    if (!parent) throw new Error(`Ticket #${tc.ticket.number} has no Discord channel yet; its open job has not succeeded.`);
    const name = creatingName(c, `notes-${tc.ticket.number}`);
    notesId = (await createPrivateThread(c, tc, parent, name, fallbackTicketName(tc.ticket).replace('ticket-', 'notes-'))).made.id;
    await c.engine.outbox.linkTicket(tc.ticket.id, { notes_thread_id: notesId });
  }
  const members = [...new Set([...tc.notesMembers, ...(tc.ticket.assigned_id ? [tc.ticket.assigned_id] : [])])];
  await addThreadMembers(c, notesId, members);
  await sendOnce(c, notesId, 'notes', notice(t(staffLocale(tc), 'notice.notesIntro', { number: tc.ticket.number })));
  return { result: { notes_thread_id: notesId } };
};

function notesMemberJob(op: 'add' | 'remove'): JobHandler {
  return async (c) => {
    const tc = await load(c);
    const userId = str(c.job.payload['user_id']);
    if (!tc || !userId) return { result: { skipped: 'nothing to do' } };
    const notesId = tc.ticket.notes_thread_id;
    if (!notesId) throw new Error(`Ticket #${tc.ticket.number} has no notes thread yet; its create job has not succeeded.`);
    if (op === 'add') await addThreadMembers(c, notesId, [userId]);
    else await unlessGone(() => c.rest.delete(Routes.threadMembers(notesId, userId)), [10007, 10013, UNKNOWN_CHANNEL], null);
    return { result: {} };
  };
}

export const addNotesMember = notesMemberJob('add');
export const removeNotesMember = notesMemberJob('remove');

// ---------- notice ----------

/**
 * Posts into an open ticket's conversation once per job, unarchiving first a thread Discord archived
 * for quiet (an archived thread takes no messages). A ticket closed or deleted meanwhile gets nothing.
 */
async function postWhileOpen(c: JobContext, step: string, body: (tc: TicketContext) => MessageBody | null): Promise<JobResult> {
  const tc = await load(c);
  if (!tc || tc.ticket.deleted_at || tc.ticket.status !== 'open') return { result: { skipped: 'ticket not open' } };
  const message = body(tc);
  if (!message) return { result: { skipped: 'nothing to post any more' } };
  const target = conversationId(tc);
  if (!target) throw new Error(`Ticket #${tc.ticket.number} has no Discord channel yet; its open job has not succeeded.`);
  if (tc.ticket.thread_id) await syncThread(c, tc);
  return { result: { message_id: await sendOnce(c, target, step, message) } };
}

/** A catalogue message the engine names for a notice: its key and the values to fill in. */
const NoticeMessage = z.object({ key: z.string(), params: z.record(z.string(), z.union([z.string(), z.number()])).default({}) });

/**
 * A bot message in an open ticket (the inactivity warning, a declined close request): it may ping the
 * one user the engine names. Said in the ticket's language when the engine named a catalogue message;
 * its English text otherwise (jobs written before the catalogue).
 */
export const postNotice: JobHandler = (c) => {
  const text = str(c.job.payload['text']);
  const parsed = NoticeMessage.safeParse(c.job.payload['message']);
  const message = parsed.success && isMessageKey(parsed.data.key) ? { key: parsed.data.key as MessageKey, params: parsed.data.params } : null;
  if (!text && !message) throw new PermanentJobError(`ticket.notice job ${c.job.id} has no text`);
  const ping = str(c.job.payload['ping_user_id']);
  return postWhileOpen(c, 'notice', (tc) => {
    const content = message ? t(ticketLocale(tc), message.key, message.params) : (text ?? '');
    return { content: content.slice(0, 2000), allowed_mentions: { parse: [], users: ping ? [ping] : [] } };
  });
};

/** The close request message with its buttons; nothing when the request was answered first. */
export const postCloseRequest: JobHandler = (c) =>
  postWhileOpen(c, 'close_request', (tc) => (tc.ticket.close_requested_at ? closeRequestMessage(tc.ticket, ticketLocale(tc)) : null));

// ---------- feedback ----------

/** Asks the owner of a closed ticket, by DM, to rate it. A member who accepts no DMs is simply not asked. */
export const requestFeedback: JobHandler = async (c) => {
  const tc = await load(c);
  if (!tc || tc.ticket.deleted_at || tc.ticket.rating !== null) return { result: { skipped: 'deleted or already rated' } };
  let dmId = c.job.checkpoint['dm_channel_id'];
  if (typeof dmId !== 'string') {
    dmId = ApiChannel.parse(await c.rest.post(Routes.userChannels(), { body: { recipient_id: tc.ticket.owner_id } })).id;
    await checkpoint(c, { dm_channel_id: dmId });
  }
  const channelId = dmId as string;
  const messageId = await unlessGone(() => sendOnce(c, channelId, 'feedback', feedbackRequest(tc.ticket, tc.group, ticketLocale(tc))), [CANNOT_MESSAGE_USER], null);
  return { result: messageId ? { message_id: messageId } : { skipped: 'the owner accepts no direct messages' } };
};

/** Posts a rating (and its comment) to the group's feedback channel. */
export const postFeedback: JobHandler = async (c) => {
  const tc = await load(c);
  const channelId = tc?.group.feedback_channel_id;
  if (!tc || !channelId || tc.ticket.rating === null) return { result: { skipped: 'no feedback channel or no rating' } };
  return { result: { message_id: await sendOnce(c, channelId, 'feedback', feedbackPost(tc.ticket, tc.group, staffLocale(tc))) } };
};
