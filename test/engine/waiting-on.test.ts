/**
 * Whose turn it is in a ticket (waiting_on / waiting_since): a new ticket waits on staff, a staff
 * line hands the turn to the owner, the owner's (or anyone else's) hands it back; bot lines, notes
 * and older backfilled lines change nothing; a reply the bot posted for someone counts as theirs.
 * list_tickets filters and sorts by it.
 */
import { expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/engine/index.js';
import { describeEachDatabase } from '../support/databases.js';
import { attachDiscordIds, manualClock, seedGuild, seedMember, setStaffRoles, snowflake, staffActor } from '../support/fixtures.js';

const owner = { id: '849383430663776372', username: 'owner' };
const helper = { id: '601082144459178129', username: 'helper' };
const bystander = { id: '1305908865287852092', username: 'bystander' };
const bot = { id: '1000000000000000001', username: 'ticketbridge', bot: true };
const staff = staffActor(helper.id);

describeEachDatabase('whose turn it is', (database) => {
  const clock = manualClock('2030-05-01T08:00:00.000Z');
  let engine: Engine;
  const e = () => (engine ??= createEngine(database(), { now: clock.now }));
  const db = () => database().db;

  async function setup() {
    clock.set('2030-05-01T08:00:00.000Z');
    const g = await seedGuild(db());
    const role = snowflake();
    await setStaffRoles(db(), g.groupId, [role]);
    await seedMember(db(), g.guildId, helper.id, [role]);
    const open = async () => {
      const t = await e().tickets.create(staff, { guild_id: g.guildId, user_id: owner.id });
      const ids = await attachDiscordIds(db(), t.id, { notes_thread_id: snowflake() });
      return { t, channelId: ids.channel_id, notesId: ids.notes_thread_id!, ref: { guild_id: g.guildId, ticket: { ticket_id: t.id } } };
    };
    const say = (channelId: string, author: typeof owner | typeof bot, at: string) => e().transcripts.recordMessage({
      guild_id: g.guildId, channel_id: channelId, message: { id: snowflake(), author, content: 'line', embeds: [], attachments: [], created_at: at },
    });
    return { g, open, say };
  }

  it('moves with the conversation, only forward in time, and not for bots or staff notes', async () => {
    const { open, say } = await setup();
    const { t, channelId, notesId, ref } = await open();
    expect(t).toMatchObject({ waiting_on: 'staff', waiting_since: '2030-05-01T08:00:00.000Z' });
    const turn = async () => { const v = await e().tickets.get(ref); return [v.waiting_on, v.waiting_since]; };

    await say(channelId, owner, '2030-05-01T08:05:00.000Z');
    expect(await turn(), 'still staff\'s turn, since the ticket opened').toEqual(['staff', '2030-05-01T08:00:00.000Z']);
    await say(channelId, bot, '2030-05-01T08:06:00.000Z');
    await say(notesId, helper, '2030-05-01T08:07:00.000Z');
    expect(await turn(), 'bot lines and staff notes answer nobody').toEqual(['staff', '2030-05-01T08:00:00.000Z']);
    await say(channelId, helper, '2030-05-01T08:10:00.000Z');
    expect(await turn()).toEqual(['owner', '2030-05-01T08:10:00.000Z']);
    expect((await e().tickets.get(ref)).first_response_at).toBe('2030-05-01T08:10:00.000Z');
    await say(channelId, helper, '2030-05-01T08:11:00.000Z');
    expect(await turn(), 'a second staff line keeps the owner\'s wait').toEqual(['owner', '2030-05-01T08:10:00.000Z']);
    await say(channelId, owner, '2030-05-01T08:03:00.000Z');
    expect(await turn(), 'an older line found by a backfill changes nothing').toEqual(['owner', '2030-05-01T08:10:00.000Z']);
    await say(channelId, bystander, '2030-05-01T09:00:00.000Z');
    expect(await turn(), 'anyone but staff waits on staff').toEqual(['staff', '2030-05-01T09:00:00.000Z']);

    // A reply the bot posted for an agent is the agent's line; one posted for the owner is the owner's.
    await e().transcripts.recordReply({ ticket_id: t.id, message_id: snowflake(), author_id: null, at: new Date('2030-05-01T09:30:00.000Z') });
    expect(await turn()).toEqual(['owner', '2030-05-01T09:30:00.000Z']);
    await e().transcripts.recordReply({ ticket_id: t.id, message_id: snowflake(), author_id: owner.id, at: new Date('2030-05-01T09:40:00.000Z') });
    expect(await turn()).toEqual(['staff', '2030-05-01T09:40:00.000Z']);

    clock.set('2030-05-01T10:00:00.000Z');
    await e().tickets.close(staff, { ...ref, reason: 'done' });
    expect(await turn(), 'a closed ticket waits on nobody').toEqual([null, null]);
    await say(channelId, owner, '2030-05-01T10:05:00.000Z');
    clock.set('2030-05-01T10:10:00.000Z');
    await e().tickets.reopen(staff, ref);
    expect(await turn(), 'reopened, it waits as before: the line written while closed moved nothing').toEqual(['staff', '2030-05-01T09:40:00.000Z']);
  });

  it('an agent\'s first reply through the bot is the first response, once, in the history', async () => {
    const { open } = await setup();
    const { t, ref } = await open();
    const mid = snowflake();
    await e().transcripts.recordReply({ ticket_id: t.id, message_id: mid, author_id: helper.id, at: new Date('2030-05-01T08:20:00.000Z') });
    await e().transcripts.recordReply({ ticket_id: t.id, message_id: mid, author_id: helper.id, at: new Date('2030-05-01T08:20:00.000Z') });
    const v = await e().tickets.get(ref);
    expect(v).toMatchObject({ first_response_at: '2030-05-01T08:20:00.000Z', waiting_on: 'owner' });
    const firsts = (await e().tickets.events(ref)).events.filter((x) => x.kind === 'first_response');
    expect(firsts).toHaveLength(1);
    expect(firsts[0]).toMatchObject({ actor_id: helper.id, data: { message_id: mid } });
  });

  it('lists the queue waiting on staff, longest wait first, and the tickets waiting on owners', async () => {
    const { g, open, say } = await setup();
    const a = await open();
    clock.advance(60);
    const b = await open();
    clock.advance(60);
    const c = await open();
    await say(b.channelId, helper, '2030-05-01T08:30:00.000Z');
    await say(a.channelId, helper, '2030-05-01T08:31:00.000Z');
    await say(a.channelId, owner, '2030-05-01T08:40:00.000Z');
    const closed = await open();
    await e().tickets.close(staff, closed.ref);
    const list = (waiting_on: 'staff' | 'owner') => e().tickets.list({ guild_id: g.guildId, waiting_on, sort: 'waiting_since', order: 'asc' });
    const onStaff = await list('staff');
    expect(onStaff.tickets.map((x) => x.number)).toEqual([c.t.number, a.t.number]);
    expect(onStaff.total).toBe(2);
    expect((await list('owner')).tickets.map((x) => x.number)).toEqual([b.t.number]);
  });
});
