/** Every ticket transition after creation. Each one is a rule plus a Change for mutateTicket. */
import type { Actor } from '../actor.js';
import type { EngineContext } from '../context.js';
import { conflict, invalid, notFound } from '../errors.js';
import type { TicketView } from '../views.js';
import { loadGroup, type TicketRef } from './lookup.js';
import { mutateTicket, type Change, type MutationScope } from './mutate.js';
import { checkPriority } from './priority.js';

export interface TicketTarget { guild_id: string; ticket: TicketRef }
const label = (s: MutationScope) => `Ticket #${s.ticket.number}`;

function requireOpen(s: MutationScope, what: string): void {
  if (s.ticket.status !== 'open') throw conflict(`${label(s)} is closed, so it cannot be ${what}. Reopen it first (reopen_ticket).`);
}

function requireActorUser(actor: Actor, what: string): string {
  if (!actor.userId) throw invalid(`${what} needs an acting Discord user, and this caller has none. Use assign_ticket with user_id instead.`);
  return actor.userId;
}

/** Clears a pending close request (the columns only when one is pending, so other events stay as they were). */
const NO_REQUEST = { close_requested_at: null, close_requested_by: null, close_request_reason: null, close_request_deadline: null } as const;
const clearRequest = (s: MutationScope) => (s.ticket.close_requested_at ? NO_REQUEST : {});

/**
 * Closing an open ticket: every way a ticket closes (by hand, expiry, inactivity, a close request)
 * makes this one change. A group with a feedback channel then asks the owner, by DM, to rate it
 * (once: a rated ticket is not asked again).
 */
export function closeChange(s: MutationScope, actor: Actor, reason: string | null, kind = 'closed'): Change {
  const askFeedback = s.group.feedback_channel_id !== null && s.ticket.rating === null;
  return {
    kind, reason,
    patch: { status: 'closed', closed_at: s.now, closed_reason: reason, closed_by: actor.userId, ...clearRequest(s) },
    jobs: [{ kind: 'ticket.close', payload: { reason } }, ...(askFeedback ? [{ kind: 'ticket.feedback.request' as const }] : [])],
  };
}

const HOUR = 3_600_000;

