/** Ticket operations: open, read, list and every transition of a ticket. */
import { z } from 'zod';
import { destructive, idempotentWrite, read, write } from './annotations.js';
import { defineOperation } from './define.js';
import { FormAnswer, GuildId, Paging, Reason, Snowflake, Ticket, Timestamp, UserId, ticketInput, ticketTarget } from './schemas.js';


export const createTicket = defineOperation({
  name: 'create_ticket', title: 'Open a ticket', toolset: 'tickets', ability: 'tickets:write', annotations: write,
  description: "Open a new support ticket for a user. Uses ticket_group_id or the guild's default group; creates the ticket's private channel or thread in Discord and returns the ticket (channel_id is filled once Discord has created it).",
  input: z.object({
    guild_id: GuildId,
    user_id: UserId.describe('The user the ticket is for (its owner)'),
    message: z.string().max(2000).optional().describe('Opening message posted in the ticket'),
    topic: z.string().max(1024).optional().describe('Short subject of the ticket'),
    ticket_group_id: Snowflake.optional().describe("Ticket group; defaults to the guild's default group"),
    form: z.array(FormAnswer).max(25).optional().describe('Answers to the group form'),
    anonymous: z.boolean().optional().describe('Open on behalf of the API token owner without showing them (needs the anonymous ability)'),
    priority: z.number().int().min(0).optional().describe("Index into the group's priority_levels"),
  }).strict(),
  output: Ticket,
  run: (ctx, input) => ctx.engine.tickets.create(ctx.actor, input),
});

export const getTicket = defineOperation({
  name: 'get_ticket', title: 'Get a ticket', toolset: 'tickets', ability: 'tickets:read', annotations: read,
  description: 'Fetch one ticket by ticket_id or by its channel_id (or thread id): status, owner, assignee, priority, times and Discord state.',
  input: ticketInput({}), output: Ticket,
  run: (ctx, input) => ctx.engine.tickets.get(ticketTarget(input)),
});

export const listTickets = defineOperation({
  name: 'list_tickets', title: 'List tickets', toolset: 'tickets', ability: 'tickets:read', annotations: read,
  description: "List a guild's tickets, newest first, with filters (status, owner, assignee, group, priority, created range, text search on topic/name/form). Paginate with page/per_page or with the returned next_cursor.",
  input: z.object({
    guild_id: GuildId,
    status: z.enum(['open', 'closed']).optional().describe('Only open or only closed tickets'),
    owner_id: UserId.optional().describe('Only tickets owned by this user'),
    assigned_id: UserId.optional().describe('Only tickets assigned to this staff member'),
    group_id: Snowflake.optional().describe('Only tickets of this ticket group'),
    priority: z.number().int().min(0).optional().describe('Only tickets with this priority index'),
    created_after: Timestamp.optional(), created_before: Timestamp.optional(),
    q: z.string().min(1).max(200).optional().describe('Text to search for in topic, name, opening message and form answers'),
    include_deleted: z.boolean().optional().describe('Include deleted tickets (default false)'),
    waiting_on: z.enum(['staff', 'owner']).optional().describe("Only open tickets awaiting staff's answer, or the owner's"),
    sort: z.enum(['number', 'created_at', 'last_activity', 'waiting_since']).optional().describe('Sort key (default number)'),
    order: z.enum(['asc', 'desc']).optional().describe('Sort order (default desc)'),
    ...Paging,
    cursor: z.string().max(200).optional().describe('next_cursor from the previous page (keyset pagination, sort=number only)'),
  }).strict(),
  output: z.object({ tickets: z.array(Ticket), total: z.number().int(), page: z.number().int(), per_page: z.number().int(), next_cursor: z.string().nullable() }),
  run: (ctx, input) => ctx.engine.tickets.list(input),
});

export const closeTicket = defineOperation({
  name: 'close_ticket', title: 'Close a ticket', toolset: 'tickets', ability: 'tickets:write', annotations: write,
  description: 'Close an open ticket with an optional reason. Channel tickets move to the closed category and the owner loses write access; thread tickets are archived and locked. Fails if it is already closed.',
  input: ticketInput({ reason: Reason.optional() }), output: Ticket,
  run: (ctx, input) => ctx.engine.tickets.close(ctx.actor, { ...ticketTarget(input), reason: input.reason }),
});

