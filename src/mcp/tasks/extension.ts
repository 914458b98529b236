/**
 * The Tasks extension (`io.modelcontextprotocol/tasks`, SEP-2663, 2026-07-28 era): which tools run as
 * tasks, and whether a request's client declared the extension. The extension is per request: a
 * client declares it in `_meta["io.modelcontextprotocol/clientCapabilities"].extensions` of each
 * request (the SDK lifts that envelope to `ctx.mcpReq.envelope`), and only a request that declares it
 * may get a task back. 2025-11-25 clients never get tasks (the extension is not defined there).
 */
import { MissingRequiredClientCapabilityError, type ServerContext } from '@modelcontextprotocol/server';
import { z } from 'zod';

export const TASKS_EXTENSION = 'io.modelcontextprotocol/tasks';

/** The long operations that answer with a task when the client declares the extension. */
export const TASK_TOOLS: ReadonlySet<string> = new Set([
  'save_transcript', 'send_transcript', 'sync_guild', 'trigger_sweep', 'export_action_items', 'export_guild_config', 'import_guild_config',
]);

/** How often a client should poll tasks/get, ms. */
export const POLL_INTERVAL_MS = 1000;

const Envelope = z.looseObject({
  'io.modelcontextprotocol/clientCapabilities': z.looseObject({ extensions: z.record(z.string(), z.unknown()).optional() }).optional(),
});

/** Whether this request's client declared the Tasks extension. */
export function declaresTasks(ctx: ServerContext): boolean {
  const parsed = Envelope.safeParse(ctx.mcpReq.envelope ?? {});
  return parsed.success && parsed.data['io.modelcontextprotocol/clientCapabilities']?.extensions?.[TASKS_EXTENSION] !== undefined;
}

/** -32021 for a tasks/* request from a client that did not declare the extension. */
export function tasksCapabilityMissing(method: string): MissingRequiredClientCapabilityError {
  return new MissingRequiredClientCapabilityError(
    { requiredCapabilities: { extensions: { [TASKS_EXTENSION]: {} } } },
    `${method} needs the ${TASKS_EXTENSION} extension: declare it in this request's _meta["io.modelcontextprotocol/clientCapabilities"].extensions.`,
  );
}
