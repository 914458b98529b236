/**
 * The operation catalogue's building block. One definition per capability; MCP tools, REST routes,
 * the manifest and the docs all come from these. Abilities, guild scope and the tickets module are
 * checked here, centrally, before `run` — never inside it.
 */
import { z } from 'zod';
import type { Engine } from '../engine/index.js';
import { canAccessGuild, hasAbility, type Actor, type Requirement } from '../engine/actor.js';
import { asUnavailable, forbidden, invalid, isUnavailableError, type FieldIssue } from '../engine/errors.js';
import { readThrough } from './read-cache.js';

export type Toolset = 'tickets' | 'transcripts' | 'guild' | 'groups' | 'channels' | 'panels' | 'messages' | 'admin' | 'stats' | 'action_items';

export interface Annotations {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint?: boolean;
}

export interface OperationContext {
  engine: Engine;
  actor: Actor;
  requestId: string;
  signal: AbortSignal;
  /** Reports progress of long operations (MCP progress notifications); a no-op when nobody listens. */
  progress: (progress: number, total?: number, message?: string) => void;
  /** The caller's IP address where the face knows it (REST); the privacy audit records it. */
  clientIp?: string | undefined;
}

export interface Operation<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  name: string;
  title: string;
  description: string;
  toolset: Toolset;
  /** null: any valid token may call it (it lists only what the token covers). */
  ability: Requirement;
  annotations: Annotations;
  input: I;
  output: O;
  /** Guild-scoped operations name their guild in `guild_id`; the catalogue checks the actor may touch it. */
  guildScoped: boolean;
  run: (ctx: OperationContext, input: z.output<I>) => Promise<z.input<O>>;
}

export type AnyOperation = Operation<z.ZodType, z.ZodType>;

export function defineOperation<I extends z.ZodType, O extends z.ZodType>(
  def: Omit<Operation<I, O>, 'guildScoped'> & { guildScoped?: boolean },
): Operation<I, O> {
  return { guildScoped: true, ...def };
}

export function zodIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(input)', message: i.message }));
}

/**
 * The checks every call passes before it runs: the actor's ability, the input (a sentence naming each
 * bad field) and the guild scope. Returns the parsed input. A face that runs an operation later (in the
 * background) calls this first, so a bad call is refused at once instead of failing later.
 */
export function admit<I extends z.ZodType, O extends z.ZodType>(op: Operation<I, O>, actor: Actor, rawInput: unknown): z.output<I> {
  if (!hasAbility(actor, op.ability)) {
    throw forbidden(`This token lacks the "${op.ability}" ability needed for ${op.name}. Ask an admin for a token with it.`);
  }
  const parsed = op.input.safeParse(rawInput ?? {});
  if (!parsed.success) {
    const fields = zodIssues(parsed.error);
    throw invalid(`Invalid input for ${op.name}: ${fields.map((f) => `${f.path}: ${f.message}`).join('; ')}.`, fields);
  }
  const input = parsed.data as z.output<I>;
  if (op.guildScoped) {
    const guildId = (input as { guild_id?: unknown }).guild_id;
    if (typeof guildId === 'string' && !canAccessGuild(actor, guildId)) {
      throw forbidden(`This token has no access to guild ${guildId}. Use a token scoped to that guild.`);
    }
  }
  return input;
}

/**
 * Validates input, checks ability and guild scope, runs the operation (or answers from the read cache),
 * and validates its output.
 * Every face calls operations through here.
 */
export async function invoke<I extends z.ZodType, O extends z.ZodType>(
  op: Operation<I, O>, ctx: OperationContext, rawInput: unknown,
): Promise<z.output<O>> {
  const input = admit(op, ctx.actor, rawInput);
  // Repeated reads (get_ticket, list_tickets) may be answered from the read cache.
  const load = async () => op.output.parse(await op.run(ctx, input)) as z.output<O>;
  for (let attempt = 1; ; attempt++) {
    try {
      return await readThrough(op.name, ctx.engine, input, load);
    } catch (err) {
      // A read can always run again: the first attempt may have met a pooled connection that the
      // database closed while it sat idle (after a restart); the next takes a fresh one.
      if (attempt < 3 && op.annotations.readOnlyHint && isUnavailableError(err) && !ctx.signal.aborted) {
        await new Promise((r) => setTimeout(r, 20 * attempt));
        continue;
      }
      // Reads run outside engine transactions, so a dropped database connection reaches here as the
      // driver's own error: every face gets the typed "unavailable" instead (a 503, never a 500).
      throw asUnavailable(err) ?? err;
    }
  }
}
