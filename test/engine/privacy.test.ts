/**
 * Message linking and a member's privacy requests, through the catalogue (abilities, guild scope,
 * validation) and the engine, on both databases.
 */
import { expect, it } from 'vitest';
import type { Ability, Actor } from '../../src/engine/actor.js';
import { EngineError } from '../../src/engine/errors.js';
import { createEngine, type Engine } from '../../src/engine/index.js';
import { DELETED_USER_ID } from '../../src/engine/privacy.js';
import { replayEvents } from '../../src/engine/tickets/replay.js';
import { invoke, type AnyOperation, type OperationContext } from '../../src/operations/define.js';
import { deleteUserTicketData, getUserTicketData, linkTicketMessage, unlinkTicketMessage } from '../../src/operations/privacy.js';
import { describeEachDatabase } from '../support/databases.js';
import { attachDiscordIds, seedGuild, snowflake, staffActor } from '../support/fixtures.js';

const owner = { id: '849383430663776372', username: 'owner', global_name: 'Olive Owner' };
const helper = { id: '601082144459178129', username: 'helper' };
const casey = { id: '1305908865287852092', username: 'casey', global_name: 'Casey', avatar: 'abc123' };
const staff = staffActor(helper.id);

const limited = (abilities: Ability[], guilds: string[] | null = null): Actor => ({ userId: helper.id, tokenId: 't', abilities: new Set(abilities), guilds, asBot: false });

async function failure(p: Promise<unknown>, code: string, pattern?: RegExp): Promise<EngineError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err, 'expected the call to fail').toBeInstanceOf(EngineError);
  expect((err as EngineError).code, (err as Error).message).toBe(code);
  if (pattern) expect((err as EngineError).message).toMatch(pattern);
  return err as EngineError;
}

