/** Opening a ticket: gapless per-guild number, group rules, first event and the Discord open job. */
import { jsonObjectFrom } from 'kysely/helpers/postgres';
import type { FormAnswer } from '../../db/schema.js';
import { hasAbility, type Actor } from '../actor.js';
import type { EngineContext } from '../context.js';
import { conflict, EngineError, forbidden, moduleDisabled, notFound } from '../errors.js';
import { blockedMessage, blockFor } from '../blocks.js';
import { eventRow } from '../events.js';
import { unknownGuild } from '../guards.js';
import { newId, newUuid } from '../ids.js';
import { jobRow } from '../jobs.js';
import { inTransaction, json, type Tx } from '../tx.js';
import { ticketView, type TicketView } from '../views.js';
import { serializePatch } from './mutate.js';
import { checkPriority } from './priority.js';
import { CompiledStatements, markRow, rowValues } from '../compiled.js';

/** The create path's two statements, compiled once per shape (see compiled.ts for why). */
const statements = new CompiledStatements();

export interface CreateTicketInput {
  guild_id: string;
  user_id: string;
  message?: string | undefined;
  topic?: string | undefined;
  ticket_group_id?: string | undefined;
  form?: FormAnswer[] | undefined;
  anonymous?: boolean | undefined;
  priority?: number | undefined;
  /**
   * The owner's roles as the calling face saw them a moment ago (Discord: the interaction's member),
   * fresher than the stored member row; used for the group's required roles.
   */
  member_roles?: readonly string[] | undefined;
}