export const requestTicketClose = defineOperation({
  name: 'request_ticket_close', title: 'Ask the owner to close a ticket', toolset: 'tickets', ability: 'tickets:write', annotations: write,
  description: "Ask the owner whether the ticket can close (the problem seems solved): they are pinged in the ticket and answer with a Close / Keep it open button. With close_after_hours it closes unless they answer or write by then. Use close_ticket to close at once.",
  input: ticketInput({
    reason: Reason.optional(),
    close_after_hours: z.number().int().min(1).max(720).nullable().optional().describe('Close after this many hours without an answer (default: wait)'),
  }),
  output: Ticket,
  run: (ctx, input) => ctx.engine.tickets.requestClose(ctx.actor, { ...ticketTarget(input), reason: input.reason, close_after_hours: input.close_after_hours }),
});

export const answerTicketCloseRequest = defineOperation({
  name: 'answer_ticket_close_request', title: 'Answer a close request', toolset: 'tickets', ability: 'tickets:write', annotations: write,
  description: "Answer a ticket's pending close request for its owner (as the owner's buttons do): accept closes the ticket with the request's reason, decline keeps it open and withdraws the request. Fails when no request is pending.",
  input: ticketInput({ accept: z.boolean().describe('true closes the ticket, false keeps it open') }),
  output: Ticket,
  run: (ctx, input) => ctx.engine.tickets.answerCloseRequest(ctx.actor, { ...ticketTarget(input), accept: input.accept }),
});

export const reopenTicket = defineOperation({
  name: 'reopen_ticket', title: 'Reopen a ticket', toolset: 'tickets', ability: 'tickets:write', annotations: write,
  description: 'Reopen a closed ticket: the owner can write again. Fails if it is already open.',
  input: ticketInput({}), output: Ticket,
  run: (ctx, input) => ctx.engine.tickets.reopen(ctx.actor, ticketTarget(input)),
});

export const deleteTicket = defineOperation({
  name: 'delete_ticket', title: 'Delete a ticket', toolset: 'tickets', ability: 'tickets:write', annotations: destructive,
  description: 'Close the ticket, mark it deleted and delete its Discord channel or thread. The record and history stay; the ticket cannot change afterwards.',
  input: ticketInput({ reason: Reason.optional() }), output: Ticket,
  run: (ctx, input) => ctx.engine.tickets.delete(ctx.actor, { ...ticketTarget(input), reason: input.reason }),
});

export const moveTicket = defineOperation({
  name: 'move_ticket', title: 'Move a ticket to another group', toolset: 'tickets', ability: 'tickets:write', annotations: idempotentWrite,
  description: 'Move a ticket to another ticket group of the same mode (channel or thread); its channel moves to that group\'s category.',
  input: ticketInput({ ticket_group_id: Snowflake.describe('The target ticket group') }), output: Ticket,
  run: (ctx, input) => ctx.engine.tickets.move(ctx.actor, { ...ticketTarget(input), ticket_group_id: input.ticket_group_id }),
});

export const assignTicket = defineOperation({
  name: 'assign_ticket', title: 'Assign a ticket', toolset: 'tickets', ability: 'tickets:write', annotations: idempotentWrite,
  description: 'Assign a staff member to the ticket (replacing any current assignee); they get access to its channel.',
  input: ticketInput({ user_id: UserId.describe('The staff member to assign') }), output: Ticket,
  run: (ctx, input) => ctx.engine.tickets.assign(ctx.actor, { ...ticketTarget(input), user_id: input.user_id }),
});

export const unassignTicket = defineOperation({
  name: 'unassign_ticket', title: 'Unassign a ticket', toolset: 'tickets', ability: 'tickets:write', annotations: idempotentWrite,
  description: 'Remove the assigned staff member from the ticket. Does nothing if nobody is assigned.',
  input: ticketInput({}), output: Ticket,
  run: (ctx, input) => ctx.engine.tickets.unassign(ctx.actor, ticketTarget(input)),
});

export const claimTicket = defineOperation({
  name: 'claim_ticket', title: 'Claim a ticket', toolset: 'tickets', ability: 'tickets:write', annotations: idempotentWrite,
  description: 'Assign the ticket to yourself (the acting user). Fails if someone else already claimed it; use transfer_ticket then.',
  input: ticketInput({}), output: Ticket,
  run: (ctx, input) => ctx.engine.tickets.claim(ctx.actor, ticketTarget(input)),
});

export const transferTicket = defineOperation({
  name: 'transfer_ticket', title: 'Transfer a ticket', toolset: 'tickets', ability: 'tickets:write', annotations: idempotentWrite,
  description: 'Hand an assigned ticket over to another staff member.',
  input: ticketInput({ user_id: UserId.describe('The staff member who takes over') }), output: Ticket,
  run: (ctx, input) => ctx.engine.tickets.transfer(ctx.actor, { ...ticketTarget(input), user_id: input.user_id }),
});

