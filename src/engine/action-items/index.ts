/**
 * Action items (the NoteTicketing side): monitoring config, action items, sweeps that find items in
 * monitored channels, analytics, member permissions, the privacy audit and export.
 */
import type { EngineContext } from '../context.js';
import type { DiscordPort } from '../outbox.js';
import { createActionItemAdmin } from './admin.js';
import { createAnalytics } from './analytics.js';
import { createMonitorConfig } from './config.js';
import { createActionItemStore } from './items.js';
import { createSweeps } from './sweeps.js';
import { createMonitorGuilds } from './guilds.js';
import { createWebhookDeliveries } from './webhooks.js';

export function createActionItems(ctx: EngineContext, port: () => DiscordPort | null) {
  return {
    config: createMonitorConfig(ctx),
    items: createActionItemStore(ctx),
    sweeps: createSweeps(ctx, port),
    analytics: createAnalytics(ctx),
    admin: createActionItemAdmin(ctx),
    webhooks: createWebhookDeliveries(ctx),
    guilds: createMonitorGuilds(ctx, () => port()?.botUserId() ?? null),
  };
}
