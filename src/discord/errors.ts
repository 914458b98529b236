/** How the outbox treats a failed Discord call: retry later, or give up now with a readable reason. */
import { DiscordAPIError, HTTPError, RateLimitError } from 'discord.js';

export interface Classified { retryable: boolean; message: string; code: number | null; status: number | null }

export function classify(err: unknown): Classified {
  if (err instanceof DiscordAPIError) {
    const code = typeof err.code === 'number' ? err.code : null;
    // 4xx (unknown objects, missing access, invalid bodies, limits) will fail the same way again.
    const retryable = err.status >= 500 || err.status === 429;
    return { retryable, message: `Discord ${err.status}${code ? ` (${code})` : ''}: ${err.message}`, code, status: err.status };
  }
  if (err instanceof HTTPError) return { retryable: true, message: `Discord ${err.status}: ${err.message}`, code: null, status: err.status };
  if (err instanceof RateLimitError) return { retryable: true, message: `rate limited on ${err.route} for ${err.timeToReset} ms`, code: null, status: 429 };
  const message = err instanceof Error ? err.message : String(err);
  return { retryable: true, message, code: null, status: null };
}

/**
 * Discord's word filter refused a channel or thread name (community servers keep some terms off
 * Server Discovery; ticket #1488 is the known case). A different name goes through.
 */
export function isNameRefused(err: unknown): boolean {
  return err instanceof DiscordAPIError && err.code === INVALID_FORM && JSON.stringify(err.rawError).includes('INVALID_COMMUNITY_PROPERTY_NAME');
}

export function discordCode(err: unknown): number | null {
  return err instanceof DiscordAPIError && typeof err.code === 'number' ? err.code : null;
}

/** Runs `fn`; the listed Discord error codes mean "already gone" and yield `fallback`. */
export async function unlessGone<T>(fn: () => Promise<T>, codes: readonly number[], fallback: T): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const code = discordCode(err);
    if (code !== null && codes.includes(code)) return fallback;
    throw err;
  }
}

export const UNKNOWN_CHANNEL = 10003;
export const UNKNOWN_MESSAGE = 10008;
export const UNKNOWN_MEMBER = 10007;
export const UNKNOWN_USER = 10013;
export const INVALID_FORM = 50035;
export const MISSING_ACCESS = 50001;
export const MISSING_PERMISSIONS = 50013;
export const MAX_PINS = 30003;
export const CANNOT_MESSAGE_USER = 50007;
