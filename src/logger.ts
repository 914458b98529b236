/** pino to stderr: stdout belongs to the MCP stdio transport. Secrets are redacted by path. */
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string = 'info'): Logger {
  return pino({
    level,
    base: { name: 'ticketbridge' },
    redact: { paths: ['token', '*.token', 'authorization', '*.authorization', 'headers.authorization', 'req.headers.authorization', '*.DISCORD_TOKEN', 'DISCORD_TOKEN', '*.password'], censor: '[redacted]' },
  }, pino.destination({ fd: 2, sync: false }));
}
