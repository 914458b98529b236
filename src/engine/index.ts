/** The ticket engine: every domain module over one database. Knows nothing of MCP, HTTP or discord.js. */
import type { Database } from '../db/connect.js';
import { createEngineContext, type EngineContext } from './context.js';
import { createTicket } from './tickets/create.js';
import { createTicketActions } from './tickets/actions.js';
import { createTicketQueries } from './tickets/queries.js';
import type { Actor } from './actor.js';
import type { CreateTicketInput } from './tickets/create.js';
import { createTokens } from './tokens.js';

export interface EngineOptions { now?: () => Date; adminToken?: string | undefined }

export function createEngine(database: Pick<Database, 'db' | 'kind'>, opts: EngineOptions = {}) {
  const ctx: EngineContext = createEngineContext(database.db, database.kind, opts.now);
  const queries = createTicketQueries(ctx);
  return {
    ctx,
    db: ctx.db,
    kind: ctx.kind,
    changes: ctx.changes,
    tickets: {
      create: (actor: Actor, input: CreateTicketInput) => createTicket(ctx, actor, input),
      ...createTicketActions(ctx),
      ...queries,
    },
    tokens: createTokens(ctx, { adminToken: opts.adminToken }),
  };
}

export type Engine = ReturnType<typeof createEngine>;
