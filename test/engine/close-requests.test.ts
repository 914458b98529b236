/**
 * Close requests on the engine with a hand-moved clock: ask, decline, accept, the unanswered
 * deadline, the owner's message stopping the countdown, and a close by hand withdrawing the request.
 */
import { expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/engine/index.js';
import { EngineError } from '../../src/engine/errors.js';
import { replayEvents } from '../../src/engine/tickets/replay.js';
import { describeEachDatabase } from '../support/databases.js';
import { attachDiscordIds, manualClock, seedGuild, snowflake, staffActor } from '../support/fixtures.js';

const owner = { id: '849383430663776372', username: 'casey' };
const helper = { id: '601082144459178129', username: 'helper' };
const staff = staffActor(helper.id);
const HOUR = 3600;

describeEachDatabase('close requests', (database) => {
  const clock = manualClock('2030-06-01T10:00:00.000Z');
  let engine: Engine;
  const e = () => (engine ??= createEngine(database(), { now: clock.now }));
  const db = () => database().db;
  const jobKinds = async (id: string) => (await db().selectFrom('discord_jobs').select('kind').where('ticket_id', '=', id).orderBy('id').execute()).map((j) => j.kind);
  const conflictOf = async (p: Promise<unknown>) => {
    const err = await p.then(() => undefined, (x: unknown) => x);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).code).toBe('conflict');
    return (err as EngineError).message;
  };

  async function openTicket() {
    const g = await seedGuild(db());
    const t = await e().tickets.create(staff, { guild_id: g.guildId, user_id: owner.id });
    const { channel_id } = await attachDiscordIds(db(), t.id);
    const ref = { guild_id: g.guildId, ticket: { ticket_id: t.id } };
    const say = (author: { id: string; username: string }) => e().transcripts.recordMessage({
      guild_id: g.guildId, channel_id, message: { id: snowflake(), author, content: 'hello', embeds: [], attachments: [], created_at: clock.now().toISOString() },
    });
    return { t, ref, say };
  }

  it('asks the owner, who declines and later accepts: the request shows on the ticket, and accepting closes with its reason', async () => {
    const { t, ref } = await openTicket();
    expect(await conflictOf(e().tickets.answerCloseRequest(staff, { ...ref, accept: true }))).toMatch(/no close request .*request_ticket_close/);

    const asked = await e().tickets.requestClose(staff, { ...ref, reason: 'The refund was sent', close_after_hours: 24 });
    expect(asked.status).toBe('open');
    expect(asked.close_request).toEqual({ requested_by: helper.id, reason: 'The refund was sent', requested_at: '2030-06-01T10:00:00.000Z', closes_at: '2030-06-02T10:00:00.000Z' });
    const declined = await e().tickets.answerCloseRequest(staff, { ...ref, accept: false });
    expect(declined).toMatchObject({ status: 'open', close_request: null });

    await e().tickets.requestClose(staff, { ...ref, reason: 'Fixed in 2.4' });
    expect((await e().tickets.get(ref)).close_request).toMatchObject({ reason: 'Fixed in 2.4', closes_at: null });
    const accepted = await e().tickets.answerCloseRequest(staff, { ...ref, accept: true });
    expect(accepted).toMatchObject({ status: 'closed', closed_reason: 'Fixed in 2.4', close_request: null });
    expect(await conflictOf(e().tickets.requestClose(staff, ref))).toMatch(/closed/);

    const { events } = await e().tickets.events({ ...ref, limit: 100 });
    expect(events.map((x) => x.kind)).toEqual(['created', 'close_requested', 'close_request_declined', 'close_requested', 'close_request_accepted']);
    expect(await jobKinds(t.id)).toEqual(['ticket.open', 'ticket.close.request', 'ticket.notice', 'ticket.close.request', 'ticket.close']);
    const row = await db().selectFrom('tickets').selectAll().where('id', '=', t.id).executeTakeFirstOrThrow();
    const replayed = replayEvents(events);
    for (const col of ['close_requested_at', 'close_requested_by', 'close_request_reason', 'close_request_deadline'] as const) expect(replayed[col] ?? null).toBe(row[col]);
    expect(row.version).toBe(events.length);
  });

  it('closes an unanswered request at its deadline; the owner writing stops the countdown, staff writing does not', async () => {
    const quiet = await openTicket();
    const talking = await openTicket();
    const staffOnly = await openTicket();
    for (const x of [quiet, talking, staffOnly]) await e().tickets.requestClose(staff, { ...x.ref, close_after_hours: 2 });
    clock.advance(1 * HOUR);
    await talking.say(owner);
    await staffOnly.say(helper);
    expect((await e().tickets.get(talking.ref)).close_request).toMatchObject({ requested_by: helper.id, closes_at: null });

    clock.advance(1 * HOUR - 1);
    await e().tickets.closeUnanswered(staff);
    expect((await e().tickets.get(quiet.ref)).status).toBe('open');
    clock.advance(1);
    expect(await e().tickets.closeUnanswered(staff)).toBeGreaterThanOrEqual(2);
    expect(await e().tickets.get(quiet.ref)).toMatchObject({ status: 'closed', closed_reason: 'No answer to the close request.', close_request: null });
    expect((await e().tickets.get(staffOnly.ref)).status).toBe('closed');
    // The owner who wrote still has the buttons: the request is pending, with no deadline.
    expect(await e().tickets.get(talking.ref)).toMatchObject({ status: 'open', close_request: { closes_at: null } });
    const { events } = await e().tickets.events({ ...quiet.ref, limit: 100 });
    expect(events.map((x) => x.kind)).toEqual(['created', 'close_requested', 'close_request_expired']);
    const talked = await e().tickets.events({ ...talking.ref, limit: 100 });
    expect(talked.events.map((x) => x.kind)).toEqual(['created', 'close_requested', 'close_request_deadline_cleared']);

    // Closing by hand withdraws a pending request.
    const closed = await e().tickets.close(staff, { ...talking.ref, reason: 'Done' });
    expect(closed.close_request).toBeNull();
  });
});
