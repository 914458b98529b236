/** Operations that act on Discord directly (not through a ticket): syncing a guild on demand. */
import { z } from 'zod';
import { unavailable } from '../engine/errors.js';
import { idempotentWrite } from './annotations.js';
import { defineOperation } from './define.js';
import { GuildId } from './schemas.js';

export const syncGuild = defineOperation({
  name: 'sync_guild', title: 'Sync a guild from Discord', toolset: 'guild', ability: 'guild:admin',
  annotations: { ...idempotentWrite, openWorldHint: true },
  description: "Fetch the guild's channels, roles, emojis and members from Discord now and record them. A guild seen for the first time also gets a default ticket group wired to a support category and a transcripts channel (created when missing). Reports progress; stops, recording nothing, when cancelled.",
  input: z.object({ guild_id: GuildId }).strict(),
  output: z.object({
    guild_id: z.string(), name: z.string(),
    channels: z.number().int(), roles: z.number().int(), emojis: z.number().int(), members: z.number().int(),
    created_default_group: z.boolean().describe('true when the guild was new and got its default ticket group'),
  }),
  run: async (ctx, input) => {
    const port = ctx.engine.outbox.port();
    if (!port) throw unavailable('This server is not connected to Discord right now (no bot session), so it cannot sync. Retry once it is connected (see /healthz).');
    return port.syncGuild(input.guild_id, (done, total, message) => ctx.progress(done, total, message), ctx.signal);
  },
});

export const discordOperations = [syncGuild] as const;
