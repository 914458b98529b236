/**
 * REST face settings from the environment (validated once, at registration). Rate limits are
 * requests per window; 0 turns a limit off.
 */
import { z } from 'zod';

const Count = z.coerce.number().int('must be a whole number').min(0, 'must be 0 or more');

export const RestSettingsSchema = z.object({
  /** Requests per window per API token, every dialect. */
  TICKETBRIDGE_RATE_LIMIT_TOKEN: Count.default(600),
  /** Requests per window per client IP, Ticketeer and Husqy. */
  TICKETBRIDGE_RATE_LIMIT_IP: Count.default(1200),
  /** Requests per window per client IP on the Volvox API (its documents say 30 a minute). */
  TICKETBRIDGE_VOLVOX_RATE_LIMIT_IP: Count.default(30),
  /** Window length in seconds. */
  TICKETBRIDGE_RATE_LIMIT_WINDOW: z.coerce.number().int().min(1).max(86_400).default(60),
  /** Largest accepted request body, in bytes. */
  TICKETBRIDGE_REST_BODY_LIMIT: z.coerce.number().int().min(1024).max(16 * 1024 * 1024).default(256 * 1024),
  /** How long an accepted API token is remembered before it is checked again (a revocation takes effect within this), in ms. */
  TICKETBRIDGE_TOKEN_CACHE_MS: z.coerce.number().int().min(0).max(60_000).default(2000),
  /** How long a stored Idempotency-Key answer is replayed, in seconds. */
  TICKETBRIDGE_IDEMPOTENCY_TTL: z.coerce.number().int().min(60).default(24 * 3600),
});

export type RestSettings = z.output<typeof RestSettingsSchema>;

export function loadRestSettings(env: NodeJS.ProcessEnv = process.env): RestSettings {
  const raw: Record<string, string> = {};
  for (const key of Object.keys(RestSettingsSchema.shape)) {
    const v = env[key];
    if (v !== undefined && v !== '') raw[key] = v;
  }
  const parsed = RestSettingsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`Invalid setting ${String(issue?.path[0] ?? '')}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}
