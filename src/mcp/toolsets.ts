/**
 * Which tools a session exposes: toolsets (groups of operations) with defaults, an explicit tool list,
 * and read-only mode. Read-only wins over everything else.
 */
import type { AnyOperation, Toolset } from '../operations/define.js';

/** Toolsets on when nothing is asked for: what an agent working a ticket queue needs. */
export const DEFAULT_TOOLSETS: readonly string[] = ['tickets', 'transcripts'];
/** Rarely needed ticket tools left out of the defaults to keep tools/list small; --toolsets tickets has them. */
export const DEFAULT_EXCLUDED_TOOLS: readonly string[] = ['set_ticket_eternal', 'set_ticket_expiry', 'set_ticket_owner', 'rate_ticket', 'add_notes_member', 'remove_notes_member', 'answer_ticket_close_request',
  // Read by the transcript resources for their headings; an agent reads the language in the transcript itself.
  'get_ticket_locale',
  // Called by integrations (Husqy's message linking), not by agents working a ticket.
  'link_ticket_message', 'unlink_ticket_message'];
/**
 * Single tools of other toolsets that the default set needs: finding a guild, knowing who you are,
 * reading priority levels (they live on groups) and answering in a ticket.
 */
export const DEFAULT_EXTRA_TOOLS: readonly string[] = ['list_guilds', 'get_guild', 'get_current_user', 'list_ticket_groups', 'send_channel_message', 'get_guild_stats'];

export interface ToolSelection {
  /** Toolset names, or 'all'. Undefined or empty = DEFAULT_TOOLSETS. */
  toolsets?: readonly string[] | undefined;
  /** Extra tools by name, exposed on top of the toolsets. */
  tools?: readonly string[] | undefined;
  readOnly?: boolean | undefined;
}

export interface ResolvedSelection {
  toolsets: string[];
  tools: string[];
  /** Tools of the chosen toolsets left out (the defaults' rarely needed tools). */
  excluded: string[];
  readOnly: boolean;
  /** Stable key: equal keys expose equal tool lists. */
  key: string;
}

export class SelectionError extends Error {
  override name = 'SelectionError';
}

export function knownToolsets(ops: readonly AnyOperation[]): string[] {
  return [...new Set(ops.map((op) => op.toolset))].sort();
}

/** Validates names against the catalogue so a typo is a clear error, not an empty tool list. */
export function resolveSelection(ops: readonly AnyOperation[], sel: ToolSelection): ResolvedSelection {
  const known = knownToolsets(ops);
  const asked = (sel.toolsets ?? []).map((s) => s.trim()).filter(Boolean);
  const toolsets = asked.length === 0 ? DEFAULT_TOOLSETS.filter((t) => known.includes(t))
    : asked.includes('all') ? known : asked;
  const badSets = toolsets.filter((t) => !known.includes(t));
  if (badSets.length) throw new SelectionError(`Unknown toolset${badSets.length > 1 ? 's' : ''} ${badSets.join(', ')}. Known toolsets: ${known.join(', ')}, or all.`);
  const names = new Set(ops.map((op) => op.name));
  const tools = [...(sel.tools ?? []).map((s) => s.trim()).filter(Boolean), ...(asked.length === 0 ? DEFAULT_EXTRA_TOOLS.filter((t) => names.has(t)) : [])];
  const badTools = tools.filter((t) => !names.has(t));
  if (badTools.length) throw new SelectionError(`Unknown tool${badTools.length > 1 ? 's' : ''} ${badTools.join(', ')}. List tools with tools/list (or --toolsets all).`);
  const readOnly = sel.readOnly === true;
  const sortedSets = [...new Set(toolsets)].sort();
  const sortedTools = [...new Set(tools)].sort();
  const excluded = asked.length === 0 ? DEFAULT_EXCLUDED_TOOLS.filter((t) => names.has(t) && !sortedTools.includes(t)) : [];
  return { toolsets: sortedSets, tools: sortedTools, excluded, readOnly, key: `${sortedSets.join(',')}|${sortedTools.join(',')}|-${excluded.join(',')}|${readOnly ? 'ro' : 'rw'}` };
}

export function isSelected(op: AnyOperation, sel: ResolvedSelection): boolean {
  if (sel.readOnly && !op.annotations.readOnlyHint) return false;
  if (sel.tools.includes(op.name)) return true;
  return sel.toolsets.includes(op.toolset as Toolset) && !sel.excluded.includes(op.name);
}

/** Why a catalogue tool is not callable in this session, as a sentence saying how to get it. */
export function whyNotSelected(op: AnyOperation, sel: ResolvedSelection): string {
  if (sel.readOnly && !op.annotations.readOnlyHint) {
    return `${op.name} changes data and this session is read-only. Connect without read-only mode (--read-only / X-MCP-Readonly) to use it.`;
  }
  if (sel.excluded.includes(op.name)) {
    return `${op.name} is not among the default tools of this session. Enable it with --toolsets ${[...sel.toolsets].join(',')} (all tools of those toolsets; or the X-MCP-Toolsets header), or name it with --tools ${op.name} (X-MCP-Tools).`;
  }
  return `${op.name} is in the "${op.toolset}" toolset, which this session does not expose (toolsets: ${sel.toolsets.join(', ') || 'none'}). Enable it with --toolsets ${[...sel.toolsets, op.toolset].join(',')} (or the X-MCP-Toolsets header), or name it with --tools ${op.name}.`;
}

export function parseList(value: string | readonly string[] | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const raw = typeof value === 'string' ? value : value.join(',');
  const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
  return items.length ? items : undefined;
}

export function parseBool(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  const v = value.trim().toLowerCase();
  if (v === 'true' || v === '1' || v === 'yes') return true;
  if (v === 'false' || v === '0' || v === 'no' || v === '') return false;
  throw new SelectionError(`X-MCP-Readonly must be true or false (got "${value}").`);
}
