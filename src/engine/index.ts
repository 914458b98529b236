/** The ticket engine: every domain module over one database. Knows nothing of MCP, HTTP or discord.js. */
import type { Database } from '../db/connect.js';
import { createEngineContext, type EngineContext } from './context.js';
import { createTicket } from './tickets/create.js';
import { createTicketActions } from './tickets/actions.js';
import { createAutoClose } from './tickets/auto-close.js';
import { createTicketQueries } from './tickets/queries.js';
import type { Actor } from './actor.js';
import type { CreateTicketInput } from './tickets/create.js';
import { createTokens } from './tokens.js';
import { createOutbox, type OutboxOptions } from './outbox.js';
import type { TicketTarget } from './tickets/actions.js';
import { createTranscripts } from './transcripts/index.js';
import { createStats } from './stats.js';
import { createGuilds } from './guilds.js';
import { createGuildModule } from './guild-module.js';
import { createGroups } from './groups.js';
import { createPanels } from './panels.js';
import { createCustomMessages } from './custom-messages.js';
import { createChannelMessages } from './channel-messages.js';
import { createPrivacy } from './privacy.js';
import { createActionItems } from './action-items/index.js';
import { createBlocks } from './blocks.js';
import { createGuildConfig } from './guild-config.js';
import { createTicketWebhooks } from './ticket-webhooks.js';
import { createShardLeases } from './shard-leases.js';
import { createShardGaps } from './shard-gaps.js';
import { createRateCounters } from './rate-counters.js';
import { createIdentifySlots } from './identify-slots.js';
import { createDiscordBudget } from './discord-budget.js';
import { createBackgroundRuns } from './background-runs.js';

export interface EngineOptions { now?: () => Date; adminToken?: string | undefined; outbox?: OutboxOptions | undefined }

export function createEngine(database: Pick<Database, 'db' | 'kind'>, opts: EngineOptions = {}) {
  const ctx: EngineContext = createEngineContext(database.db, database.kind, opts.now);
  const queries = createTicketQueries(ctx);
  const outbox = createOutbox(ctx, opts.outbox);
  const actions = createTicketActions(ctx);
  // Creating Discord objects: wait (bounded) for the job so the caller gets channel ids back.
  const settled = async <T extends { id: string; guild_id: string }>(t: T, kind: string): Promise<T | Awaited<ReturnType<typeof queries.get>>> => {
    if (!(await outbox.settleTicketJobs(t.id, [kind]))) return t;
    return queries.get({ guild_id: t.guild_id, ticket: { ticket_id: t.id } });
  };
  return {
    ctx,
    db: ctx.db,
    kind: ctx.kind,
    changes: ctx.changes,
    tickets: {
      create: (actor: Actor, input: CreateTicketInput) => createTicket(ctx, actor, input).then((t) => settled(t, 'ticket.open')),
      ...actions,
      createNotes: (actor: Actor, t: TicketTarget) => actions.createNotes(actor, t).then((v) => settled(v, 'ticket.notes.create')),
      ...queries,
      ...createAutoClose(ctx),
    },
    outbox,
    tokens: createTokens(ctx, { adminToken: opts.adminToken }),
    transcripts: createTranscripts(ctx),
    stats: createStats(ctx),
    guilds: { ...createGuilds(ctx), ...createGuildModule(ctx) },
    groups: createGroups(ctx),
    blocks: createBlocks(ctx),
    guildConfig: createGuildConfig(ctx),
    ticketWebhooks: createTicketWebhooks(ctx),
    panels: createPanels(ctx),
    customMessages: createCustomMessages(ctx),
    channelMessages: createChannelMessages(ctx),
    privacy: createPrivacy(ctx, outbox),
    actionItems: createActionItems(ctx, () => outbox.port()),
    shards: { ...createShardLeases(ctx), ...createShardGaps(ctx) },
    /** Request counters shared by every process (the REST faces' rate limits). */
    rateCounters: createRateCounters(ctx),
    /** Discord's rate limits shared by every process (global budget shares, route buckets). */
    discordBudget: createDiscordBudget(ctx),
    /** Discord's identify limit shared by every process (session starts per bucket per 5 s). */
    identifySlots: createIdentifySlots(ctx),
    /** Long operations run in the background, read and cancelled by id from any process. */
    backgroundRuns: createBackgroundRuns(ctx),
  };
}

export type Engine = ReturnType<typeof createEngine>;