export const setTicketExpiry = defineOperation({
  name: 'set_ticket_expiry', title: 'Set ticket expiry', toolset: 'tickets', ability: 'tickets:write', annotations: idempotentWrite,
  description: 'Set when the ticket closes automatically (ISO timestamp), or null to clear it. With clearable=true any new message in the ticket clears the expiry.',
  input: ticketInput({
    expire_at: Timestamp.nullable().describe('When to close the ticket automatically; null clears'),
    clearable: z.boolean().optional().describe('Clear the expiry when someone writes in the ticket (default false)'),
  }), output: Ticket,
  run: (ctx, input) => ctx.engine.tickets.setExpiry(ctx.actor, { ...ticketTarget(input), expire_at: input.expire_at, clearable: input.clearable }),
});

export const setTicketEternal = defineOperation({
  name: 'set_ticket_eternal', title: 'Make a ticket eternal', toolset: 'tickets', ability: 'tickets:write', annotations: idempotentWrite,
  description: 'Mark the ticket eternal (never closed automatically) or not.',
  input: ticketInput({ eternal: z.boolean().describe('true: never auto-close') }), output: Ticket,
  run: (ctx, input) => ctx.engine.tickets.setEternal(ctx.actor, { ...ticketTarget(input), eternal: input.eternal }),
});

export const lockTicket = defineOperation({
  name: 'lock_ticket', title: 'Lock a ticket', toolset: 'tickets', ability: 'tickets:write', annotations: write,
  description: 'Lock an open ticket so nobody but staff can write in it. Fails on a closed or already locked ticket.',
  input: ticketInput({}), output: Ticket,
  run: (ctx, input) => ctx.engine.tickets.lock(ctx.actor, ticketTarget(input)),
});

export const unlockTicket = defineOperation({
  name: 'unlock_ticket', title: 'Unlock a ticket', toolset: 'tickets', ability: 'tickets:write', annotations: write,
  description: 'Unlock a locked ticket so its members can write again.',
  input: ticketInput({}), output: Ticket,
  run: (ctx, input) => ctx.engine.tickets.unlock(ctx.actor, ticketTarget(input)),
});

export const renameTicket = defineOperation({
  name: 'rename_ticket', title: 'Rename a ticket', toolset: 'tickets', ability: 'tickets:write', annotations: idempotentWrite,
  description: "Rename the ticket's channel or thread. An empty name restores the group's default name. Discord allows about two renames per 10 minutes; extra renames are queued, not lost.",
  input: ticketInput({ name: z.string().max(100).nullable().optional().describe('New name; empty or null restores the default') }), output: Ticket,
  run: (ctx, input) => ctx.engine.tickets.rename(ctx.actor, { ...ticketTarget(input), name: input.name }),
});

export const setTicketPriority = defineOperation({
  name: 'set_ticket_priority', title: 'Set ticket priority', toolset: 'tickets', ability: 'tickets:write', annotations: idempotentWrite,
  description: "Set the ticket's priority as an index into its group's priority_levels (see list_ticket_groups), or null to clear it.",
  input: ticketInput({ priority: z.number().int().min(0).nullable().describe('Priority level index, or null') }), output: Ticket,
  run: (ctx, input) => ctx.engine.tickets.setPriority(ctx.actor, { ...ticketTarget(input), priority: input.priority }),
});

export const setTicketOwner = defineOperation({
  name: 'set_ticket_owner', title: 'Change ticket owner', toolset: 'tickets', ability: 'tickets:write', annotations: idempotentWrite,
  description: 'Make another user the owner of the ticket; the new owner gets access and the old one keeps none of the owner rights.',
  input: ticketInput({ user_id: UserId.describe('The new owner') }), output: Ticket,
  run: (ctx, input) => ctx.engine.tickets.setOwner(ctx.actor, { ...ticketTarget(input), user_id: input.user_id }),
});

export const addTicketMember = defineOperation({
  name: 'add_ticket_member', title: 'Add a user to a ticket', toolset: 'tickets', ability: 'tickets:write', annotations: idempotentWrite,
  description: 'Give another user access to the ticket channel or thread.',
  input: ticketInput({ user_id: UserId.describe('The user to add') }), output: Ticket,
  run: (ctx, input) => ctx.engine.tickets.addMember(ctx.actor, { ...ticketTarget(input), user_id: input.user_id }),
});

