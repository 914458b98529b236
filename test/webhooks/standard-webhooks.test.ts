/**
 * Webhooks a receiver can trust: ticket and action-item deliveries reach a real HTTP receiver that
 * checks them the way the README shows, with the `standardwebhooks` package (Webhook.verify): the
 * Standard Webhooks headers verify with the webhook's secret, `X-Webhook-Signature` still signs the
 * body, a retry keeps its webhook-id and carries its own timestamp, and a captured delivery replayed
 * later is refused (its timestamp is too old, and a fresh timestamp breaks the signature).
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import { pino } from 'pino';
import { Webhook } from 'standardwebhooks';
import { createEngine, type Engine } from '../../src/engine/index.js';
import { enqueueItemCreated } from '../../src/engine/action-items/webhooks.js';
import { inTransaction } from '../../src/engine/tx.js';
import { startWebhookWorker, type WebhookWorker } from '../../src/webhooks/worker.js';
import { invoke, type OperationContext } from '../../src/operations/define.js';
import { findOperation } from '../../src/operations/index.js';
import { describeEachDatabase } from '../support/databases.js';
import { manualClock, seedGuild, staffActor } from '../support/fixtures.js';

const owner = { id: '849383430663776372', username: 'owner' };
const staff = staffActor('601082144459178129');

interface Attempt { path: string; headers: IncomingHttpHeaders; body: string; status: number; verdict: string }

describeEachDatabase('standard webhooks signatures', (database) => {
  // The engine's clock starts at the real time: the receiver checks timestamps against its own clock.
  const clock = manualClock(new Date().toISOString());
  let engine: Engine;
  let receiver: Server;
  let base = '';
  let worker: WebhookWorker;
  const attempts: Attempt[] = [];
  /** The secret the receiver knows for each path. */
  const secrets = new Map<string, string>();
  /** Paths whose next answers are 503 (a receiver having a bad moment), counted down. */
  const flaky = new Map<string, number>();
  const e = () => (engine ??= createEngine(database(), { now: clock.now }));
  const ctx = (): OperationContext => ({ engine: e(), actor: staff, requestId: 'test', signal: new AbortController().signal, progress: () => {} });
  const call = async <T>(name: string, input: unknown): Promise<T> => await invoke(findOperation(name)!, ctx(), input) as T;

  /** What a receiver does: verify both signatures and the timestamp, or refuse with 400. */
  function check(path: string, headers: IncomingHttpHeaders, body: string): { status: number; verdict: string } {
    const secret = secrets.get(path);
    if (!secret) return { status: 404, verdict: 'unknown path' };
    const header = (name: string) => { const v = headers[name]; return Array.isArray(v) ? v.join(',') : v ?? ''; };
    try {
      new Webhook(Buffer.from(secret, 'utf8'), { format: 'raw' }).verify(body, {
        'webhook-id': header('webhook-id'), 'webhook-timestamp': header('webhook-timestamp'), 'webhook-signature': header('webhook-signature'),
      });
    } catch (err) {
      return { status: 400, verdict: (err as Error).message };
    }
    if (header('x-webhook-signature') !== `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`) return { status: 400, verdict: 'bad x-webhook-signature' };
    const left = flaky.get(path) ?? 0;
    if (left > 0) { flaky.set(path, left - 1); return { status: 503, verdict: 'verified, busy' }; }
    return { status: 204, verdict: 'verified' };
  }

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const path = req.url ?? '';
        const { status, verdict } = check(path, req.headers, body);
        attempts.push({ path, headers: req.headers, body, status, verdict });
        res.writeHead(status, { 'content-type': 'text/plain' }).end(verdict);
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const address = receiver.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    worker = startWebhookWorker(e(), pino({ level: 'silent' }), { baseDelayMs: 1_000, pollMs: 60_000, allowInternal: true });
  });
  /**
   * Sends what is due. Deliveries written by the database's triggers are due at its now(), which the
   * hand-moved clock must have reached; it never moves back.
   */
  const drain = async () => {
    if (Date.now() > clock.now().getTime()) clock.set(new Date().toISOString());
    await worker.drain();
  };
  afterEach(() => { vi.useRealTimers(); });
  afterAll(async () => {
    await worker.stop();
    await new Promise<void>((r) => receiver.close(() => r()));
  });

  const statusOf = async (guildId: string) => e().db.selectFrom('webhook_deliveries').select(['id', 'event', 'status', 'attempts'])
    .where('guild_id', '=', guildId).orderBy('id').execute();

  it('ticket and action-item deliveries carry Standard Webhooks headers a receiver verifies, and the body signature', async () => {
    const g = await seedGuild(e().db);
    const hook = await call<{ secret: string }>('create_ticket_webhook', { guild_id: g.guildId, url: `${base}/tickets`, events: ['created'] });
    secrets.set('/tickets', hook.secret);
    const t = await e().tickets.create(staff, { guild_id: g.guildId, user_id: owner.id, topic: 'Refund' });
    const itemSecret = 'action-item secret, ünïcode too';
    secrets.set('/items', itemSecret);
    await inTransaction(e().db, (trx) => enqueueItemCreated(trx, { guild_id: g.guildId, webhook_url: `${base}/items`, webhook_secret: itemSecret },
      [{ id: 'item-1', text: 'Send the refund', priority: 'high', channel_name: 'billing' }], clock.now()));
    await drain();

    const rows = await statusOf(g.guildId);
    expect(rows.map((r) => [r.event, r.status, r.attempts]).sort()).toEqual([['action_item.created', 'delivered', 1], ['ticket.created', 'delivered', 1]]);
    const mine = attempts.filter((a) => a.path === '/tickets' || a.path === '/items');
    expect(mine.map((a) => [a.path, a.status, a.verdict]).sort()).toEqual([['/items', 204, 'verified'], ['/tickets', 204, 'verified']]);
    for (const a of mine) {
      expect(rows.map((r) => r.id), 'webhook-id names the delivery').toContain(a.headers['webhook-id']);
      expect(a.headers['webhook-timestamp']).toBe(String(Math.floor(clock.now().getTime() / 1000)));
      expect(a.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    }
    expect(JSON.parse(mine.find((a) => a.path === '/tickets')!.body)).toMatchObject({ event: 'ticket.created', ticket_id: t.id });

    // A wrong secret fails: the receiver really checks.
    const sent = mine[0]!;
    expect(() => new Webhook(Buffer.from('not the secret'), { format: 'raw' }).verify(sent.body, sent.headers as Record<string, string>)).toThrow(/No matching signature/);
  });

  it('a retry keeps the webhook-id and is signed with its own attempt time', async () => {
    const g = await seedGuild(e().db);
    const hook = await call<{ secret: string }>('create_ticket_webhook', { guild_id: g.guildId, url: `${base}/flaky`, events: ['created'] });
    secrets.set('/flaky', hook.secret);
    flaky.set('/flaky', 1);
    await e().tickets.create(staff, { guild_id: g.guildId, user_id: owner.id });
    await drain();
    expect((await statusOf(g.guildId)).map((r) => [r.status, r.attempts])).toEqual([['pending', 1]]);
    clock.advance(90);
    await drain();
    expect((await statusOf(g.guildId)).map((r) => [r.status, r.attempts])).toEqual([['delivered', 2]]);

    const tries = attempts.filter((a) => a.path === '/flaky');
    expect(tries.map((a) => a.verdict)).toEqual(['verified, busy', 'verified']);
    expect(tries[1]!.headers['webhook-id']).toBe(tries[0]!.headers['webhook-id']);
    expect(Number(tries[1]!.headers['webhook-timestamp']) - Number(tries[0]!.headers['webhook-timestamp'])).toBe(90);
    expect(tries[1]!.headers['webhook-signature']).not.toBe(tries[0]!.headers['webhook-signature']);
  });

  it('a captured delivery replayed later is refused: too old, and a fresh timestamp breaks the signature', async () => {
    const g = await seedGuild(e().db);
    const hook = await call<{ secret: string }>('create_ticket_webhook', { guild_id: g.guildId, url: `${base}/replayed`, events: ['created'] });
    secrets.set('/replayed', hook.secret);
    await e().tickets.create(staff, { guild_id: g.guildId, user_id: owner.id });
    await drain();
    const [captured] = attempts.filter((a) => a.path === '/replayed');
    expect(captured?.verdict).toBe('verified');

    // Ten minutes later (the receiver's clock; the package allows five) someone replays it verbatim.
    const replay = async (headers: Record<string, string>) => {
      const res = await fetch(`${base}/replayed`, { method: 'POST', headers, body: captured!.body });
      return { status: res.status, text: await res.text() };
    };
    const pick = (h: IncomingHttpHeaders) => Object.fromEntries(['content-type', 'webhook-id', 'webhook-timestamp', 'webhook-signature', 'x-webhook-signature']
      .map((k) => [k, String(h[k])]));
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 10 * 60_000 });
    expect(await replay(pick(captured!.headers))).toEqual({ status: 400, text: 'Message timestamp too old' });
    // Refreshing the timestamp does not help: it is signed.
    expect(await replay({ ...pick(captured!.headers), 'webhook-timestamp': String(Math.floor(Date.now() / 1000)) }))
      .toEqual({ status: 400, text: 'No matching signature found' });
  });
});
