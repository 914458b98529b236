/**
 * Inactivity auto-close. A group with auto_close_hours closes its open tickets after that many hours
 * without a message from a person (bot lines, our warnings among them, do not count; a ticket nobody
 * ever wrote in counts from when it opened). With stale_warning_hours the owner is warned in the
 * ticket that many hours before, once per stretch of silence. Eternal tickets never close this way.
 * Each ticket is re-checked under its row lock, so a message that lands meanwhile keeps it open.
 * Close requests left unanswered past their deadline, and tickets past their expiry, close here too.
 * Several processes may run this at once: each due ticket changes once (the re-check under the lock
 * finds it already closed or warned).
 */
import { sql } from 'kysely';
import type { GroupRow, TicketRow } from '../../db/schema.js';
import type { Actor } from '../actor.js';
import type { EngineContext } from '../context.js';
import { isEngineError } from '../errors.js';
import { closeChange } from './actions.js';
import { mutateTicket, type Change, type MutationScope } from './mutate.js';

const HOUR = 3_600_000;

/** When the ticket last saw activity: its last message from a person, or its (re)opening. */
const activityOf = (t: Pick<TicketRow, 'opened_at' | 'last_activity'>): Date =>
  t.last_activity && t.last_activity > t.opened_at ? t.last_activity : t.opened_at;

type Due = 'close' | 'warn' | null;

/** What the silence calls for now: close, warn, or nothing yet. */
export function idleAction(t: Pick<TicketRow, 'status' | 'eternal' | 'deleted_at' | 'opened_at' | 'last_activity' | 'stale_warned_at'>,
  g: Pick<GroupRow, 'auto_close_hours' | 'stale_warning_hours'>, now: Date): Due {
  if (g.auto_close_hours === null || t.status !== 'open' || t.eternal || t.deleted_at) return null;
  const activity = activityOf(t);
  const idle = now.getTime() - activity.getTime();
  if (idle >= g.auto_close_hours * HOUR) return 'close';
  if (g.stale_warning_hours === null || idle < (g.auto_close_hours - g.stale_warning_hours) * HOUR) return null;
  return t.stale_warned_at && t.stale_warned_at >= activity ? null : 'warn';
}

function warningChange(s: MutationScope, hours: number): Change {
  const closesAt = Math.floor((activityOf(s.ticket).getTime() + hours * HOUR) / 1000);
  return {
    kind: 'stale_warned',
    patch: { stale_warned_at: s.now },
    jobs: [{
      kind: 'ticket.notice',
      payload: {
        text: `⏰ <@${s.ticket.owner_id}> this ticket has been quiet for a while. It closes by itself <t:${closesAt}:R> unless someone writes here.`,
        // The Discord face says it in the ticket's language from the message catalogue; text is the English fallback.
        message: { key: 'notice.staleWarning', params: { owner: `<@${s.ticket.owner_id}>`, when: `<t:${closesAt}:R>` } },
        ping_user_id: s.ticket.owner_id,
      },
    }],
  };
}