export async function createTicket(ctx: EngineContext, actor: Actor, input: CreateTicketInput): Promise<TicketView> {
  const anonymous = input.anonymous ?? hasAbility(actor, 'anonymous');
  if (anonymous && !hasAbility(actor, 'anonymous')) {
    throw forbidden('This token lacks the "anonymous" ability, so it cannot open anonymous tickets. Leave anonymous unset or false.');
  }
  const { row, template } = await inTransaction(ctx.db, async (trx) => {
    // One statement takes the next number, locks the guild row (creates of one guild queue here, so
    // numbers are gapless and unique; a rolled-back create gives its number back), reads the guild's
    // state that the rules below need, and brings the ticket group and any block on the owner along
    // (one round trip, not three).
    const byGroup = input.ticket_group_id !== undefined;
    const [guild] = await statements.execute(trx, `guild:${byGroup}`, (p) => trx.updateTable('guilds').set((eb) => ({ ticket_counter: eb('ticket_counter', '+', 1) }))
      .where('id', '=', p('guild_id'))
      .returning((eb) => ['id', 'ticket_counter', 'module_enabled', 'default_group_id',
        jsonObjectFrom(eb.selectFrom('ticket_groups')
          .select(['ticket_groups.id', 'ticket_groups.name', 'ticket_groups.priority_levels', 'ticket_groups.per_user_limit', 'ticket_groups.name_template', 'ticket_groups.cooldown_seconds', 'ticket_groups.required_role_ids'])
          .whereRef('ticket_groups.guild_id', '=', 'guilds.id')
          .where('ticket_groups.deleted_at', 'is', null)
          .$call((q) => (byGroup
            ? q.where('ticket_groups.id', '=', p('group_id'))
            : q.whereRef('ticket_groups.id', '=', 'guilds.default_group_id')))).as('group'),
        jsonObjectFrom(blockFor(eb, p('user_id'))).as('block')]),
    { guild_id: input.guild_id, group_id: input.ticket_group_id, user_id: input.user_id });
    if (!guild) throw unknownGuild(input.guild_id);
    if (!guild.module_enabled) throw moduleDisabled(guild.id);
    if (guild.block) throw forbidden(blockedMessage(input.user_id, guild.id, guild.block));
    const groupId = input.ticket_group_id ?? guild.default_group_id;
    if (!groupId) {
      throw conflict(`Guild ${guild.id} has no default ticket group. Pass ticket_group_id, or create a group (create_ticket_group) and make it the default.`);
    }
    const group = guild.group;
    if (!group) {
      throw notFound(input.ticket_group_id
        ? `No ticket group ${groupId} in guild ${guild.id}. List them with list_ticket_groups.`
        : `The default ticket group ${groupId} of guild ${guild.id} no longer exists. Pass ticket_group_id or set a new default group.`);
    }
    if (input.priority !== undefined) checkPriority(group, input.priority);
    if (group.per_user_limit !== null) {
      const open = await trx.selectFrom('tickets').select((eb) => eb.fn.countAll<string>().as('n'))
        .where('guild_id', '=', guild.id).where('group_id', '=', group.id)
        .where('owner_id', '=', input.user_id).where('status', '=', 'open').executeTakeFirstOrThrow();
      if (Number(open.n) >= group.per_user_limit) {
        throw conflict(`User ${input.user_id} already has ${open.n} open ticket(s) in "${group.name}" (limit ${group.per_user_limit}). Close one first.`);
      }
    }
    // Like the cooldown, required roles hold members opening their own tickets, not staff opening for them.
    if (group.required_role_ids.length > 0 && actor.userId === input.user_id) await checkRequiredRoles(trx, guild.id, group, input);
    const now = ctx.now();
    // The cooldown holds members opening their own tickets; staff and integrations opening for them are not held.
    if (group.cooldown_seconds !== null && actor.userId === input.user_id) {
      const last = await trx.selectFrom('tickets').select((eb) => eb.fn.max('created_at').as('at'))
        .where('guild_id', '=', guild.id).where('group_id', '=', group.id).where('owner_id', '=', input.user_id).executeTakeFirst();
      const wait = last?.at ? Math.ceil(group.cooldown_seconds - (now.getTime() - new Date(last.at).getTime()) / 1000) : 0;
      if (wait > 0) {
        throw new EngineError('rate_limited', `User ${input.user_id} opened a ticket in "${group.name}" less than ${group.cooldown_seconds} s ago, and the group asks members to wait that long between tickets. Try again in ${wait} s.`, { retryAfterSeconds: wait });
      }
    }
    const values = {
      id: newId(),
      uuid: newUuid(),
      guild_id: guild.id,
      group_id: group.id,
      number: guild.ticket_counter,
      status: 'open' as const,
      topic: input.topic ?? null,
      owner_id: input.user_id,
      form: json(input.form ?? []),
      anonymous,
      opening_message: input.message ?? null,
      priority: input.priority ?? null,
      created_at: now,
      opened_at: now,
      last_activity: now,
      waiting_since: now,
    };
    // The ticket, its first event and its Discord job go in one statement (data-modifying CTEs):
    // one round trip while the guild row is locked. Foreign keys are checked at statement end.
    const event = eventRow(actor, {
      ticketId: values.id, guildId: guild.id, kind: 'created',
      data: { changes: { ...serializePatch({ ...values, form: undefined }), form: input.form ?? [] } },
    });
    const job = jobRow({ guildId: guild.id, ticketId: values.id, kind: 'ticket.open', payload: { message: input.message ?? null } });
    const params: Record<string, unknown> = {};
    const shape = ['insert', rowValues('t', values, params), rowValues('e', event, params), rowValues('j', job, params)].join('|');
    const [row] = await statements.execute(trx, shape, (p) => trx
      .with('created_event', (db) => db.insertInto('ticket_events').values(markRow(p, 'e', event)))
      .with('open_job', (db) => db.insertInto('discord_jobs').values(markRow(p, 'j', job)))
      .insertInto('tickets').values(markRow(p, 't', values)).returningAll(), params);
    if (!row) throw new Error('creating a ticket returned no row');
    return { row, template: group.name_template };
  });
  ctx.changes.emit('ticket', { guildId: row.guild_id, ticketId: row.id });
  ctx.changes.emit('jobs', { count: 1 });
  return ticketView(row, template);
}

async function checkRequiredRoles(trx: Tx, guildId: string, group: { name: string; required_role_ids: string[] }, input: CreateTicketInput): Promise<void> {
  const roles = input.member_roles ?? (await trx.selectFrom('members').select('roles')
    .where('guild_id', '=', guildId).where('user_id', '=', input.user_id).where('left_at', 'is', null).executeTakeFirst())?.roles ?? [];
  if (group.required_role_ids.some((r) => roles.includes(r))) return;
  const named = await trx.selectFrom('roles').select(['id', 'name']).where('guild_id', '=', guildId).where('id', 'in', group.required_role_ids).execute();
  const list = group.required_role_ids.map((id) => { const n = named.find((r) => r.id === id)?.name; return n ? `"${n}" (${id})` : id; }).join(', ');
  throw forbidden(`Opening a ticket in "${group.name}" needs one of the roles ${list}, and user ${input.user_id} has none of them. Give them one of those roles, open the ticket for them as staff, or change the group's required_role_ids.`);
}
