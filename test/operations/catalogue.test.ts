/**
 * The catalogue is the agent-facing surface: every operation must carry what an MCP client and a
 * REST reader need (a name, a title, a real description, honest annotations, object schemas).
 * Iterates the live catalogue, so operations added later are held to the same rules.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ABILITIES } from '../../src/engine/actor.js';
import { catalogue } from '../../src/operations/index.js';

const TOOLSETS = ['tickets', 'transcripts', 'guild', 'groups', 'channels', 'panels', 'messages', 'admin', 'stats', 'action_items'];

/**
 * Operations whose readOnlyHint deliberately differs from "ability ends in :read", with the reason.
 * Keep this empty unless an operation truly needs it; the test fails on a stale entry.
 */
const READ_ONLY_EXCEPTIONS: Record<string, string> = {
  list_privacy_audit: 'only reads, but the audit says who read what from which IP address: guild admins only',
};

/**
 * Operations any valid token may call (ability null), with the reason. Each must only show the
 * token what it already covers; the test fails on a stale entry and on an unlisted one.
 */
const OPEN_TO_EVERY_TOKEN: Record<string, string> = {
  list_guilds: 'how an agent or a dashboard starts: the guilds the token covers, and only those',
  list_monitor_guilds: 'the same list with monitoring state (NoteTicketing GET /v1/guilds)',
};

type JsonNode = { description?: unknown; properties?: Record<string, JsonNode>; items?: JsonNode | JsonNode[]; prefixItems?: JsonNode[];
  anyOf?: JsonNode[]; oneOf?: JsonNode[]; allOf?: JsonNode[]; additionalProperties?: JsonNode | boolean };

/**
 * Every field of an input, at any depth (inside objects, array items, records, nullable and union
 * branches), as a dotted path, when neither it nor one of its branches (x | null) says what it is.
 */
export function undescribedFields(node: JsonNode, path = ''): string[] {
  const out: string[] = [];
  const described = (n: JsonNode) => typeof n.description === 'string' && n.description.trim().length > 0;
  for (const [name, field] of Object.entries(node.properties ?? {})) {
    const at = path ? `${path}.${name}` : name;
    if (!described(field) && !(field.anyOf ?? field.oneOf ?? []).some(described)) out.push(at);
    out.push(...undescribedFields(field, at));
  }
  const items = node.items === undefined ? [] : Array.isArray(node.items) ? node.items : [node.items];
  for (const item of [...items, ...(node.prefixItems ?? [])]) out.push(...undescribedFields(item, `${path}[]`));
  for (const branch of [...(node.anyOf ?? []), ...(node.oneOf ?? []), ...(node.allOf ?? [])]) out.push(...undescribedFields(branch, path));
  if (typeof node.additionalProperties === 'object') out.push(...undescribedFields(node.additionalProperties, `${path}{}`));
  return [...new Set(out)];
}

