// Shared test plumbing: a sandbox per test file, discord.js clients logged in to it, raw HTTP
// helpers, and awaiting events (never sleeping).
import { once } from 'node:events';
import { Client, Events, GatewayIntentBits, Partials } from 'discord.js';
import type { ClientOptions } from 'discord.js';
import { startSandbox } from '../../src/sandbox/index.js';
import type { Sandbox, SandboxOptions } from '../../src/sandbox/index.js';

export const ALL_INTENTS = [
  GatewayIntentBits.Guilds,
  GatewayIntentBits.GuildMembers,
  GatewayIntentBits.GuildMessages,
  GatewayIntentBits.MessageContent,
  GatewayIntentBits.DirectMessages,
  GatewayIntentBits.GuildWebhooks,
  GatewayIntentBits.GuildMessageReactions,
];

/**
 * A sandbox for testing the sandbox's own protocol: these tests log in and identify many times in a
 * row, so Discord's identify limit (tested on its own in sharding.test.ts) is off unless asked for.
 */
export async function sandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  return startSandbox({ port: 0, rateLimits: false, identifyLimit: false, ...opts });
}

export async function login(
  sb: Sandbox,
  intents: number[] = ALL_INTENTS,
  rest: Partial<NonNullable<ClientOptions['rest']>> = {},
): Promise<Client<true>> {
  const client = new Client({
    intents,
    partials: [Partials.Channel, Partials.Message, Partials.Reaction],
    rest: { api: sb.apiUrl, version: '10', ...rest },
  });
  const ready = once(client, Events.ClientReady);
  await client.login(sb.botToken);
  await ready;
  return client as Client<true>;
}

/** Resolve with the first emission of `event` matching `pred` (rejects after `ms`). */
export function waitFor<T extends unknown[]>(
  emitter: { on(e: string, l: (...a: T) => void): unknown; off(e: string, l: (...a: T) => void): unknown },
  event: string,
  pred: (...args: T) => boolean = () => true,
  ms = 5_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(event, listener);
      reject(new Error(`timed out waiting for ${event}`));
    }, ms);
    const listener = (...args: T): void => {
      if (!pred(...args)) return;
      clearTimeout(timer);
      emitter.off(event, listener);
      resolve(args);
    };
    emitter.on(event, listener);
  });
}

export interface RawResponse {
  status: number;
  headers: Headers;
  body: unknown;
  text: string;
}

/** Raw HTTP to the sandbox's REST API (as the bot unless `auth` is false). */
export async function api(
  sb: Sandbox,
  method: string,
  path: string,
  body?: unknown,
  opts: { auth?: boolean; headers?: Record<string, string>; raw?: string } = {},
): Promise<RawResponse> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.auth !== false) headers.Authorization = `Bot ${sb.botToken}`;
  let payload: string | undefined = opts.raw;
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const res = await fetch(`${sb.apiUrl}/v10${path}`, { method, headers, body: payload });
  const text = await res.text();
  let parsed: unknown = null;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

export async function control(sb: Sandbox, method: string, path: string, body?: unknown): Promise<RawResponse> {
  const res = await fetch(`${sb.url}/_sandbox${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as unknown) : null, text };
}

export function obj(v: unknown): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error(`expected an object, got ${JSON.stringify(v)}`);
  return v as Record<string, unknown>;
}

export function arr(v: unknown): Record<string, unknown>[] {
  if (!Array.isArray(v)) throw new Error(`expected an array, got ${JSON.stringify(v)}`);
  return v as Record<string, unknown>[];
}
