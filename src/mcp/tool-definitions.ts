/**
 * Every catalogue operation as an MCP tool definition, built once from the catalogue and cached:
 * tools/list is then a filter over ready objects, not a schema conversion per request.
 */
import type { Tool } from '@modelcontextprotocol/server';
import type { AnyOperation } from '../operations/define.js';
import { abbreviateOutput, inputJsonSchema, outputJsonSchema } from './json-schema.js';

export interface ToolDefinition {
  op: AnyOperation;
  tool: Tool;
  /** The operation's output is not an object and travels as {result} in structuredContent. */
  wrapped: boolean;
}

function annotationsOf(op: AnyOperation): NonNullable<Tool['annotations']> {
  const a = op.annotations;
  return {
    readOnlyHint: a.readOnlyHint,
    destructiveHint: a.destructiveHint,
    idempotentHint: a.idempotentHint,
    openWorldHint: a.openWorldHint ?? false,
  };
}

export function buildToolDefinitions(ops: readonly AnyOperation[]): Map<string, ToolDefinition> {
  const outputs = new Map(ops.map((op) => [op.name, outputJsonSchema(op.output)]));
  // For each output shape, the read tool that describes it in full: the first in catalogue order.
  const fullBy = new Map<string, string>();
  for (const op of ops) {
    if (!op.annotations.readOnlyHint) continue;
    const key = JSON.stringify(outputs.get(op.name)?.schema);
    if (!fullBy.has(key)) fullBy.set(key, op.name);
  }
  const defs = new Map<string, ToolDefinition>();
  for (const op of ops) {
    const out = outputs.get(op.name);
    if (!out) continue;
    const describer = fullBy.get(JSON.stringify(out.schema));
    const fullIn = describer !== undefined && describer !== op.name ? describer : undefined;
    const outputSchema = fullIn ? abbreviateOutput(out.schema, fullIn) : out.schema;
    defs.set(op.name, {
      op, wrapped: out.wrapped,
      tool: {
        name: op.name,
        title: op.title,
        description: op.description,
        inputSchema: inputJsonSchema(op.input) as Tool['inputSchema'],
        outputSchema: outputSchema as Tool['outputSchema'],
        annotations: annotationsOf(op),
      },
    });
  }
  return defs;
}
