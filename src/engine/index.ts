/** The ticket engine: every domain module over one database. Knows nothing of MCP, HTTP or discord.js. */
import type { Database } from '../db/connect.js';
import { createEngineContext, type EngineContext } from './context.js';
import { createTicket } from './tickets/create.js';
import { createTicketActions } from './tickets/actions.js';
import { createTicketQueries } from './tickets/queries.js';
import type { Actor } from './actor.js';
import type { CreateTicketInput } from './tickets/create.js';

export function createEngine(database: Pick<Database, 'db' | 'kind'>, opts: { now?: () => Date } = {}) {
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
  };
}

export type Engine = ReturnType<typeof createEngine>;
