/**
 * Renames respect Discord's channel-name limit (about 2 per 10 minutes per channel): a third rename
 * is deferred until the window allows it — queued, never failed. Only the newest queued rename runs;
 * it applies the ticket's current name, so order does not matter.
 */
import { Routes } from 'discord.js';
import { isNameRefused } from '../errors.js';
import { t } from '../../i18n/catalogue.js';
import { ticketLocale } from '../../i18n/locales.js';
import { channelSlug, notice, ticketName } from '../render.js';
import { sendOnce, type JobHandler } from './context.js';

export const RENAME_LIMIT = 2;
export const RENAME_WINDOW_MS = 10 * 60_000;

export const renameTicket: JobHandler = async (c) => {
  if (await c.engine.outbox.laterRenameQueued(c.job)) return { result: { superseded: true } };
  const tc = c.job.ticket_id ? await c.engine.outbox.ticketContext(c.job.ticket_id) : null;
  if (!tc || tc.ticket.deleted_at) return { result: { skipped: 'ticket deleted' } };
  const target = tc.ticket.thread_id ?? tc.ticket.channel_id;
  if (!target) throw new Error(`Ticket #${tc.ticket.number} has no Discord channel yet; its open job has not succeeded.`);
  const recent = (await c.engine.outbox.recentRenames(tc.ticket.id, RENAME_WINDOW_MS)).sort((a, b) => a.getTime() - b.getTime());
  if (recent.length >= RENAME_LIMIT) {
    const oldest = recent[recent.length - RENAME_LIMIT] as Date;
    return { defer: new Date(oldest.getTime() + RENAME_WINDOW_MS + 1_000), why: 'waiting for Discord\'s channel rename limit (2 per 10 minutes)' };
  }
  const raw = ticketName(tc.ticket, tc.group);
  const name = tc.ticket.thread_id ? raw.slice(0, 100) : channelSlug(raw);
  try {
    await c.rest.patch(Routes.channel(target), { body: { name } });
  } catch (err) {
    if (!isNameRefused(err)) throw err;
    // Discord's word filter: no retry will pass, so say so in the ticket (in its language, as every message there), and keep the old name.
    await sendOnce(c, target, 'refused', notice(t(ticketLocale(tc), 'notice.renameRefused', { name })));
    return { result: { renamed: false, refused: name, reason: 'Discord\'s word filter refused the name' } };
  }
  return { result: { renamed: true, renamed_at: new Date().toISOString(), name } };
};
