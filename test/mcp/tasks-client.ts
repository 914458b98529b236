/**
 * The SDK v2 client (@modelcontextprotocol/client 2.4.0) declaring the Tasks extension, as a client
 * that speaks it would. Client 2.4.0 has no Tasks support of its own (typescript-sdk#2782 is still a
 * draft): it sends the extension in each request's clientCapabilities, sends tasks/get, tasks/cancel
 * and tasks/update with explicit result schemas (and the Mcp-Name header the extension asks for), but
 * its response decoder refuses a tools/call result whose resultType is "task", which loses the task.
 * So this subclass takes such a result through the protocol's subclass seam (`_onresponse`, which
 * subclasses may override and must delegate to) and hands it on as a complete result carrying the
 * task in `_meta`; everything else on the wire is the SDK's own.
 */
import { Client, type JSONRPCErrorResponse, type JSONRPCResponse } from '@modelcontextprotocol/client';
import { z } from 'zod';

const TASK_META = 'ticketbridge.test/task';
export const TASKS = 'io.modelcontextprotocol/tasks';

export const WireTask = z.looseObject({
  taskId: z.string(), status: z.enum(['working', 'input_required', 'completed', 'failed', 'cancelled']),
  statusMessage: z.string().optional(), createdAt: z.string(), lastUpdatedAt: z.string(),
  ttlMs: z.number().int().positive().nullable(), pollIntervalMs: z.number().int().positive().optional(),
  result: z.looseObject({ content: z.array(z.looseObject({ type: z.string(), text: z.string().optional() })), isError: z.boolean().optional(), structuredContent: z.record(z.string(), z.unknown()).optional() }).optional(),
  error: z.looseObject({ code: z.number(), message: z.string() }).optional(),
});
export type WireTaskT = z.infer<typeof WireTask>;

const CallAnswer = z.looseObject({
  content: z.array(z.looseObject({ type: z.string(), text: z.string().optional() })),
  isError: z.boolean().optional(),
  structuredContent: z.record(z.string(), z.unknown()).optional(),
  _meta: z.looseObject({ [TASK_META]: z.looseObject({ resultType: z.literal('task') }).optional() }).optional(),
});
const Ack = z.looseObject({});

export type Started = { task: WireTaskT & { resultType: 'task' } } | { result: z.infer<typeof CallAnswer> };

export class TasksClient extends Client {
  constructor(name = 'tasks-test') {
    super({ name, version: '1.0.0' }, { versionNegotiation: { mode: 'auto' }, capabilities: { extensions: { [TASKS]: {} } } });
  }

  protected override _onresponse(response: JSONRPCResponse | JSONRPCErrorResponse): void {
    const result = 'result' in response ? (response.result as Record<string, unknown>) : undefined;
    if (result?.['resultType'] === 'task') {
      super._onresponse({ jsonrpc: '2.0', id: response.id, result: { resultType: 'complete', content: [], _meta: { [TASK_META]: result } } } as JSONRPCResponse);
      return;
    }
    super._onresponse(response);
  }

  /** tools/call: the task the server created, or the result it answered at once. */
  async start(name: string, args: Record<string, unknown>): Promise<Started> {
    const answer = await this.request({ method: 'tools/call', params: { name, arguments: args } }, CallAnswer);
    const task = answer._meta?.[TASK_META];
    return task ? { task: { ...WireTask.parse(task), resultType: 'task' } } : { result: answer };
  }

  getTask(taskId: string): Promise<WireTaskT> {
    return this.request({ method: 'tasks/get', params: { taskId } }, WireTask);
  }

  cancelTask(taskId: string): Promise<Record<string, unknown>> {
    return this.request({ method: 'tasks/cancel', params: { taskId } }, Ack);
  }

  /** Polls tasks/get until the task is completed, failed or cancelled (the extension's polling loop). */
  async settled(taskId: string, poll = (t: WireTaskT) => Math.min(t.pollIntervalMs ?? 50, 50)): Promise<WireTaskT> {
    for (;;) {
      const t = await this.getTask(taskId);
      if (t.status === 'completed' || t.status === 'failed' || t.status === 'cancelled') return t;
      await new Promise((r) => setTimeout(r, poll(t)));
    }
  }
}