const problemsOf = (op: (typeof catalogue)[number]): string[] => {
  const problems: string[] = [];
  if (!/^[a-z][a-z0-9]*(_[a-z0-9]+)+$/.test(op.name)) problems.push('name is not snake_case verb_noun');
  if (typeof op.title !== 'string' || op.title.trim().length === 0) problems.push('no title');
  if (typeof op.description !== 'string' || op.description.trim().length < 20) problems.push('description shorter than 20 characters');
  const a = op.annotations as unknown as Partial<Record<string, unknown>> | undefined;
  for (const hint of ['readOnlyHint', 'destructiveHint', 'idempotentHint']) {
    if (typeof a?.[hint] !== 'boolean') problems.push(`annotations.${hint} is not a boolean`);
  }
  if (a?.['readOnlyHint'] === true && a['destructiveHint'] === true) problems.push('read-only yet destructive');
  if (!(op.input instanceof z.ZodObject)) problems.push('input schema is not a zod object');
  if (!(op.output instanceof z.ZodType)) problems.push('no output schema');
  if (op.ability === null) {
    if (!(op.name in OPEN_TO_EVERY_TOKEN)) problems.push('needs no ability (ability null) but is not listed in OPEN_TO_EVERY_TOKEN');
  } else if (!(ABILITIES as readonly string[]).includes(op.ability)) problems.push(`unknown ability ${String(op.ability)}`);
  if (!TOOLSETS.includes(op.toolset)) problems.push(`unknown toolset ${String(op.toolset)}`);
  if (typeof op.run !== 'function') problems.push('no run function');
  const readOnlyByAbility = op.ability === null || op.ability.endsWith(':read');
  if (!(op.name in READ_ONLY_EXCEPTIONS) && a?.['readOnlyHint'] !== readOnlyByAbility) {
    problems.push(`readOnlyHint is ${String(a?.['readOnlyHint'])} but ability ${op.ability} ${readOnlyByAbility ? 'only reads' : 'writes'}`);
  }
  // Every input field, nested ones too, tells the caller what it is (MCP, /openapi.json and the docs show them).
  try {
    for (const field of undescribedFields(z.toJSONSchema(op.input, { io: 'input', unrepresentable: 'any' }) as JsonNode)) problems.push(`input field ${field} has no description`);
  } catch { /* reported below */ }
  // MCP sends these as JSON Schema; both must convert, and tool schemas must be objects.
  for (const [which, schema, io] of [['input', op.input, 'input'], ['output', op.output, 'output']] as const) {
    try {
      const json = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as { type?: unknown };
      if (json.type !== 'object') problems.push(`${which} JSON Schema is not of type object`);
    } catch (err) {
      problems.push(`${which} schema does not convert to JSON Schema: ${(err as Error).message}`);
    }
  }
  return problems;
};

describe('operation catalogue', () => {
  it('is not empty and has unique names', () => {
    expect(catalogue.length).toBeGreaterThan(0);
    const names = catalogue.map((op) => op.name);
    const dupes = names.filter((n, i) => names.indexOf(n) !== i);
    expect(dupes, 'duplicate operation names').toEqual([]);
  });

  it('gives every operation a title, a real description, all three hints, object schemas and honest read-only hints', () => {
    const report = catalogue.map((op) => [op.name, problemsOf(op)] as const).filter(([, p]) => p.length > 0);
    expect(Object.fromEntries(report), 'operations with problems').toEqual({});
  });

  it('lists no stale read-only exceptions', () => {
    const names = new Set(catalogue.map((op) => op.name));
    expect(Object.keys(READ_ONLY_EXCEPTIONS).filter((n) => !names.has(n))).toEqual([]);
    expect(Object.keys(OPEN_TO_EVERY_TOKEN).filter((n) => catalogue.find((op) => op.name === n)?.ability !== null)).toEqual([]);
  });

  it('catches a defective operation (the checks themselves work)', () => {
    const broken = {
      ...catalogue[0]!, name: 'BadName', title: '', description: 'too short',
      annotations: { readOnlyHint: true, destructiveHint: 'no', idempotentHint: true },
      ability: 'tickets:write', input: z.string(), output: undefined,
    } as unknown as (typeof catalogue)[number];
    const problems = problemsOf(broken);
    for (const expected of [/snake_case/, /no title/, /description/, /destructiveHint/, /zod object/, /no output schema/, /readOnlyHint is true/]) {
      expect(problems.some((p) => expected.test(p)), `expected a problem matching ${expected}`).toBe(true);
    }
    // A field without a description is found at any depth: top level, inside objects, array items, nullable branches, records.
    const undescribed = problemsOf({
      ...catalogue[0]!,
      input: z.object({
        plain: z.string(),
        said: z.string().describe('said'),
        nested: z.object({ inner: z.number(), ok: z.boolean().describe('ok') }).describe('nested'),
        list: z.array(z.object({ item_field: z.string() })).describe('list'),
        maybe: z.object({ deep: z.object({ deepest: z.string() }).describe('deep') }).nullable().optional().describe('maybe'),
        map: z.record(z.string(), z.object({ value_field: z.string() })).describe('map'),
      }).strict(),
    } as unknown as (typeof catalogue)[number]).filter((p) => p.startsWith('input field'));
    expect(undescribed.sort()).toEqual(['input field list[].item_field has no description', 'input field map{}.value_field has no description',
      'input field maybe.deep.deepest has no description', 'input field nested.inner has no description', 'input field plain has no description']);
  });
});
