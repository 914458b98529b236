/**
 * tasks/get, tasks/cancel and tasks/update for 2026-07-28 servers, and the tools/call branch that
 * answers the long tools with a task. Everything is read from and written to the background-run rows,
 * so a poll or a cancel may land on any process. Registered with explicit params schemas: the SDK
 * lets `tasks/get` / `tasks/cancel` through its 2026-07-28 method gate only then (they were 2025-11-25
 * core methods), and `tasks/update` is an extension method. `tasks/result` and `tasks/list`, removed
 * by the extension, stay "Method not found" (the SDK's gate).
 *
 * Every request is checked against its own token: a task of another token (or outside the token's
 * guilds) is "not found", like one that never existed.
 */
import { ProtocolError, ProtocolErrorCode, type CallToolResult, type Server, type ServerContext } from '@modelcontextprotocol/server';
import { isEngineError } from '../../engine/errors.js';
import { backgroundRunner, type BackgroundRunner } from '../../operations/background.js';
import { asMcpError } from '../catalogue-calls.js';
import type { SessionContext } from '../context.js';
import { engineErrorResult } from '../errors.js';
import { isSelected } from '../toolsets.js';
import { toolDefinitions } from '../tools.js';
import { declaresTasks, TASK_TOOLS, tasksCapabilityMissing } from './extension.js';
import { createTaskResult, detailedTask, TaskIdParams, UpdateParams, type WireTask } from './wire.js';

let counter = 0;

export function runnerOf(session: SessionContext): BackgroundRunner {
  const { engine, config, logger } = session.deps;
  return backgroundRunner(engine, {
    heartbeatMs: config.TICKETBRIDGE_TASK_HEARTBEAT_MS,
    leaseMs: config.TICKETBRIDGE_TASK_LEASE_MS,
    onError: (err, what) => logger.warn({ err: (err as Error)?.message ?? String(err) }, what),
  });
}

const notFound = (taskId: string) => new ProtocolError(ProtocolErrorCode.InvalidParams,
  `Failed to retrieve task: no task ${taskId} for this token (it never existed, belongs to another token, or expired an hour after it finished).`, { taskId });

async function find(session: SessionContext, taskId: string) {
  try {
    return await runnerOf(session).get(taskId, session.actor());
  } catch (err) { throw asMcpError(err); }
}

export function registerTasks(server: Server, session: SessionContext): void {
  server.setRequestHandler('tasks/get', { params: TaskIdParams }, async (params, ctx): Promise<WireTask> => {
    if (!declaresTasks(ctx)) throw tasksCapabilityMissing('tasks/get');
    const run = await find(session, params.taskId);
    if (!run) throw notFound(params.taskId);
    return detailedTask(run);
  });
  server.setRequestHandler('tasks/cancel', { params: TaskIdParams }, async (params, ctx) => {
    if (!declaresTasks(ctx)) throw tasksCapabilityMissing('tasks/cancel');
    let known: boolean;
    try { known = await runnerOf(session).cancel(params.taskId, session.actor()); } catch (err) { throw asMcpError(err); }
    if (!known) throw notFound(params.taskId);
    // An acknowledgement only: the outcome is read with tasks/get (a finished task stays as it was).
    return {};
  });
  server.setRequestHandler('tasks/update', { params: UpdateParams }, async (params, ctx) => {
    if (!declaresTasks(ctx)) throw tasksCapabilityMissing('tasks/update');
    // No ticketbridge task ever asks the client for input, so every response is for a key that is not
    // outstanding: acknowledged and ignored, as the extension says.
    if (!(await find(session, params.taskId))) throw notFound(params.taskId);
    return {};
  });
}

/**
 * tools/call of a long tool from a client that declared the extension: checked (tool selected,
 * ability, input, guild scope) and recorded, then answered with the task at once while the work runs
 * on. Returns undefined when the call is not one for a task (the caller serves it as today).
 */
export async function callAsTask(session: SessionContext, name: string, args: Record<string, unknown>, ctx: ServerContext): Promise<CallToolResult | (WireTask & { resultType: 'task' }) | undefined> {
  if (session.era !== 'modern' || !TASK_TOOLS.has(name) || !declaresTasks(ctx)) return undefined;
  const def = toolDefinitions().get(name);
  if (!def || !isSelected(def.op, session.selection())) return undefined;
  try {
    const run = await runnerOf(session).start(def.op, session.actor(), args, `mcp-${session.label}-task-${++counter}`);
    return createTaskResult(run);
  } catch (err) {
    // Refused before it started (bad input, ability, guild): the tool error, at once.
    const known = engineErrorResult(err);
    if (known) return known;
    if (isEngineError(err)) throw asMcpError(err);
    throw err;
  }
}