export function createTicketActions(ctx: EngineContext) {
  const run = (actor: Actor, t: TicketTarget, decide: Parameters<typeof mutateTicket>[4], opts?: { allowDeleted?: boolean }) =>
    mutateTicket(ctx, actor, t.guild_id, t.ticket, decide, opts);

  return {
    close: (actor: Actor, t: TicketTarget & { reason?: string | undefined }): Promise<TicketView> => run(actor, t, (s) => {
      if (s.ticket.status === 'closed') throw conflict(`${label(s)} is already closed. Reopen it (reopen_ticket) if it needs more work.`);
      return closeChange(s, actor, t.reason ?? null);
    }),

    /** Asks the owner whether the ticket can close: a message with Close / Keep open buttons, optionally closing unanswered. */
    requestClose: (actor: Actor, t: TicketTarget & { reason?: string | undefined; close_after_hours?: number | null | undefined }): Promise<TicketView> => run(actor, t, (s) => {
      requireOpen(s, 'asked to close');
      const hours = t.close_after_hours ?? null;
      return {
        kind: 'close_requested', reason: t.reason ?? null,
        patch: {
          close_requested_at: s.now, close_requested_by: actor.userId, close_request_reason: t.reason ?? null,
          close_request_deadline: hours === null ? null : new Date(s.now.getTime() + hours * HOUR),
        },
        jobs: [{ kind: 'ticket.close.request' }],
      };
    }),

    /** The answer to a pending close request: accept closes the ticket (with the request's reason), decline keeps it open. */
    answerCloseRequest: (actor: Actor, t: TicketTarget & { accept: boolean }): Promise<TicketView> => run(actor, t, (s) => {
      requireOpen(s, 'closed on request');
      if (!s.ticket.close_requested_at) throw conflict(`${label(s)} has no close request waiting for an answer. Close it with close_ticket, or ask first with request_ticket_close.`);
      if (t.accept) return closeChange(s, actor, s.ticket.close_request_reason ?? 'Closed on request.', 'close_request_accepted');
      return {
        kind: 'close_request_declined', patch: NO_REQUEST,
        jobs: [{ kind: 'ticket.notice', payload: {
          text: `${actor.userId ? `<@${actor.userId}>` : 'The owner'} kept this ticket open.`,
          message: actor.userId ? { key: 'notice.keptOpen', params: { user: `<@${actor.userId}>` } } : { key: 'notice.keptOpenByOwner', params: {} },
        } }],
      };
    }),

    reopen: (actor: Actor, t: TicketTarget): Promise<TicketView> => run(actor, t, (s) => {
      if (s.ticket.status === 'open') throw conflict(`${label(s)} is already open.`);
      return {
        kind: 'reopened',
        patch: { status: 'open', opened_at: s.now, closed_at: null, closed_reason: null, closed_by: null, last_activity: s.now },
        jobs: [{ kind: 'ticket.reopen' }],
      };
    }),

    delete: (actor: Actor, t: TicketTarget & { reason?: string | undefined }): Promise<TicketView> => run(actor, t, (s) => ({
      kind: 'deleted', reason: t.reason ?? null,
      patch: s.ticket.status === 'open'
        ? { status: 'closed', closed_at: s.now, closed_reason: t.reason ?? null, closed_by: actor.userId, deleted_at: s.now }
        : { deleted_at: s.now },
      jobs: [{ kind: 'ticket.delete' }],
    })),

    move: (actor: Actor, t: TicketTarget & { ticket_group_id: string }): Promise<TicketView> => run(actor, t, async (s) => {
      if (s.ticket.group_id === t.ticket_group_id) return null;
      const target = await loadGroup(s.trx, s.ticket.guild_id, t.ticket_group_id);
      if (target.mode !== s.group.mode) {
        throw conflict(`${label(s)} is a ${s.group.mode} ticket and group "${target.name}" opens ${target.mode} tickets; a ticket can only move to a group of the same mode.`);
      }
      return { kind: 'moved', patch: { group_id: target.id }, data: { from_group_id: s.group.id }, jobs: [{ kind: 'ticket.move', payload: { from_group_id: s.group.id, to_group_id: target.id } }] };
    }),

    assign: (actor: Actor, t: TicketTarget & { user_id: string }): Promise<TicketView> => run(actor, t, (s) => {
      if (s.ticket.assigned_id === t.user_id) return null;
      return { kind: 'assigned', patch: { assigned_id: t.user_id }, data: { previous_id: s.ticket.assigned_id }, jobs: [{ kind: 'ticket.assign', payload: { user_id: t.user_id, previous_id: s.ticket.assigned_id } }] };
    }),

    claim: (actor: Actor, t: TicketTarget): Promise<TicketView> => run(actor, t, (s) => {
      const me = requireActorUser(actor, 'Claiming');
      requireOpen(s, 'claimed');
      if (s.ticket.assigned_id === me) return null;
      if (s.ticket.assigned_id) throw conflict(`${label(s)} is already claimed by ${s.ticket.assigned_id}. Ask them to transfer it (transfer_ticket) or unassign it first.`);
      return { kind: 'claimed', patch: { assigned_id: me }, jobs: [{ kind: 'ticket.assign', payload: { user_id: me, previous_id: null } }] };
    }),

    transfer: (actor: Actor, t: TicketTarget & { user_id: string }): Promise<TicketView> => run(actor, t, (s) => {
      if (!s.ticket.assigned_id) throw conflict(`${label(s)} is not assigned to anyone, so there is nothing to transfer. Use assign_ticket.`);
      if (s.ticket.assigned_id === t.user_id) return null;
      return { kind: 'transferred', patch: { assigned_id: t.user_id }, data: { previous_id: s.ticket.assigned_id }, jobs: [{ kind: 'ticket.assign', payload: { user_id: t.user_id, previous_id: s.ticket.assigned_id } }] };
    }),

    unassign: (actor: Actor, t: TicketTarget): Promise<TicketView> => run(actor, t, (s) => {
      if (!s.ticket.assigned_id) return null;
      return { kind: 'unassigned', patch: { assigned_id: null }, data: { previous_id: s.ticket.assigned_id }, jobs: [{ kind: 'ticket.assign', payload: { user_id: null, previous_id: s.ticket.assigned_id } }] };
    }),

    setExpiry: (actor: Actor, t: TicketTarget & { expire_at: string | null; clearable?: boolean | undefined }): Promise<TicketView> => run(actor, t, (s) => {
      const at = t.expire_at === null ? null : new Date(t.expire_at);
      if (at && Number.isNaN(at.getTime())) throw invalid('expire_at must be an ISO-8601 timestamp or null.', [{ path: 'expire_at', message: 'not a timestamp' }]);
      return { kind: 'expiry_set', patch: { expire_at: at, expiry_clearable: t.clearable ?? false } };
    }),

    setEternal: (actor: Actor, t: TicketTarget & { eternal: boolean }): Promise<TicketView> => run(actor, t, (s) => {
      if (s.ticket.eternal === t.eternal) return null;
      return { kind: 'eternal_set', patch: { eternal: t.eternal } };
    }),

    lock: (actor: Actor, t: TicketTarget): Promise<TicketView> => run(actor, t, (s) => {
      requireOpen(s, 'locked');
      if (s.ticket.locked_at) throw conflict(`${label(s)} is already locked.`);
      return { kind: 'locked', patch: { locked_at: s.now }, jobs: [{ kind: 'ticket.lock' }] };
    }),

    unlock: (actor: Actor, t: TicketTarget): Promise<TicketView> => run(actor, t, (s) => {
      if (!s.ticket.locked_at) throw conflict(`${label(s)} is not locked.`);
      return { kind: 'unlocked', patch: { locked_at: null }, jobs: [{ kind: 'ticket.unlock' }] };
    }),

    rename: (actor: Actor, t: TicketTarget & { name?: string | null | undefined }): Promise<TicketView> => run(actor, t, (s) => {
      const name = t.name?.trim() ? t.name.trim() : null;
      if (name && name.length > 100) throw invalid('name must be at most 100 characters.', [{ path: 'name', message: 'too long' }]);
      if (name === s.ticket.name) return null;
      return { kind: 'renamed', patch: { name }, jobs: [{ kind: 'ticket.rename', payload: { name } }] };
    }),

    setPriority: (actor: Actor, t: TicketTarget & { priority: number | null }): Promise<TicketView> => run(actor, t, (s) => {
      if (t.priority !== null) checkPriority(s.group, t.priority);
      if (s.ticket.priority === t.priority) return null;
      return { kind: 'priority_set', patch: { priority: t.priority }, jobs: [{ kind: 'ticket.priority', payload: { priority: t.priority } }] };
    }),

    setOwner: (actor: Actor, t: TicketTarget & { user_id: string }): Promise<TicketView> => run(actor, t, (s) => {
      if (s.ticket.owner_id === t.user_id) return null;
      return { kind: 'owner_changed', patch: { owner_id: t.user_id }, data: { previous_id: s.ticket.owner_id }, jobs: [{ kind: 'ticket.owner', payload: { user_id: t.user_id, previous_id: s.ticket.owner_id } }] };
    }),

    /** The owner's rating (and comment); posted to the group's feedback channel when it has one. */
    rate: (actor: Actor, t: TicketTarget & { rating: number; comment?: string | null | undefined }): Promise<TicketView> => run(actor, t, (s) => {
      const max = s.group.rating_levels.length || 5;
      if (!Number.isInteger(t.rating) || t.rating < 1 || t.rating > max) {
        throw invalid(`rating must be a whole number from 1 to ${max} for ticket group "${s.group.name}".`, [{ path: 'rating', message: 'out of range' }]);
      }
      const comment = t.comment?.trim() || null;
      if (comment && comment.length > 1000) throw invalid('comment must be at most 1000 characters.', [{ path: 'comment', message: 'too long' }]);
      return {
        kind: 'rated', patch: { rating: t.rating, rating_comment: comment },
        jobs: s.group.feedback_channel_id ? [{ kind: 'ticket.feedback.post' }] : [],
      };
    }),

    setSummary: (actor: Actor, t: TicketTarget & { summary: string }): Promise<TicketView> => run(actor, t, () => ({
      kind: 'summary_set', patch: { summary: t.summary },
    })),

    addMember: (actor: Actor, t: TicketTarget & { user_id: string }): Promise<TicketView> => memberChange(ctx, actor, t, 'channel', 'add'),
    removeMember: (actor: Actor, t: TicketTarget & { user_id: string }): Promise<TicketView> => memberChange(ctx, actor, t, 'channel', 'remove'),

    createNotes: (actor: Actor, t: TicketTarget): Promise<TicketView> => run(actor, t, async (s) => {
      if (s.ticket.notes_thread_id || (await notesRequested(s))) throw conflict(`${label(s)} already has a notes thread.`);
      return { kind: 'notes_created', jobs: [{ kind: 'ticket.notes.create' }] };
    }),
    addNotesMember: (actor: Actor, t: TicketTarget & { user_id: string }): Promise<TicketView> => memberChange(ctx, actor, t, 'notes', 'add'),
    removeNotesMember: (actor: Actor, t: TicketTarget & { user_id: string }): Promise<TicketView> => memberChange(ctx, actor, t, 'notes', 'remove'),
  };
}