export const removeTicketMember = defineOperation({
  name: 'remove_ticket_member', title: 'Remove a user from a ticket', toolset: 'tickets', ability: 'tickets:write', annotations: destructive,
  description: 'Take a previously added user out of the ticket channel or thread.',
  input: ticketInput({ user_id: UserId.describe('The user to remove') }), output: Ticket,
  run: (ctx, input) => ctx.engine.tickets.removeMember(ctx.actor, { ...ticketTarget(input), user_id: input.user_id }),
});

export const createNotesThread = defineOperation({
  name: 'create_notes_thread', title: 'Create a staff notes thread', toolset: 'tickets', ability: 'tickets:write', annotations: write,
  description: 'Create the private staff-only notes thread of a ticket (one per ticket).',
  input: ticketInput({}), output: Ticket,
  run: (ctx, input) => ctx.engine.tickets.createNotes(ctx.actor, ticketTarget(input)),
});

export const addNotesMember = defineOperation({
  name: 'add_notes_member', title: 'Add a user to the notes thread', toolset: 'tickets', ability: 'tickets:write', annotations: idempotentWrite,
  description: "Add a user to the ticket's staff notes thread (create_notes_thread first).",
  input: ticketInput({ user_id: UserId }), output: Ticket,
  run: (ctx, input) => ctx.engine.tickets.addNotesMember(ctx.actor, { ...ticketTarget(input), user_id: input.user_id }),
});

export const removeNotesMember = defineOperation({
  name: 'remove_notes_member', title: 'Remove a user from the notes thread', toolset: 'tickets', ability: 'tickets:write', annotations: destructive,
  description: "Remove a user from the ticket's staff notes thread.",
  input: ticketInput({ user_id: UserId }), output: Ticket,
  run: (ctx, input) => ctx.engine.tickets.removeNotesMember(ctx.actor, { ...ticketTarget(input), user_id: input.user_id }),
});

export const rateTicket = defineOperation({
  name: 'rate_ticket', title: 'Rate a ticket', toolset: 'tickets', ability: 'tickets:write', annotations: idempotentWrite,
  description: "Record the owner's rating of the support received, from 1 to the number of the group's rating levels (5 when none are set), with an optional comment; posted to the group's feedback channel.",
  input: ticketInput({ rating: z.number().int().min(1).describe('The rating, from 1'), comment: z.string().max(1000).nullable().optional().describe("The owner's words on it") }), output: Ticket,
  run: (ctx, input) => ctx.engine.tickets.rate(ctx.actor, { ...ticketTarget(input), rating: input.rating, comment: input.comment }),
});

export const setTicketSummary = defineOperation({
  name: 'set_ticket_summary', title: 'Store a ticket summary', toolset: 'tickets', ability: 'tickets:write', annotations: idempotentWrite,
  description: 'Store a summary of the ticket (for example one an agent wrote from the transcript) so staff and REST clients see it on the ticket.',
  input: ticketInput({ summary: z.string().min(1).max(4000).describe('The summary text') }), output: Ticket,
  run: (ctx, input) => ctx.engine.tickets.setSummary(ctx.actor, { ...ticketTarget(input), summary: input.summary }),
});

export const listTicketEvents = defineOperation({
  name: 'list_ticket_events', title: 'List ticket history', toolset: 'tickets', ability: 'tickets:read', annotations: read,
  description: 'The history of a ticket, oldest first: who did what, when, why, and whether the bot did it.',
  input: ticketInput({
    limit: z.number().int().min(1).max(500).optional().describe('At most this many events (default 100)'),
    after_id: z.string().regex(/^\d+$/).optional().describe('Only events after this event id (for paging)'),
  }),
  output: z.object({
    ticket_id: Snowflake,
    events: z.array(z.object({
      id: z.string(), kind: z.string(), actor_id: z.string().nullable(), as_bot: z.boolean(), reason: z.string().nullable(),
      data: z.record(z.string(), z.unknown()), created_at: Timestamp,
    })),
  }),
  run: (ctx, input) => ctx.engine.tickets.events({ ...ticketTarget(input), limit: input.limit, after_id: input.after_id }),
});

export const ticketOperations = [
  createTicket, getTicket, listTickets, closeTicket, requestTicketClose, answerTicketCloseRequest, reopenTicket, deleteTicket, moveTicket, assignTicket,
  unassignTicket, claimTicket, transferTicket, setTicketExpiry, setTicketEternal, lockTicket, unlockTicket,
  renameTicket, setTicketPriority, setTicketOwner, addTicketMember, removeTicketMember, createNotesThread,
  addNotesMember, removeNotesMember, rateTicket, setTicketSummary, listTicketEvents,
];
