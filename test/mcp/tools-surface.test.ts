/**
 * The agent-facing surface, pinned: every tool's name, title, description, input and output schema
 * and annotations are snapshotted (tools.snapshot.json), so any change shows in review. Regenerate on
 * purpose with `npx vitest run test/mcp/tools-surface.test.ts -u`.
 */
import { describe, expect, it } from 'vitest';
import { catalogue } from '../../src/operations/index.js';
import { listTools, toolDefinitions } from '../../src/mcp/tools.js';
import { resolveSelection } from '../../src/mcp/toolsets.js';

const CORE = ['create_ticket', 'get_ticket', 'list_tickets', 'close_ticket', 'reopen_ticket', 'delete_ticket', 'assign_ticket', 'unassign_ticket',
  'claim_ticket', 'transfer_ticket', 'move_ticket', 'lock_ticket', 'unlock_ticket', 'rename_ticket', 'set_ticket_priority', 'set_ticket_expiry',
  'set_ticket_eternal', 'set_ticket_owner', 'add_ticket_member', 'remove_ticket_member', 'create_notes_thread', 'add_notes_member',
  'remove_notes_member', 'get_transcript', 'save_transcript', 'send_transcript', 'list_ticket_events', 'get_guild', 'list_guilds', 'sync_guild',
  'get_guild_stats', 'list_ticket_groups', 'list_panels', 'list_custom_messages', 'send_channel_message', 'edit_channel_message',
  'send_custom_message', 'get_current_user', 'set_ticket_summary'];

describe('MCP tool surface', () => {
  it('matches the reviewed snapshot of every tool', async () => {
    const tools = [...toolDefinitions().values()].map((d) => d.tool);
    expect(tools.map((t) => t.name)).toEqual(catalogue.map((op) => op.name));
    await expect(`${JSON.stringify(tools, null, 2)}\n`).toMatchFileSnapshot('./tools.snapshot.json');
  });

  it('has the core tools of the issue (missing ones listed)', () => {
    const names = new Set(catalogue.map((op) => op.name));
    const missing = CORE.filter((n) => !names.has(n));
    // sync_guild belongs to the Discord sync work; everything else must be there.
    expect(missing.filter((n) => n !== 'sync_guild')).toEqual([]);
  });

  it('annotates honestly: reads are read-only, deletes and removals destructive, every tool has an output schema', () => {
    for (const { tool, op } of toolDefinitions().values()) {
      const a = tool.annotations!;
      if (/^(get|list)_/.test(tool.name)) expect(a.readOnlyHint, tool.name).toBe(true);
      if (/(^|_)(delete|remove|disable)(_|$)/.test(tool.name)) expect(a.destructiveHint, tool.name).toBe(true);
      if (a.readOnlyHint) expect(a.destructiveHint, tool.name).toBe(false);
      expect(tool.outputSchema?.type, tool.name).toBe('object');
      expect(tool.inputSchema.type, tool.name).toBe('object');
      expect(tool.description!.length, tool.name).toBeGreaterThan(30);
      expect(op.annotations.readOnlyHint).toBe(a.readOnlyHint);
      // Every input field tells the agent what it is. (Nested fields are described in the catalogue, checked by
      // test/operations/catalogue.test.ts; tools/list leaves their descriptions out to save the agent's context.)
      for (const [field, schema] of Object.entries(tool.inputSchema.properties ?? {})) {
        expect((schema as { description?: string }).description, `${tool.name}.${field}`).toBeTruthy();
      }
    }
  });

  it('writes every schema in the portable subset strict clients accept (what MCP Inspector --strict checks)', () => {
    // Strict clients (MCP Inspector 2.12 --strict; hosts that map tool schemas onto one-type dialects)
    // refuse a bare true/false where a schema belongs and flag `type: [X, "null"]`, schemas that
    // constrain nothing ({}) and remote $refs. `npm run inspect` runs the Inspector itself.
    const BOOLEAN_OK = new Set(['additionalProperties', 'unevaluatedProperties', 'additionalItems', 'unevaluatedItems']);
    const MAPS = ['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas'];
    const LISTS = ['anyOf', 'oneOf', 'allOf', 'prefixItems'];
    const SINGLE = ['items', 'contains', 'not', 'propertyNames', 'if', 'then', 'else', 'additionalProperties', 'unevaluatedProperties', 'unevaluatedItems'];
    const CONSTRAINS = ['type', 'enum', 'const', 'anyOf', 'oneOf', 'allOf', 'not', '$ref', 'properties', 'items', 'prefixItems', 'required', 'pattern', 'format', 'minimum', 'maximum', 'minLength', 'maxLength', 'minItems', 'maxItems', 'additionalProperties', 'propertyNames'];
    const problems: string[] = [];
    const walk = (node: unknown, path: string, keyword?: string) => {
      if (typeof node === 'boolean') { if (!keyword || !BOOLEAN_OK.has(keyword)) problems.push(`${path}: bare ${String(node)}`); return; }
      if (typeof node !== 'object' || node === null) return;
      const n = node as Record<string, unknown>;
      if (Array.isArray(n.type)) problems.push(`${path}: type ${JSON.stringify(n.type)}`);
      if (typeof n.$ref === 'string' && !n.$ref.startsWith('#')) problems.push(`${path}: remote $ref`);
      if (keyword !== 'not' && !CONSTRAINS.some((k) => k in n)) problems.push(`${path}: constrains nothing`);
      for (const k of MAPS) if (typeof n[k] === 'object' && n[k] !== null) for (const [name, sub] of Object.entries(n[k] as object)) walk(sub, `${path}.${k}.${name}`, k);
      for (const k of LISTS) if (Array.isArray(n[k])) (n[k] as unknown[]).forEach((sub, i) => walk(sub, `${path}.${k}[${i}]`, k));
      for (const k of SINGLE) if (k in n) walk(n[k], `${path}.${k}`, k);
    };
    for (const { tool } of toolDefinitions().values()) {
      walk(tool.inputSchema, `${tool.name}.inputSchema`);
      walk(tool.outputSchema, `${tool.name}.outputSchema`);
    }
    expect(problems).toEqual([]);
  });

  it('keeps the default tools/list within 40 KB; read-only wins over named tools', () => {
    const defaults = listTools(resolveSelection(catalogue, {}));
    const full = listTools(resolveSelection(catalogue, { toolsets: ['all'] }));
    const size = (tools: unknown[]) => JSON.stringify({ tools }).length;
    process.stderr.write(`tools/list: default ${defaults.length} tools, ${size(defaults)} bytes; all ${full.length} tools, ${size(full)} bytes\n`);
    expect(size(defaults)).toBeLessThan(40 * 1024);
    expect(full.length).toBe(catalogue.length);
    const ro = listTools(resolveSelection(catalogue, { toolsets: ['tickets'], tools: ['close_ticket'], readOnly: true }));
    expect(ro.map((t) => t.name)).not.toContain('close_ticket');
    expect(() => resolveSelection(catalogue, { toolsets: ['tickts'] })).toThrow(/Unknown toolset tickts\. Known toolsets: .*tickets/);
  });
});
