/**
 * Background runs (src/engine/background-runs.ts) in the Tasks extension's wire shape (SEP-2663):
 * a flat Task (taskId, status, statusMessage, createdAt, lastUpdatedAt, ttlMs, pollIntervalMs), plus
 * `result` (completed), `error` (failed). Written here rather than taken from the SDK: the task
 * schemas @modelcontextprotocol/core 2.4.0 exports are the 2025-11-25 vocabulary (`ttl`,
 * `pollInterval`, a nested `task`), which the extension replaced.
 *
 * How a run maps: done → completed with the tool result; refused (the operation's own typed error,
 * e.g. a conflict) → completed with an isError tool result, as the extension asks for tool errors;
 * cancelled → cancelled; failed (its process stopped, an internal error) → failed with a JSON-RPC
 * error (-32603) and the reason.
 */
import { ProtocolErrorCode, type CallToolResult } from '@modelcontextprotocol/server';
import { z } from 'zod';
import type { RunView } from '../../engine/background-runs.js';
import { toolError } from '../errors.js';
import { toolResult, toolDefinitions } from '../tools.js';
import { POLL_INTERVAL_MS } from './extension.js';

export const TaskIdParams = z.looseObject({ taskId: z.string().min(1).max(200) });
export const UpdateParams = z.looseObject({ taskId: z.string().min(1).max(200), inputResponses: z.record(z.string(), z.unknown()).optional() });

export type TaskStatus = 'working' | 'input_required' | 'completed' | 'failed' | 'cancelled';

export interface WireTask {
  [key: string]: unknown;
  taskId: string;
  status: TaskStatus;
  statusMessage?: string;
  createdAt: string;
  lastUpdatedAt: string;
  ttlMs: number | null;
  pollIntervalMs: number;
}

const STATUS: Record<RunView['status'], TaskStatus> = { running: 'working', done: 'completed', refused: 'completed', cancelled: 'cancelled', failed: 'failed' };

/** The Task fields of a run. ttlMs: from creation to when the row may be deleted; null (unlimited) while it runs. */
export function taskOf(run: RunView): WireTask {
  return {
    taskId: run.id,
    status: STATUS[run.status],
    ...(run.statusMessage ? { statusMessage: run.statusMessage } : {}),
    createdAt: run.createdAt.toISOString(),
    lastUpdatedAt: run.updatedAt.toISOString(),
    ttlMs: run.expiresAt ? Math.max(1, Math.round(run.expiresAt.getTime() - run.createdAt.getTime())) : null,
    pollIntervalMs: POLL_INTERVAL_MS,
  };
}

/** What tools/call returns instead of its result: the run's seed state. */
export function createTaskResult(run: RunView): WireTask & { resultType: 'task' } {
  return { resultType: 'task', ...taskOf(run) };
}

/** The tool result a finished run stands for (what the call would have returned synchronously). */
function resultOf(run: RunView): CallToolResult {
  const def = toolDefinitions().get(run.operation);
  if (run.status === 'refused' || !def) {
    const e = run.error;
    return toolError(e?.message ?? `${run.operation} did not finish.`, { code: e?.code ?? 'internal', ...(e?.details ?? {}) });
  }
  return toolResult(def, run.result);
}

/** tasks/get's answer: the Task with what its status carries inline. */
export function detailedTask(run: RunView): WireTask {
  const task = taskOf(run);
  if (run.status === 'done' || run.status === 'refused') return { ...task, result: resultOf(run) };
  if (run.status === 'failed') return { ...task, error: { code: ProtocolErrorCode.InternalError, message: run.error?.message ?? 'The task failed.' } };
  return task;
}
