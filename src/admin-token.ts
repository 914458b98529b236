/**
 * The first-start admin token: without TICKETBRIDGE_ADMIN_TOKEN, the first start creates a token
 * for every guild, prints it once to stderr and writes it to DATA_DIR/admin-token (mode 0600).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Engine } from './engine/index.js';

export const ADMIN_TOKEN_NAME = 'admin (first start)';

export async function ensureAdminToken(engine: Engine, dataDir: string, configured: string | undefined): Promise<{ created: boolean; file?: string }> {
  if (configured) return { created: false };
  if (await engine.tokens.findByName(ADMIN_TOKEN_NAME)) return { created: false };
  const { token } = await engine.tokens.create({ name: ADMIN_TOKEN_NAME, abilities: ['*'], guild_ids: null });
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'admin-token');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  process.stderr.write(`\nticketbridge: created an admin API token (shown once; also saved to ${file}):\n\n  ${token}\n\n`);
  return { created: true, file };
}
