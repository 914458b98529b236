/** Migrations listed statically so the same table works from src/ (tsx, tests) and dist/. */
import type { Migration } from 'kysely';
import * as initial from './0001_initial.js';
import * as discordOutbox from './0004_discord_outbox.js';
import * as changeFeed from './0005_change_feed.js';
import * as deletedCount from './0006_deleted_count.js';
import * as messagesByAuthor from './0007_messages_by_author.js';
import * as actionItems from './0008_action_items.js';
import * as autoClose from './0009_auto_close.js';
import * as closeRequests from './0010_close_requests.js';
import * as feedback from './0011_feedback.js';
import * as ratingStats from './0012_rating_stats.js';
import * as ticketBlocks from './0013_ticket_blocks.js';
import * as openCooldown from './0014_open_cooldown.js';
import * as requiredRoles from './0015_required_roles.js';
import * as waitingOn from './0016_waiting_on.js';
import * as claimMode from './0017_claim_mode.js';
import * as ticketWebhooks from './0018_ticket_webhooks.js';
import * as autoReplies from './0019_auto_replies.js';
import * as retention from './0020_retention.js';
import * as shardLeases from './0021_shard_leases.js';
import * as locales from './0022_locales.js';
import * as sharedLimits from './0023_shared_limits.js';
import * as backgroundRuns from './0024_background_runs.js';
import * as discordSlots from './0025_discord_slots.js';
import * as identifySlots from './0026_identify_slots.js';

export const migrations: Record<string, Migration> = {
  '0001_initial': initial,
  '0004_discord_outbox': discordOutbox,
  '0005_change_feed': changeFeed,
  '0006_deleted_count': deletedCount,
  '0007_messages_by_author': messagesByAuthor,
  '0008_action_items': actionItems,
  '0009_auto_close': autoClose,
  '0010_close_requests': closeRequests,
  '0011_feedback': feedback,
  '0012_rating_stats': ratingStats,
  '0013_ticket_blocks': ticketBlocks,
  '0014_open_cooldown': openCooldown,
  '0015_required_roles': requiredRoles,
  '0016_waiting_on': waitingOn,
  '0017_claim_mode': claimMode,
  '0018_ticket_webhooks': ticketWebhooks,
  '0019_auto_replies': autoReplies,
  '0020_retention': retention,
  '0021_shard_leases': shardLeases,
  '0022_locales': locales,
  '0023_shared_limits': sharedLimits,
  '0024_background_runs': backgroundRuns,
  '0025_discord_slots': discordSlots,
  '0026_identify_slots': identifySlots,
};
