/**
 * zod → JSON Schema for tools/list, computed once per operation and kept compact: agents pay for
 * every byte of tools/list in context. Inputs keep descriptions, formats and limits (they guide the
 * agent's arguments); outputs keep the shape (types, nullability, enums) and drop what only repeats.
 */
import { z } from 'zod';

export type JsonSchema = { [key: string]: unknown };

const SAFE_MIN = Number.MIN_SAFE_INTEGER;
const SAFE_MAX = Number.MAX_SAFE_INTEGER;
/** Descriptions carried by shared building blocks (outputs drop all descriptions anyway). */
const GENERIC_DESCRIPTIONS = new Set(['A Discord-style snowflake ID, as a string of digits', 'ISO-8601 timestamp']);

function isObject(v: unknown): v is JsonSchema {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function compact(node: unknown, mode: 'input' | 'output'): unknown {
  if (Array.isArray(node)) return node.map((n) => compact(n, mode));
  if (!isObject(node)) return node;
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$schema') continue;
    if (key === 'minimum' && value === SAFE_MIN) continue;
    if (key === 'maximum' && value === SAFE_MAX) continue;
    if (key === 'description' && mode === 'output' && typeof value === 'string' && GENERIC_DESCRIPTIONS.has(value)) continue;
    // Property names are strings in JSON anyway (zod writes this for every record).
    if (key === 'propertyNames' && isObject(value) && Object.keys(value).length === 1 && value.type === 'string') continue;
    // {} allows anything: the same as saying nothing.
    if (key === 'additionalProperties' && isObject(value) && Object.keys(value).length === 0) continue;
    if (mode === 'output' && (key === 'description' || key === 'pattern' || key === 'maxLength' || key === 'minLength'
      || key === 'minimum' || key === 'maximum' || key === 'minItems' || key === 'maxItems' || key === 'additionalProperties' || key === 'format')) continue;
    // A tuple ([from, to]) comes from zod as prefixItems + `items: false` + maxItems. A bare `false`
    // where a schema belongs is refused by strict clients (MCP Inspector --strict); maxItems already
    // says there is nothing after the prefix (outputs only describe), so `items` goes. Otherwise the
    // object spelling of "nothing" stands in for it.
    if (key === 'items' && value === false) {
      const covered = Array.isArray(node.prefixItems) && (mode === 'output' || node.maxItems === node.prefixItems.length);
      if (!covered) out[key] = { not: {} };
      continue;
    }
    out[key] = compact(value, mode);
  }
  // A nullable field stays {anyOf: [{type: X, …}, {type: 'null'}]}: the shorter {type: [X, 'null']}
  // is flagged as unportable by strict clients (MCP Inspector --strict), so it is not used. The
  // annotations of the field (description, default) move out of the branch to the field itself.
  if (Array.isArray(out.type)) {
    const { type, description, default: dflt, ...rest } = out;
    const types = type as unknown[];
    const nonNull = types.filter((t) => t !== 'null');
    const branch: JsonSchema = { ...rest, type: nonNull.length === 1 ? nonNull[0] : nonNull };
    if (Array.isArray(branch.enum)) branch.enum = (branch.enum as unknown[]).filter((v) => v !== null);
    if (types.includes('null')) return { ...(description !== undefined ? { description } : {}), ...(dflt !== undefined ? { default: dflt } : {}), anyOf: [branch, { type: 'null' }] };
  }
  const anyOf = out.anyOf;
  if (Array.isArray(anyOf) && anyOf.length === 2) {
    const [a, b] = anyOf as unknown[];
    const nullFirst = isObject(a) && a.type === 'null' && Object.keys(a).length === 1;
    const nullSecond = isObject(b) && b.type === 'null' && Object.keys(b).length === 1;
    const other = nullSecond ? a : nullFirst ? b : undefined;
    if (isObject(other)) {
      const { description, default: dflt, ...branch } = other;
      return { ...(description !== undefined ? { description } : {}), ...(dflt !== undefined ? { default: dflt } : {}), ...out, anyOf: [branch, { type: 'null' }] };
    }
  }
  return out;
}

/** Descriptions inside nested objects (an embed's fields, a form answer's) cost more than they guide. */
function dropNestedDescriptions(node: unknown, objectDepth: number): unknown {
  if (Array.isArray(node)) return node.map((n) => dropNestedDescriptions(n, objectDepth));
  if (!isObject(node)) return node;
  // Objects two levels down (an embed's footer) are named, not spelled out; the server validates them.
  if (objectDepth >= 2 && node.type === 'object' && isObject(node.properties)) return { type: 'object' };
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'description' && objectDepth >= 2) continue;
    if (key === 'properties' && isObject(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, dropNestedDescriptions(v, objectDepth + 1)]));
    } else out[key] = dropNestedDescriptions(value, objectDepth);
  }
  return out;
}

export function inputJsonSchema(schema: z.ZodType): JsonSchema {
  const raw = z.toJSONSchema(schema, { io: 'input', target: 'draft-2020-12', unrepresentable: 'any' }) as JsonSchema;
  return dropNestedDescriptions(compact(raw, 'input'), 0) as JsonSchema;
}

/**
 * Output schemas name every field of the returned object and of the records it lists; objects
 * nested deeper are described as objects without their fields (they are in structuredContent).
 */
const MAX_OUTPUT_DEPTH = 1;
function limitDepth(node: unknown, objectDepth: number): unknown {
  if (!isObject(node)) return node;
  const out: JsonSchema = { ...node };
  const isObj = out.type === 'object';
  if (isObj && isObject(out.properties)) {
    if (objectDepth >= MAX_OUTPUT_DEPTH) { delete out.properties; delete out.required; return out; }
    out.properties = Object.fromEntries(Object.entries(out.properties).map(([k, v]) => [k, limitDepth(v, objectDepth + 1)]));
  }
  if (isObject(out.items)) out.items = limitDepth(out.items, objectDepth);
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const list = out[key];
    if (Array.isArray(list)) out[key] = list.map((v) => limitDepth(v, objectDepth));
  }
  if (isObject(out.additionalProperties)) out.additionalProperties = limitDepth(out.additionalProperties, objectDepth + 1);
  return out;
}

/** MCP wants an object at the top of an output schema; other outputs are wrapped as {result}. */
export function outputJsonSchema(schema: z.ZodType): { schema: JsonSchema; wrapped: boolean } {
  const raw = limitDepth(compact(z.toJSONSchema(schema, { io: 'output', target: 'draft-2020-12', unrepresentable: 'any' }), 'output'), 0) as JsonSchema;
  if (raw.type === 'object') return { schema: raw, wrapped: false };
  return { schema: { type: 'object', properties: { result: raw }, required: ['result'] }, wrapped: true };
}

/** Fields an agent reads first; an abbreviated output schema keeps these. */
const HEADLINE = ['id', 'number', 'status'];

/**
 * The output schema of a write tool that returns the very object a read tool describes in full:
 * headline fields only, other fields allowed, and a pointer to the full description. Saves ~1.4 KB
 * per ticket tool in tools/list while structuredContent stays complete and valid.
 */
export function abbreviateOutput(full: JsonSchema, fullIn: string): JsonSchema {
  const props = isObject(full.properties) ? full.properties : {};
  const keep = HEADLINE.filter((k) => k in props);
  const chosen = keep.length ? keep : Object.keys(props).slice(0, 3);
  return {
    type: 'object',
    description: `The ${fullIn} object, all fields.`,
    properties: Object.fromEntries(chosen.map((k) => [k, limitDepth(props[k], 2)])),
  };
}