describeEachDatabase('message linking and member data', (database) => {
  let engine: Engine;
  const e = () => (engine ??= createEngine(database()));
  const db = () => database().db;
  const call = (op: AnyOperation, input: unknown, actor: Actor = staff) => {
    const ctx: OperationContext = { engine: e(), actor, requestId: 'test', signal: new AbortController().signal, progress: () => {} };
    return invoke(op, ctx, input) as Promise<Record<string, unknown>>;
  };

  async function ticketWithChannel(guildId?: string) {
    const g = guildId ? { guildId } : await seedGuild(db());
    const ticket = await e().tickets.create(staff, { guild_id: g.guildId, user_id: owner.id, topic: 'Refund' });
    const ids = await attachDiscordIds(db(), ticket.id, { notes_thread_id: snowflake() });
    return { guildId: g.guildId, ticket, channelId: ids.channel_id, notesId: ids.notes_thread_id as string };
  }
  const record = (guildId: string, channelId: string, author: { id: string; username: string }, content: string, extra: Record<string, unknown> = {}) => {
    const id = snowflake();
    return e().transcripts.recordMessage({
      guild_id: guildId, channel_id: channelId,
      message: { id, author, content, embeds: [{ title: content }], attachments: [], created_at: '2030-01-01T00:00:00Z', ...extra },
    }).then(() => id);
  };
  const captureJobs = (ticketId: string) => db().selectFrom('discord_jobs').select(['kind', 'payload', 'status']).where('ticket_id', '=', ticketId).where('kind', '=', 'message.capture').execute();
  const events = (ticketId: string) => db().selectFrom('ticket_events').select(['kind', 'actor_id', 'data']).where('ticket_id', '=', ticketId).orderBy('id').execute();
  const ticketRow = (id: string) => db().selectFrom('tickets').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  async function expectReplayable(ticketId: string) {
    const evs = await events(ticketId);
    const row = await ticketRow(ticketId);
    expect(row.version).toBe(evs.length);
    expect(replayEvents(evs)['status']).toBe(row.status);
  }

  it('links a message of a ticket channel: one event and one capture job in the same change, and repeats change nothing', async () => {
    const { guildId, ticket, channelId } = await ticketWithChannel();
    const messageId = snowflake();
    const out = await call(linkTicketMessage, { guild_id: guildId, channel_id: channelId, message_id: messageId });
    // No Discord worker runs in this process: the capture waits in the outbox.
    expect(out).toEqual({ ticket_id: ticket.id, message_id: messageId, in_notes: false, status: 'queued', detail: expect.stringMatching(/fetched from Discord/) });
    expect(await captureJobs(ticket.id)).toEqual([{ kind: 'message.capture', payload: { channel_id: channelId, message_id: messageId }, status: 'pending' }]);
    const linked = (await events(ticket.id)).filter((ev) => ev.kind === 'message_linked');
    expect(linked).toEqual([{ kind: 'message_linked', actor_id: helper.id, data: { changes: {}, channel_id: channelId, message_id: messageId, in_notes: false } }]);

    const again = await call(linkTicketMessage, { guild_id: guildId, channel_id: channelId, message_id: messageId });
    expect(again).toMatchObject({ status: 'queued', detail: expect.stringMatching(/already queued/) });
    expect(await captureJobs(ticket.id)).toHaveLength(1);
    expect((await events(ticket.id)).filter((ev) => ev.kind === 'message_linked')).toHaveLength(1);
    await expectReplayable(ticket.id);
  });

  it('changes nothing when the message is already in the transcript, and links notes-thread messages as notes', async () => {
    const { guildId, ticket, channelId, notesId } = await ticketWithChannel();
    const recorded = await record(guildId, channelId, owner, 'hello');
    const before = await events(ticket.id);
    expect(await call(linkTicketMessage, { guild_id: guildId, channel_id: channelId, message_id: recorded })).toMatchObject({ ticket_id: ticket.id, status: 'already_recorded' });
    expect(await events(ticket.id)).toEqual(before);
    expect(await captureJobs(ticket.id)).toEqual([]);

    const inNotes = await call(linkTicketMessage, { guild_id: guildId, channel_id: notesId, message_id: snowflake() });
    expect(inNotes).toMatchObject({ ticket_id: ticket.id, in_notes: true, status: 'queued' });
    // The same message id named with another channel is refused, saying which channel it is in.
    const err = await failure(call(linkTicketMessage, { guild_id: guildId, channel_id: notesId, message_id: recorded }), 'invalid', new RegExp(`written in channel ${channelId}`));
    expect(err.details.fields?.[0]?.path).toBe('channel_id');
  });

  it('refuses channels that are no ticket, unknown guilds, disabled modules, deleted tickets, bad input, missing abilities and foreign guilds', async () => {
    const { guildId, ticket, channelId } = await ticketWithChannel();
    const m = snowflake();
    await failure(call(linkTicketMessage, { guild_id: guildId, channel_id: snowflake(), message_id: m }), 'not_found', /is not the channel, thread or notes thread of any ticket/);
    await failure(call(linkTicketMessage, { guild_id: snowflake(), channel_id: channelId, message_id: m }), 'not_found', /Unknown guild/);
    const bad = await failure(call(linkTicketMessage, { guild_id: guildId, channel_id: channelId, message_id: 'latest' }), 'invalid', /message_id/);
    expect(bad.details.fields?.map((f) => f.path)).toEqual(['message_id']);
    await failure(call(linkTicketMessage, { guild_id: guildId, channel_id: channelId, message_id: m }, limited(['tickets:read'])), 'forbidden', /tickets:write/);
    await failure(call(linkTicketMessage, { guild_id: guildId, channel_id: channelId, message_id: m }, limited(['tickets:write'], [snowflake()])), 'forbidden', new RegExp(`no access to guild ${guildId}`));

    await e().tickets.delete(staff, { guild_id: guildId, ticket: { ticket_id: ticket.id } });
    await failure(call(linkTicketMessage, { guild_id: guildId, channel_id: channelId, message_id: m }), 'conflict', /deleted/);
    await e().guilds.disableModule(staff, guildId);
    await failure(call(linkTicketMessage, { guild_id: guildId, channel_id: channelId, message_id: m }), 'module_disabled');
    await failure(call(unlinkTicketMessage, { guild_id: guildId, channel_id: channelId, message_id: m }), 'module_disabled');
    expect(await captureJobs(ticket.id)).toEqual([]);
  });

  it('unlinks a recorded message: marked deleted with an event, kept in the transcript; again changes nothing; unknown ones are not found', async () => {
    const { guildId, ticket, channelId } = await ticketWithChannel();
    const id = await record(guildId, channelId, owner, 'oops');
    const out = await call(unlinkTicketMessage, { guild_id: guildId, channel_id: channelId, message_id: id });
    expect(out).toMatchObject({ ticket_id: ticket.id, message_id: id, changed: true });
    const page = await e().transcripts.listMessages({ guild_id: guildId, ticket: { ticket_id: ticket.id } });
    expect(page.messages.map((msg) => [msg.id, msg.content, msg.deleted_at])).toEqual([[id, 'oops', out['deleted_at']]]);
    expect((await events(ticket.id)).filter((ev) => ev.kind === 'message_unlinked').map((ev) => ev.data)).toEqual([{ changes: {}, channel_id: channelId, message_id: id }]);

    const again = await call(unlinkTicketMessage, { guild_id: guildId, channel_id: channelId, message_id: id });
    expect(again).toMatchObject({ changed: false, deleted_at: out['deleted_at'] });
    expect((await events(ticket.id)).filter((ev) => ev.kind === 'message_unlinked')).toHaveLength(1);
    await expectReplayable(ticket.id);

    await failure(call(unlinkTicketMessage, { guild_id: guildId, channel_id: channelId, message_id: snowflake() }), 'not_found', /No recorded message/);
    // The right message named with the wrong channel is not found either.
    await failure(call(unlinkTicketMessage, { guild_id: guildId, channel_id: snowflake(), message_id: id }), 'not_found', /No recorded message/);
  });

  /** Casey: owns one ticket, is assigned another and a member of it, sits in a third's notes thread, and wrote in two of them. */
  async function caseyEverywhere() {
    const g = await seedGuild(db());
    const owned = await e().tickets.create(staff, { guild_id: g.guildId, user_id: casey.id });
    const ownedIds = await attachDiscordIds(db(), owned.id);
    const assigned = await ticketWithChannel(g.guildId);
    await e().tickets.assign(staff, { guild_id: g.guildId, ticket: { ticket_id: assigned.ticket.id }, user_id: casey.id });
    await e().tickets.addMember(staff, { guild_id: g.guildId, ticket: { ticket_id: assigned.ticket.id }, user_id: casey.id });
    const notes = await ticketWithChannel(g.guildId);
    await e().tickets.addNotesMember(staff, { guild_id: g.guildId, ticket: { ticket_id: notes.ticket.id }, user_id: casey.id });
    const files = [1, 2].map((n) => ({ id: snowflake(), filename: `photo-${n}.png`, content_type: 'image/png', size: 10, url: `https://cdn.example/${n}.png` }));
    const a = await record(g.guildId, ownedIds.channel_id, casey, 'my address is 1 Main St', { attachments: files });
    const b = await record(g.guildId, assigned.channelId, casey, 'looking into it');
    const c = await record(g.guildId, notes.notesId, casey, 'internal: refund approved');
    const others = await record(g.guildId, assigned.channelId, owner, 'thanks Casey');
    // The same person in another guild is not this guild's business.
    const elsewhere = await ticketWithChannel();
    await e().tickets.addMember(staff, { guild_id: elsewhere.guildId, ticket: { ticket_id: elsewhere.ticket.id }, user_id: casey.id });
    const foreign = await record(elsewhere.guildId, elsewhere.channelId, casey, 'other guild');
    return { g, owned, assigned, notes, lines: [a, b, c], others, elsewhere, foreign };
  }

  it("counts a member's references in one guild only, for transcript readers of that guild, even with the module off", async () => {
    const s = await caseyEverywhere();
    const counts = await call(getUserTicketData, { guild_id: s.g.guildId, user_id: casey.id });
    expect(counts).toEqual({
      guild_id: s.g.guildId, user_id: casey.id, tickets_owned: 1, tickets_assigned: 1, ticket_memberships: 1, notes_memberships: 1,
      messages: 3, attachments: 2, total: 9,
    });
    expect(await call(getUserTicketData, { guild_id: s.elsewhere.guildId, user_id: casey.id })).toMatchObject({ ticket_memberships: 1, messages: 1, total: 2 });
    expect(await call(getUserTicketData, { guild_id: s.g.guildId, user_id: snowflake() })).toMatchObject({ total: 0 });
    await failure(call(getUserTicketData, { guild_id: s.g.guildId, user_id: casey.id }, limited(['tickets:read', 'tickets:write', 'guild:read'])), 'forbidden', /transcripts:read/);
    await failure(call(getUserTicketData, { guild_id: s.g.guildId, user_id: casey.id }, limited(['transcripts:read'], [snowflake()])), 'forbidden', /no access to guild/);
    await failure(call(getUserTicketData, { guild_id: snowflake(), user_id: casey.id }), 'not_found', /Unknown guild/);
    await failure(call(getUserTicketData, { guild_id: s.g.guildId, user_id: 'casey' }), 'invalid', /user_id/);
    await e().guilds.disableModule(staff, s.g.guildId);
    expect(await call(getUserTicketData, { guild_id: s.g.guildId, user_id: casey.id })).toMatchObject({ total: 9 });
  });

  it("deletes a member's references in one guild: lines redacted, files and memberships gone, one event per ticket without personal data; owned tickets stay", async () => {
    const s = await caseyEverywhere();
    const jobsBefore = await db().selectFrom('discord_jobs').select('id').execute();
    const out = await call(deleteUserTicketData, { guild_id: s.g.guildId, user_id: casey.id });
    expect(out).toEqual({
      guild_id: s.g.guildId, user_id: casey.id, tickets_affected: 3,
      deleted: { messages_redacted: 3, attachments: 2, ticket_memberships: 1, notes_memberships: 1, webhook_deliveries: 0 },
      kept: { tickets_owned: 1, tickets_assigned: 1 },
    });

    const lines = await db().selectFrom('messages').selectAll().where('id', 'in', s.lines).execute();
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      expect(line).toMatchObject({ content: '', embeds: [], author_id: DELETED_USER_ID, author_name: 'Deleted user', author_avatar: null });
    }
    expect(await db().selectFrom('attachments').select('id').where('message_id', 'in', s.lines).execute()).toEqual([]);
    // Nobody else's lines change; the other guild keeps everything.
    expect(await db().selectFrom('messages').select(['content', 'author_id']).where('id', 'in', [s.others, s.foreign]).orderBy('content').execute())
      .toEqual([{ content: 'other guild', author_id: casey.id }, { content: 'thanks Casey', author_id: owner.id }]);
    expect(await call(getUserTicketData, { guild_id: s.elsewhere.guildId, user_id: casey.id })).toMatchObject({ ticket_memberships: 1, messages: 1 });

    // What is left in this guild is what the description promises to keep.
    expect(await call(getUserTicketData, { guild_id: s.g.guildId, user_id: casey.id })).toMatchObject({
      tickets_owned: 1, tickets_assigned: 1, ticket_memberships: 0, notes_memberships: 0, messages: 0, attachments: 0, total: 2,
    });
    expect((await ticketRow(s.owned.id)).owner_id).toBe(casey.id);

    for (const t of [s.owned, s.assigned.ticket, s.notes.ticket]) {
      const evs = (await events(t.id)).filter((ev) => ev.kind === 'user_data_deleted');
      expect(evs, t.id).toHaveLength(1);
      expect(JSON.stringify(evs[0])).not.toContain(casey.id);
      await expectReplayable(t.id);
    }
    // Discord access follows the membership rows.
    const newJobs = await db().selectFrom('discord_jobs').select(['kind', 'ticket_id', 'payload']).where('id', 'not in', jobsBefore.map((j) => j.id)).orderBy('id').execute();
    expect(newJobs).toEqual([
      { kind: 'ticket.member.remove', ticket_id: s.assigned.ticket.id, payload: { user_id: casey.id } },
      { kind: 'ticket.notes.member.remove', ticket_id: s.notes.ticket.id, payload: { user_id: casey.id } },
    ].sort((a, b) => (a.ticket_id < b.ticket_id ? -1 : 1)));

    // Repeating finds nothing more to remove and writes nothing.
    const again = await call(deleteUserTicketData, { guild_id: s.g.guildId, user_id: casey.id });
    expect(again).toMatchObject({ tickets_affected: 0, deleted: { messages_redacted: 0, attachments: 0, ticket_memberships: 0, notes_memberships: 0 } });
    expect((await events(s.owned.id)).filter((ev) => ev.kind === 'user_data_deleted')).toHaveLength(1);
    await failure(call(deleteUserTicketData, { guild_id: s.g.guildId, user_id: casey.id }, limited(['tickets:write'])), 'forbidden', /guild:admin/);
  });
});
