/** Configuration from environment and flags, validated once; a bad setting is one clear line. */
import { z } from 'zod';

const Count = z.coerce.number().int('must be a whole number').min(0, 'must be 0 or more');
const LogLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

export const ConfigSchema = z.object({
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL').optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int('must be a whole number').min(0).max(65535, 'must be a port number (0–65535)').default(8787),
  DISCORD_TOKEN: z.string().min(20, 'does not look like a Discord bot token').optional(),
  TICKETBRIDGE_ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  TICKETBRIDGE_TOKEN: z.string().min(1).optional(),
  LOG_LEVEL: LogLevel.default('info'),
  /** Discord API base for the driver when a token is set (tests point it at a sandbox). */
  DISCORD_API_URL: z.string().url().optional(),
  /** Port of the built-in sandbox when no DISCORD_TOKEN is set (0 = any free port). */
  SANDBOX_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  TOOLSETS: z.string().optional(),
  TOOLS: z.string().optional(),
  READ_ONLY: z.enum(['true', 'false', '1', '0']).optional().transform((v) => v === 'true' || v === '1'),
  /** Extra host names (comma-separated) the HTTP server answers to besides loopback and HOST (MCP Host/Origin checks). */
  TICKETBRIDGE_ALLOWED_HOSTS: z.string().optional().transform((v) => (v ?? '').split(',').map((h) => h.trim().toLowerCase()).filter(Boolean)),
  /**
   * Browser origins (comma-separated, e.g. https://dash.example.com) that may call the REST APIs from
   * their pages (CORS); `*` for any origin, then without credentials. None by default. Never /mcp.
   */
  TICKETBRIDGE_CORS_ORIGINS: z.string().optional().transform((v, ctx) => {
    const origins = (v ?? '').split(',').map((o) => o.trim()).filter(Boolean);
    let bad = false;
    for (const o of origins) {
      if (o === '*') continue;
      let url: URL | undefined;
      try { url = new URL(o); } catch { url = undefined; }
      if (!url || !/^https?:$/.test(url.protocol) || url.origin !== o.replace(/\/$/, '').toLowerCase()) {
        ctx.addIssue({ code: 'custom', message: `"${o}" is not an origin: give scheme://host[:port] with nothing after it, e.g. https://dash.example.com, or *` });
        bad = true;
      }
    }
    if (bad) return z.NEVER;
    return origins.map((o) => (o === '*' ? o : new URL(o).origin));
  }),
  // REST face limits. Rate limits are requests per window; 0 turns a limit off.
  /** Requests per window per API token, every dialect. */
  TICKETBRIDGE_RATE_LIMIT_TOKEN: Count.default(600),
  /** Requests per window per client IP, Ticketeer and Husqy. */
  TICKETBRIDGE_RATE_LIMIT_IP: Count.default(1200),
  /** Requests per window per client IP on the Volvox API (its documents say 30 a minute). */
  TICKETBRIDGE_VOLVOX_RATE_LIMIT_IP: Count.default(30),
  /** Requests per hour per API key on the NoteTicketing API (its document: 1,000 on the standard plan); replaces the per-token window there. */
  TICKETBRIDGE_NOTETICKETING_RATE_LIMIT_HOUR: Count.default(1000),
  /** Rate-limit window in seconds. */
  TICKETBRIDGE_RATE_LIMIT_WINDOW: z.coerce.number().int('must be a whole number').min(1).max(86_400).default(60),
  /** Largest accepted REST request body, in bytes. */
  TICKETBRIDGE_REST_BODY_LIMIT: z.coerce.number().int('must be a whole number').min(1024).max(16 * 1024 * 1024).default(256 * 1024),
  /** How long an accepted API token is remembered before it is checked again (a revocation takes effect within this), in ms. */
  TICKETBRIDGE_TOKEN_CACHE_MS: z.coerce.number().int('must be a whole number').min(0).max(60_000).default(2000),
  /** The longest a cached get/list answer is kept (changes drop it at once; this bounds another process's changes while the change feed reconnects), in ms; 0 = no read cache. */
  TICKETBRIDGE_READ_CACHE_MS: z.coerce.number().int('must be a whole number').min(0).max(60_000).default(1000),
  /**
   * Plain single 2026-07-28 tools/call POSTs over HTTP skip the SDK's per-request machinery and are
   * answered by the same tool code with the same bytes (src/mcp/http-fast-path.ts); off sends every
   * request through the SDK.
   */
  TICKETBRIDGE_MCP_FAST_PATH: z.enum(['on', 'off', 'true', 'false', '1', '0']).default('on').transform((v) => v === 'on' || v === 'true' || v === '1'),
  /** How long a stored Idempotency-Key answer is replayed, in seconds. */
  TICKETBRIDGE_IDEMPOTENCY_TTL: z.coerce.number().int('must be a whole number').min(60).default(24 * 3600),
  /** Days finished Discord jobs and sent webhook deliveries are kept before they are deleted. */
  TICKETBRIDGE_RETENTION_DAYS: z.coerce.number().int('must be a whole number of days').min(1, 'must be 1 or more').max(3650).default(7),
  /** Days dead Discord jobs and given-up webhook deliveries are kept (for inspection) before they are deleted. */
  TICKETBRIDGE_DEAD_RETENTION_DAYS: z.coerce.number().int('must be a whole number of days').min(1, 'must be 1 or more').max(3650).default(30),
  /** Let webhook deliveries reach loopback, private and link-local addresses (local development only). */
  TICKETBRIDGE_WEBHOOK_ALLOW_INTERNAL: z.enum(['true', 'false', '1', '0']).optional().transform((v) => v === 'true' || v === '1'),
  // Gateway sharding across processes (see README, "Several processes").
  /** Gateway shards the bot runs; unset = Discord's recommendation (GET /gateway/bot). Every process must use the same count. */
  TICKETBRIDGE_SHARD_COUNT: z.coerce.number().int('must be a whole number').min(1, 'must be 1 or more').max(4096).optional(),
  /** How long a shard lease lasts after each renewal, in ms: a dead process's shards are taken over after about this plus one renewal. */
  TICKETBRIDGE_SHARD_LEASE_MS: z.coerce.number().int('must be a whole number').min(300).max(600_000).default(15_000),
  /** How often a process renews its shard leases (its heartbeat), in ms. */
  TICKETBRIDGE_SHARD_RENEW_MS: z.coerce.number().int('must be a whole number').min(100).max(200_000).default(5_000),
  // Background runs (MCP tasks), see README "Tasks".
  /** How often the process running a task beats its heartbeat and reads cancel requests, in ms. */
  TICKETBRIDGE_TASK_HEARTBEAT_MS: z.coerce.number().int('must be a whole number').min(50).max(60_000).default(2_000),
  /** A task whose process has not beaten for this long is finished as failed, in ms. */
  TICKETBRIDGE_TASK_LEASE_MS: z.coerce.number().int('must be a whole number').min(150).max(600_000).default(15_000),
  /** How long an operation that creates a Discord object (a ticket's channel) waits for it before answering; 0: answer at once. */
  TICKETBRIDGE_CREATE_WAIT_MS: z.coerce.number().int('must be a whole number').min(0).max(60_000).default(10_000),
}).superRefine((c, ctx) => {
  if (c.TICKETBRIDGE_TASK_LEASE_MS < 3 * c.TICKETBRIDGE_TASK_HEARTBEAT_MS) {
    ctx.addIssue({ code: 'custom', path: ['TICKETBRIDGE_TASK_LEASE_MS'], message: `must be at least 3 × TICKETBRIDGE_TASK_HEARTBEAT_MS (${c.TICKETBRIDGE_TASK_HEARTBEAT_MS})` });
  }
  // A holder stops a shard it could not renew for (lease - renew); the renew interval left is its time to stop.
  if (c.TICKETBRIDGE_SHARD_LEASE_MS < 3 * c.TICKETBRIDGE_SHARD_RENEW_MS) {
    ctx.addIssue({ code: 'custom', path: ['TICKETBRIDGE_SHARD_LEASE_MS'], message: `must be at least 3 × TICKETBRIDGE_SHARD_RENEW_MS (${c.TICKETBRIDGE_SHARD_RENEW_MS})` });
  }
});

export type Config = z.output<typeof ConfigSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Flags (already mapped to setting names) win over the environment. Empty env values count as unset. */
export function loadConfig(env: NodeJS.ProcessEnv, flags: Record<string, string | undefined> = {}): Config {
  const raw: Record<string, string> = {};
  for (const key of Object.keys(ConfigSchema.shape)) {
    const value = flags[key] ?? env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = issue ? String(issue.path[0] ?? '') : '';
    const shown = key && !/TOKEN|DATABASE_URL/.test(key) ? ` (got "${raw[key] ?? ''}")` : '';
    throw new ConfigError(`Invalid setting ${key}: ${issue?.message ?? 'invalid'}${shown}`);
  }
  return parsed.data;
}