async function notesRequested(s: MutationScope): Promise<boolean> {
  const ev = await s.trx.selectFrom('ticket_events').select('id').where('ticket_id', '=', s.ticket.id).where('kind', '=', 'notes_created').executeTakeFirst();
  return ev !== undefined;
}

function memberChange(ctx: EngineContext, actor: Actor, t: TicketTarget & { user_id: string }, scope: 'channel' | 'notes', op: 'add' | 'remove'): Promise<TicketView> {
  return mutateTicket(ctx, actor, t.guild_id, t.ticket, async (s) => {
    if (scope === 'notes' && !s.ticket.notes_thread_id && !(await notesRequested(s))) {
      throw conflict(`Ticket #${s.ticket.number} has no notes thread yet. Create it first (create_notes_thread).`);
    }
    const existing = await s.trx.selectFrom('ticket_members').select('user_id')
      .where('ticket_id', '=', s.ticket.id).where('scope', '=', scope).where('user_id', '=', t.user_id).executeTakeFirst();
    const where = scope === 'notes' ? 'notes thread' : 'ticket';
    if (op === 'add' && existing) return null;
    if (op === 'remove' && !existing) throw notFound(`User ${t.user_id} is not a member of the ${where} of ticket #${s.ticket.number}.`);
    const kind = `${scope === 'notes' ? 'notes_' : ''}member_${op === 'add' ? 'added' : 'removed'}`;
    return {
      kind, data: { user_id: t.user_id },
      jobs: [{ kind: scope === 'notes' ? (op === 'add' ? 'ticket.notes.member.add' : 'ticket.notes.member.remove') : (op === 'add' ? 'ticket.member.add' : 'ticket.member.remove'), payload: { user_id: t.user_id } }],
      apply: async (trx) => {
        if (op === 'add') await trx.insertInto('ticket_members').values({ ticket_id: s.ticket.id, user_id: t.user_id, scope, added_by: actor.userId }).execute();
        else await trx.deleteFrom('ticket_members').where('ticket_id', '=', s.ticket.id).where('scope', '=', scope).where('user_id', '=', t.user_id).execute();
      },
    };
  });
}
