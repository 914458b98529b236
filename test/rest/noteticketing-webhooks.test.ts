/**
 * Outgoing action_item.created webhooks: configured through the NoteTicketing config, signed with
 * HMAC-SHA256, delivered to a real HTTP receiver by the webhook worker, retried after a failure and
 * given up after the last attempt; the secret never comes back out.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { pino } from 'pino';
import { startWebhookWorker, type WebhookWorker } from '../../src/webhooks/worker.js';
import { describeEachDatabase } from '../support/databases.js';
import { DEMO, request, seedDemo, startRestServer, type RestServer } from './harness.js';

const G = `/v1/guilds/${DEMO.guildId}`;
const SECRET = 'a-long-shared-secret-for-hmac';

interface Received { headers: IncomingHttpHeaders; body: string }

describeEachDatabase('NoteTicketing webhooks', (database) => {
  let s: RestServer;
  let admin: string;
  let receiver: Server;
  let receiverUrl: string;
  let worker: WebhookWorker;
  /** What the receiver answers next (status codes, in order; 200 once empty). */
  const answers: number[] = [];
  const received: Received[] = [];
  const waiters: Array<() => void> = [];
  const nextDelivery = () => new Promise<void>((resolve) => waiters.push(resolve));
  const call = (method: string, path: string, body?: unknown) => request(s.url, method, path, { token: admin, body });
  const delivery = (id: string) => s.engine.db.selectFrom('webhook_deliveries').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  beforeAll(async () => {
    await seedDemo(database());
    s = await startRestServer(database(), { TICKETBRIDGE_RATE_LIMIT_IP: '0', TICKETBRIDGE_RATE_LIMIT_TOKEN: '0', TICKETBRIDGE_NOTETICKETING_RATE_LIMIT_HOUR: '0' });
    admin = (await s.engine.tokens.create({ abilities: ['*'], user_id: DEMO.staffId })).token;
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(answers.shift() ?? 200).end();
        waiters.shift()?.();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const address = receiver.address();
    receiverUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/hooks/tb`;
    // The receiver is on loopback, which deliveries may reach only when allowed.
    worker = startWebhookWorker(s.engine, pino({ level: 'silent' }), { baseDelayMs: 10, maxAttempts: 3, pollMs: 20, allowInternal: true });
  });
  afterAll(async () => {
    await worker.stop();
    await s.close();
    await new Promise<void>((r) => receiver.close(() => r()));
  });

  it('takes a webhook URL only with a secret, and never shows the secret', async () => {
    const refused = await call('PATCH', `${G}/config`, { webhook_url: receiverUrl });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: { details: { field: 'webhook_secret' } } });
    expect((await call('PATCH', `${G}/config`, { webhook_url: 'ftp://example.org/x', webhook_secret: SECRET })).status).toBe(400);
    const set = await call('PATCH', `${G}/config`, { webhook_url: receiverUrl, webhook_secret: SECRET });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ webhook_url: receiverUrl, webhook_secret_set: true });
    expect(set.text).not.toContain(SECRET);
    expect((await call('GET', `${G}/export?include_audit=true`)).text).not.toContain(SECRET);
  });

  it('posts a signed action_item.created event for a new item', async () => {
    const arrived = nextDelivery();
    const created = await call('POST', `${G}/action-items`, { channel_id: DEMO.channelId, text: 'Schedule follow-up meeting', priority: 'high' });
    expect(created.status).toBe(201);
    await arrived;
    const got = received.at(-1)!;
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.headers['x-webhook-event']).toBe('action_item.created');
    expect(got.headers['x-webhook-signature']).toBe(`sha256=${createHmac('sha256', SECRET).update(got.body).digest('hex')}`);
    const item = created.body as { id: string };
    expect(JSON.parse(got.body)).toEqual({
      event: 'action_item.created', guild_id: DEMO.guildId,
      action_item: { id: item.id, text: 'Schedule follow-up meeting', priority: 'high', channel_name: 'ticket-0001' },
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    await worker.drain();
    expect(await delivery(String(got.headers['x-webhook-delivery']))).toMatchObject({ status: 'delivered', attempts: 1, last_error: null });
  });

  it('retries a failed delivery, and gives up after the last attempt', async () => {
    answers.push(503);
    const twice = [nextDelivery(), nextDelivery()];
    await call('POST', `${G}/action-items`, { channel_id: DEMO.channelId, text: 'Retry me' });
    await Promise.all(twice);
    const id = String(received.at(-1)!.headers['x-webhook-delivery']);
    expect(received.at(-2)!.headers['x-webhook-delivery']).toBe(id);
    await worker.drain();
    expect(await delivery(id)).toMatchObject({ status: 'delivered', attempts: 2 });

    answers.push(500, 500, 500);
    const thrice = [nextDelivery(), nextDelivery(), nextDelivery()];
    await call('POST', `${G}/action-items`, { channel_id: DEMO.channelId, text: 'Never accepted' });
    await Promise.all(thrice);
    const lost = String(received.at(-1)!.headers['x-webhook-delivery']);
    await worker.drain();
    expect(await delivery(lost)).toMatchObject({ status: 'failed', attempts: 3, last_error: 'the receiver answered 500' });
  });

  it('refuses internal receivers unless allowed, without retrying', async () => {
    const guarded = startWebhookWorker(s.engine, pino({ level: 'silent' }), { baseDelayMs: 10, maxAttempts: 3, pollMs: 60_000 });
    try {
      await worker.stop();
      for (const url of [receiverUrl, 'http://[::1]:8080/x', 'http://localhost:8080/x']) {
        await call('PATCH', `${G}/config`, { webhook_url: url, webhook_secret: SECRET });
        const count = received.length;
        await call('POST', `${G}/action-items`, { channel_id: DEMO.channelId, text: `Inward to ${url}` });
        await guarded.drain();
        expect(received.length).toBe(count);
        const row = await s.engine.db.selectFrom('webhook_deliveries').selectAll().where('url', '=', url).orderBy('created_at', 'desc').executeTakeFirstOrThrow();
        expect(row).toMatchObject({ status: 'failed', attempts: 1, last_error: expect.stringMatching(/is an internal address \((127\.0\.0\.1|::1)\)/) });
      }
    } finally {
      await guarded.stop();
      worker = startWebhookWorker(s.engine, pino({ level: 'silent' }), { baseDelayMs: 10, maxAttempts: 3, pollMs: 20, allowInternal: true });
      await call('PATCH', `${G}/config`, { webhook_url: receiverUrl, webhook_secret: SECRET });
    }
  });

  it('sends nothing once the webhook is removed', async () => {
    const cleared = await call('PATCH', `${G}/config`, { webhook_url: null });
    expect(cleared.body).toMatchObject({ webhook_url: null, webhook_secret_set: false });
    const count = received.length;
    await call('POST', `${G}/action-items`, { channel_id: DEMO.channelId, text: 'Quiet' });
    await worker.drain();
    expect(received.length).toBe(count);
    expect(await s.engine.db.selectFrom('webhook_deliveries').select('id').where('status', '=', 'pending').execute()).toEqual([]);
  });
});
