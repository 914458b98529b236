/**
 * Ticket webhooks: every ticket event and chat line of a guild reaches a real HTTP receiver, signed
 * with the webhook's secret, through the webhook worker; a filtered webhook gets only its kinds; bot
 * lines, staff notes and rolled-back changes send nothing; a deleted webhook gets nothing new.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { pino } from 'pino';
import { createEngine, type Engine } from '../../src/engine/index.js';
import { startWebhookWorker, type WebhookWorker } from '../../src/webhooks/worker.js';
import { invoke, type OperationContext } from '../../src/operations/define.js';
import { findOperation } from '../../src/operations/index.js';
import { describeEachDatabase } from '../support/databases.js';
import { attachDiscordIds, seedGuild, snowflake, staffActor } from '../support/fixtures.js';

const owner = { id: '849383430663776372', username: 'owner' };
const bot = { id: '1000000000000000001', username: 'ticketbridge', bot: true };
const staff = staffActor('601082144459178129');

interface Received { path: string; headers: IncomingHttpHeaders; body: string }
interface Hook { id: string; secret: string; url: string; events: string[] }

describeEachDatabase('ticket webhooks', (database) => {
  let engine: Engine;
  let receiver: Server;
  let base = '';
  let worker: WebhookWorker;
  const received: Received[] = [];
  const e = () => (engine ??= createEngine(database()));
  const ctx = (): OperationContext => ({ engine: e(), actor: staff, requestId: 'test', signal: new AbortController().signal, progress: () => {} });
  const call = async <T>(name: string, input: unknown): Promise<T> => await invoke(findOperation(name)!, ctx(), input) as T;

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => { received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') }); res.writeHead(204).end(); });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const address = receiver.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    worker = startWebhookWorker(e(), pino({ level: 'silent' }), { baseDelayMs: 10, pollMs: 20, allowInternal: true });
  });
  afterAll(async () => {
    await worker.stop();
    await new Promise<void>((r) => receiver.close(() => r()));
  });

  /** The deliveries to `path` once every queued one has been sent. */
  async function deliveredTo(path: string, guildId: string): Promise<Array<{ event: string; body: Record<string, unknown>; headers: IncomingHttpHeaders; raw: string }>> {
    for (;;) {
      const pending = await e().db.selectFrom('webhook_deliveries').select('id').where('guild_id', '=', guildId).where('status', '=', 'pending').execute();
      if (pending.length === 0) break;
      await worker.drain();
    }
    return received.filter((r) => r.path === path).map((r) => ({ event: String(r.headers['x-webhook-event']), body: JSON.parse(r.body) as Record<string, unknown>, headers: r.headers, raw: r.body }));
  }

  it('posts ticket events and people\'s lines, signed, and only the kinds a webhook asked for', async () => {
    const g = await seedGuild(e().db);
    const all = await call<Hook>('create_ticket_webhook', { guild_id: g.guildId, url: `${base}/all` });
    const some = await call<Hook>('create_ticket_webhook', { guild_id: g.guildId, url: `${base}/closes`, events: ['closed', 'reopened'] });
    expect(all.secret).toMatch(/^[\w-]{32}$/);
    const listed = await call<{ webhooks: Array<Record<string, unknown>> }>('list_ticket_webhooks', { guild_id: g.guildId });
    expect(listed.webhooks.map((w) => w.url)).toEqual([`${base}/all`, `${base}/closes`]);
    expect(JSON.stringify(listed), 'secrets are never listed').not.toContain(all.secret);

    const t = await e().tickets.create(staff, { guild_id: g.guildId, user_id: owner.id, topic: 'Refund' });
    const ids = await attachDiscordIds(e().db, t.id, { notes_thread_id: snowflake() });
    const say = (channel: string, author: typeof owner | typeof bot, content: string) => e().transcripts.recordMessage({
      guild_id: g.guildId, channel_id: channel, message: { id: snowflake(), author, content, embeds: [], attachments: [], created_at: new Date() },
    });
    await say(ids.channel_id, owner, 'Where is my refund?');
    await say(ids.channel_id, bot, 'A bot line');
    await say(ids.notes_thread_id!, owner, 'notes line');
    const ref = { guild_id: g.guildId, ticket: { ticket_id: t.id } };
    await e().tickets.claim(staff, ref);
    await e().tickets.close(staff, { ...ref, reason: 'Refunded' });
    await expect(e().tickets.close(staff, { ...ref, reason: 'again' }), 'a refused change').rejects.toThrow(/already closed/);

    const got = await deliveredTo('/all', g.guildId);
    expect(got.map((d) => d.event)).toEqual(expect.arrayContaining(['ticket.created', 'ticket.message', 'ticket.claimed', 'ticket.closed']));
    expect(got.filter((d) => d.event === 'ticket.message').map((d) => (d.body.message as { content: string }).content), 'no bot lines, no staff notes').toEqual(['Where is my refund?']);
    expect(got.filter((d) => d.event === 'ticket.closed'), 'a refused close sends nothing').toHaveLength(1);
    const closed = got.find((d) => d.event === 'ticket.closed')!;
    expect(closed.body).toMatchObject({ event: 'ticket.closed', guild_id: g.guildId, ticket_id: t.id, ticket_number: t.number, actor_id: staff.userId, reason: 'Refunded' });
    const created = got.find((d) => d.event === 'ticket.created')!;
    expect(created.body).toMatchObject({ ticket_id: t.id, ticket_number: t.number });
    for (const d of got) expect(d.headers['x-webhook-signature']).toBe(`sha256=${createHmac('sha256', all.secret).update(d.raw).digest('hex')}`);

    const closes = await deliveredTo('/closes', g.guildId);
    expect(closes.map((d) => d.event)).toEqual(['ticket.closed']);
    expect(closes[0]!.headers['x-webhook-signature']).toBe(`sha256=${createHmac('sha256', some.secret).update(closes[0]!.raw).digest('hex')}`);

    // Deleted: nothing new goes there.
    await call('delete_ticket_webhook', { guild_id: g.guildId, webhook_id: some.id });
    await e().tickets.reopen(staff, ref);
    expect((await deliveredTo('/closes', g.guildId)).map((d) => d.event)).toEqual(['ticket.closed']);
    expect((await deliveredTo('/all', g.guildId)).map((d) => d.event)).toContain('ticket.reopened');
  });

  it('forgets a member\'s lines in webhook deliveries when their ticket data is deleted, queued or sent', async () => {
    const g = await seedGuild(e().db);
    await call('create_ticket_webhook', { guild_id: g.guildId, url: `${base}/privacy`, events: ['message'] });
    const t = await e().tickets.create(staff, { guild_id: g.guildId, user_id: owner.id });
    const ids = await attachDiscordIds(e().db, t.id);
    const casey = { id: '1305908865287852092', username: 'casey' };
    for (const [author, content] of [[casey, 'my address is 1 Main St'], [owner, 'thanks']] as const) {
      await e().transcripts.recordMessage({ guild_id: g.guildId, channel_id: ids.channel_id, message: { id: snowflake(), author, content, embeds: [], attachments: [], created_at: new Date() } });
    }
    const bodies = async () => (await e().db.selectFrom('webhook_deliveries').select('body').where('guild_id', '=', g.guildId).execute()).map((r) => r.body);
    expect((await bodies()).some((b) => b.includes('1 Main St'))).toBe(true);
    const out = await call<{ deleted: { webhook_deliveries: number } }>('delete_user_ticket_data', { guild_id: g.guildId, user_id: casey.id });
    expect(out.deleted.webhook_deliveries).toBe(1);
    const left = await bodies();
    expect(left.some((b) => b.includes('1 Main St'))).toBe(false);
    expect(left.some((b) => b.includes('"thanks"')), 'other people\'s lines stay').toBe(true);
  });

  it('refuses a URL that is not http(s), an unknown event kind, and an eleventh webhook', async () => {
    const g = await seedGuild(e().db);
    await expect(call('create_ticket_webhook', { guild_id: g.guildId, url: 'ftp://example.com/x' })).rejects.toThrow(/http\(s\)/);
    await expect(call('create_ticket_webhook', { guild_id: g.guildId, url: 'https://example.com/x', events: ['exploded'] })).rejects.toThrow(/events/);
    for (let i = 0; i < 10; i++) await call('create_ticket_webhook', { guild_id: g.guildId, url: `https://example.com/${i}` });
    await expect(call('create_ticket_webhook', { guild_id: g.guildId, url: 'https://example.com/11' })).rejects.toThrow(/already has 10 ticket webhooks/);
  });
});