export function createAutoClose(ctx: EngineContext) {
  const activity = sql<Date>`greatest(tickets.opened_at, tickets.last_activity)`;

  /** Open tickets whose silence calls for a warning or a close (oldest activity first). */
  const candidates = (now: Date, limit: number) => ctx.db.selectFrom('tickets')
    .innerJoin('ticket_groups', 'ticket_groups.id', 'tickets.group_id')
    .select(['tickets.id', 'tickets.guild_id'])
    .where('ticket_groups.auto_close_hours', 'is not', null)
    .where('tickets.status', '=', 'open').where('tickets.deleted_at', 'is', null).where('tickets.eternal', '=', false)
    .where(activity, '<=', sql<Date>`${now}::timestamptz - make_interval(hours => ticket_groups.auto_close_hours - coalesce(ticket_groups.stale_warning_hours, 0))`)
    .where((eb) => eb.or([
      eb(activity, '<=', sql<Date>`${now}::timestamptz - make_interval(hours => ticket_groups.auto_close_hours)`),
      eb('tickets.stale_warned_at', 'is', null),
      eb('tickets.stale_warned_at', '<', activity),
    ]))
    .orderBy(activity).limit(limit).execute();

  /** Open tickets whose close request went unanswered past its deadline. */
  const unanswered = (now: Date, limit: number) => ctx.db.selectFrom('tickets').select(['id', 'guild_id'])
    .where('close_request_deadline', 'is not', null).where('close_request_deadline', '<=', now)
    .where('status', '=', 'open').where('deleted_at', 'is', null)
    .orderBy('close_request_deadline').limit(limit).execute();

  /**
   * Decides each ticket again under its row lock and applies the change it calls for; returns the
   * outcomes that took effect (a ticket deleted meanwhile, or of a guild whose module is off, is skipped).
   */
  async function decideEach<T extends string>(actor: Actor, rows: Array<{ id: string; guild_id: string }>, decide: (s: MutationScope) => { outcome: T; change: Change } | null): Promise<T[]> {
    const outcomes: T[] = [];
    for (const t of rows) {
      let outcome: T | null = null;
      try {
        await mutateTicket(ctx, actor, t.guild_id, { ticket_id: t.id }, (s) => {
          const d = decide(s);
          outcome = d?.outcome ?? null;
          return d?.change ?? null;
        });
      } catch (err) {
        if (!isEngineError(err)) throw err;
        outcome = null;
      }
      if (outcome !== null) outcomes.push(outcome);
    }
    return outcomes;
  }

  /** Open tickets whose expiry has passed (eternal ones never expire). */
  const expired = (now: Date, limit: number) => ctx.db.selectFrom('tickets').select(['id', 'guild_id'])
    .where('status', '=', 'open').where('expire_at', 'is not', null).where('expire_at', '<=', now)
    .where('eternal', '=', false).where('deleted_at', 'is', null)
    .orderBy('expire_at').limit(limit).execute();

  return {
    /**
     * Closes tickets whose expiry has passed; returns how many. The expiry is re-checked under the
     * ticket's lock, so of several processes looking at once one closes it, and a ticket reopened or
     * given a later expiry meanwhile stays open.
     */
    async closeExpired(actor: Actor, limit = 100): Promise<number> {
      const done = await decideEach(actor, await expired(ctx.now(), limit), (s) => {
        const t = s.ticket;
        const due = t.status === 'open' && !t.eternal && !t.deleted_at && t.expire_at !== null && t.expire_at <= s.now;
        return due ? { outcome: 'closed', change: closeChange(s, actor, 'The ticket expired.') } : null;
      });
      return done.length;
    },

    /** Closes tickets whose close request was not answered in time (with the request's reason); returns how many. */
    async closeUnanswered(actor: Actor, limit = 100): Promise<number> {
      const done = await decideEach(actor, await unanswered(ctx.now(), limit), (s) => {
        const due = s.ticket.status === 'open' && s.ticket.close_request_deadline !== null && s.ticket.close_request_deadline <= s.now;
        return due ? { outcome: 'closed', change: closeChange(s, actor, s.ticket.close_request_reason ?? 'No answer to the close request.', 'close_request_expired') } : null;
      });
      return done.length;
    },

    /** Warns and closes what is due; returns how many of each. Safe to run from several processes at once. */
    async closeIdle(actor: Actor, limit = 100): Promise<{ warned: number; closed: number }> {
      const done = await decideEach(actor, await candidates(ctx.now(), limit), (s) => {
        const due = idleAction(s.ticket, s.group, s.now);
        const hours = s.group.auto_close_hours ?? 0;
        if (due === 'close') return { outcome: due, change: closeChange(s, actor, `No activity for ${hours} hour${hours === 1 ? '' : 's'}.`) };
        if (due === 'warn') return { outcome: due, change: warningChange(s, hours) };
        return null;
      });
      return { warned: done.filter((d) => d === 'warn').length, closed: done.filter((d) => d === 'close').length };
    },
  };
}
