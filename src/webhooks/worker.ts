/**
 * Delivers webhook events: POST the event body signed two ways with the webhook's secret:
 * - `X-Webhook-Signature: sha256=<HMAC-SHA256 of the body, hex>` (the documented NoteTicketing header);
 * - the Standard Webhooks headers (standardwebhooks.com): `webhook-id` (the delivery's id, the same on
 *   every retry, so a receiver can drop duplicates), `webhook-timestamp` (this attempt's time, Unix
 *   seconds) and `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`. The timestamp is
 *   inside the signature, so a captured delivery replayed later is refused by a receiver that checks it.
 *   The key is the secret's own bytes (the `standardwebhooks` package's `{ format: 'raw' }`). Signed
 *   with node:crypto (one HMAC); the tests verify it with the `standardwebhooks` package itself.
 * Any 2xx is delivered, anything else is retried with exponential backoff, and after `maxAttempts`
 * the delivery is given up (kept as failed). Woken when deliveries are committed in this process, and
 * by a timer for retries and other processes' deliveries.
 */
import { createHmac } from 'node:crypto';
import { fetch, type Dispatcher } from 'undici';
import { checkLiteralHost, publicOnlyAgent } from './address-guard.js';
import type { Engine } from '../engine/index.js';
import type { Delivery } from '../engine/action-items/webhooks.js';
import type { Logger } from '../logger.js';

export interface WebhookWorkerOptions {
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  timeoutMs?: number;
  pollMs?: number;
  /** Allow loopback, private and link-local receivers (local development). Default: refused. */
  allowInternal?: boolean;
}

export interface WebhookWorker { drain(): Promise<void>; stop(): Promise<void> }

export function signature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** The Standard Webhooks signature of one attempt: `v1,` + base64 HMAC-SHA256 of `id.timestamp.body`. */
export function standardSignature(secret: string, id: string, timestampSeconds: number, body: string): string {
  return `v1,${createHmac('sha256', secret).update(`${id}.${timestampSeconds}.${body}`).digest('base64')}`;
}

export function startWebhookWorker(engine: Engine, logger: Logger, opts: WebhookWorkerOptions = {}): WebhookWorker {
  const store = engine.actionItems.webhooks;
  const maxAttempts = opts.maxAttempts ?? 8;
  const baseDelayMs = opts.baseDelayMs ?? 5_000;
  const maxDelayMs = opts.maxDelayMs ?? 3_600_000;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const dispatcher: Dispatcher | undefined = opts.allowInternal ? undefined : publicOnlyAgent();
  let stopped = false;
  let running: Promise<void> | null = null;
  let again = false;

  const send = async (d: Delivery): Promise<void> => {
    try {
      if (!opts.allowInternal) checkLiteralHost(d.url);
      const timestamp = Math.floor(engine.ctx.now().getTime() / 1000);
      const res = await fetch(d.url, {
        method: 'POST', redirect: 'manual', signal: AbortSignal.timeout(timeoutMs), ...(dispatcher ? { dispatcher } : {}),
        headers: {
          'content-type': 'application/json', 'user-agent': 'ticketbridge-webhooks', 'x-webhook-event': d.event,
          'x-webhook-delivery': d.id, 'x-webhook-signature': signature(d.secret, d.body),
          'webhook-id': d.id, 'webhook-timestamp': String(timestamp), 'webhook-signature': standardSignature(d.secret, d.id, timestamp, d.body),
        },
        body: d.body,
      });
      await res.body?.cancel().catch(() => {});
      if (res.ok) { await store.delivered(d.id); return; }
      throw new Error(`the receiver answered ${res.status}`);
    } catch (err) {
      const attempt = d.attempts + 1;
      const cause = causeOf(err);
      const message = cause.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : cause.message;
      // An internal address stays internal: no retry.
      const retryAt = attempt >= maxAttempts || cause.name === 'InternalAddressError' ? null : new Date(engine.ctx.now().getTime() + Math.min(baseDelayMs * 2 ** (attempt - 1), maxDelayMs));
      await store.failed(d.id, message, retryAt);
      // The URL is the guild's own configuration; its path may carry a key, so only the host is logged.
      logger.warn({ delivery: d.id, host: safeHost(d.url), attempt, error: message, giving_up: retryAt === null }, 'webhook delivery failed');
    }
  };

  const drain = (): Promise<void> => {
    if (running) { again = true; return running; }
    running = (async () => {
      do {
        again = false;
        for (;;) {
          if (stopped) return;
          const batch = await store.claim(10, timeoutMs * 2);
          if (batch.length === 0) break;
          await Promise.all(batch.map(send));
        }
      } while (again && !stopped);
    })().catch((err: unknown) => { logger.warn({ err: (err as Error).message }, 'webhook worker pass failed'); })
      .finally(() => { running = null; });
    return running;
  };

  const wake = () => { void drain(); };
  engine.changes.on('webhooks', wake);
  const timer = setInterval(wake, opts.pollMs ?? 2_000);
  timer.unref();
  wake();
  return {
    drain,
    async stop() {
      stopped = true;
      clearInterval(timer);
      engine.changes.off('webhooks', wake);
      await running;
      await dispatcher?.close();
    },
  };
}

/** fetch wraps connection errors ("fetch failed"); the reason is its cause. */
function causeOf(err: unknown): Error {
  const e = err as Error & { cause?: unknown };
  return e.cause instanceof Error ? e.cause : e;
}

function safeHost(url: string): string {
  try { return new URL(url).host; } catch { return 'invalid url'; }
}
