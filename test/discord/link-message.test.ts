/**
 * Linking a message the bot never saw (it was offline when the user wrote it): the capture job
 * fetches it through discord.js from the sandbox and records it in the transcript, once. A message
 * Discord does not have ends the job quietly without burying the ticket.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Database } from '../../src/db/connect.js';
import { operatorActor } from '../../src/engine/actor.js';
import { createEngine, type Engine } from '../../src/engine/index.js';
import { captureMessage } from '../../src/discord/jobs/capture.js';
import { startDiscord, type DiscordRuntime } from '../../src/discord/runtime.js';
import { invoke, type OperationContext } from '../../src/operations/define.js';
import { linkTicketMessage } from '../../src/operations/privacy.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { describeEachDatabase } from '../support/databases.js';
import { snowflake } from '../support/fixtures.js';
import { quietLogger } from './harness.js';

const admin = operatorActor('310927734108356609');

describeEachDatabase('linking messages against the sandbox', (database) => {
  let sandbox: Sandbox;
  let engine: Engine;
  let runtime: DiscordRuntime | null = null;

  /** The harness's runtime, started and stopped by hand: the test needs the bot offline for a while. */
  async function online(db: Database): Promise<DiscordRuntime> {
    runtime = await startDiscord({
      engine, database: db, logger: quietLogger, token: sandbox.botToken, apiUrl: sandbox.apiUrl, mode: 'sandbox', url: sandbox.url, waitBoundMs: 10_000,
    });
    await runtime.synced;
    return runtime;
  }
  async function offline(): Promise<void> {
    await runtime?.close();
    runtime = null;
  }

  beforeAll(async () => {
    sandbox = await startSandbox({ rateLimits: false, logger: quietLogger });
    engine = createEngine(database(), { outbox: { baseDelayMs: 50, maxDelayMs: 1_000 } });
  });
  afterAll(async () => {
    await offline();
    await sandbox?.close();
  });

  const link = (input: Record<string, unknown>) => {
    const ctx: OperationContext = { engine, actor: admin, requestId: 'test', signal: new AbortController().signal, progress: () => {} };
    return invoke(linkTicketMessage, ctx, input);
  };
  const lines = async (guildId: string, ticketId: string) => (await engine.transcripts.listMessages({ guild_id: guildId, ticket: { ticket_id: ticketId } })).messages;
  const captureJobs = (ticketId: string) => database().db.selectFrom('discord_jobs').select(['status', 'result']).where('ticket_id', '=', ticketId).where('kind', '=', 'message.capture').execute();

  it('puts a message written while the bot was offline into the transcript when it is linked, once', async () => {
    const d = sandbox.demo;
    await online(database());
    const ticket = await engine.tickets.create(admin, { guild_id: d.guildId, user_id: d.customerUserId, topic: 'Missed messages' });
    const channelId = ticket.channel_id;
    expect(channelId, 'the ticket channel exists in the sandbox').toBeTruthy();

    await offline();
    // Coming back online fills each open ticket's gap from its newest recorded line on (see
    // src/discord/shards/backfill.ts). A line recorded as written an hour from now puts the missed
    // message before that window, so only linking can bring it in: the case this test is about.
    await engine.transcripts.recordMessage({
      guild_id: d.guildId, channel_id: channelId!,
      message: { id: snowflake(), author: { id: d.staffUserId, username: 'sam.support' }, content: 'later line', created_at: new Date(Date.now() + 3_600_000).toISOString() },
    });
    const sent = sandbox.actMessage({
      user_id: d.customerUserId, channel_id: channelId!, content: 'I wrote this while you were away',
      attachments: [{ filename: 'error.log', content_type: 'text/plain', content: 'stack trace' }],
    }) as { id: string };
    const rt = await online(database());
    expect((await lines(d.guildId, ticket.id)).map((m) => m.id), 'nobody recorded it yet').not.toContain(sent.id);

    const out = await link({ guild_id: d.guildId, channel_id: channelId, message_id: sent.id });
    expect(out).toMatchObject({ ticket_id: ticket.id, message_id: sent.id, in_notes: false, status: 'recorded' });
    const line = (await lines(d.guildId, ticket.id)).find((m) => m.id === sent.id);
    expect(line).toMatchObject({ content: 'I wrote this while you were away', author: { id: d.customerUserId, bot: false }, deleted_at: null });
    expect(line?.attachments.map((a) => a.filename)).toEqual(['error.log']);

    // Linking it again changes nothing, and running the capture again writes no second line.
    expect(await link({ guild_id: d.guildId, channel_id: channelId, message_id: sent.id })).toMatchObject({ status: 'already_recorded' });
    expect(await captureJobs(ticket.id)).toEqual([{ status: 'done', result: { captured: true, ticket_id: ticket.id, newly_recorded: true } }]);
    const job = { id: '0', guild_id: d.guildId, ticket_id: ticket.id, kind: 'message.capture', payload: { channel_id: channelId, message_id: sent.id }, attempts: 1, checkpoint: {} };
    const repeat = await captureMessage({ rest: rt.rest, engine, botUserId: rt.botUserId, logger: quietLogger, job });
    expect(repeat).toEqual({ result: { captured: true, ticket_id: ticket.id, newly_recorded: false } });
    expect((await lines(d.guildId, ticket.id)).filter((m) => m.id === sent.id)).toHaveLength(1);
  });

  it('ends the capture of a message Discord does not have without marking the ticket failed', async () => {
    const d = sandbox.demo;
    if (!runtime) await online(database());
    const ticket = await engine.tickets.create(admin, { guild_id: d.guildId, user_id: d.customerUserId, topic: 'Ghost message' });
    const missing = snowflake();
    const out = await link({ guild_id: d.guildId, channel_id: ticket.channel_id, message_id: missing });
    expect(out).toMatchObject({ status: 'not_captured', detail: expect.stringMatching(/Discord has no message/) });
    expect((await captureJobs(ticket.id)).map((j) => j.status)).toEqual(['done']);
    expect((await engine.tickets.get({ guild_id: d.guildId, ticket: { ticket_id: ticket.id } })).discord.status).toBe('ok');
    expect((await lines(d.guildId, ticket.id)).map((m) => m.id)).not.toContain(missing);
  });
});
