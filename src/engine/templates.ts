/**
 * {variable} substitution for custom messages. Variables are dotted names ({user}, {ticket.number},
 * {guild.name}); the context is a nested object flattened to those names. A variable the context does
 * not define is an error naming it, never a silently empty string in a message users will read.
 */
import { invalid } from './errors.js';

const VARIABLE = /\{([A-Za-z_][\w]*(?:\.[\w]+)*)\}/g;

export type TemplateContext = Record<string, unknown>;

/** {"ticket": {"number": 4}} → Map { "ticket" → "[object]", "ticket.number" → "4" }. */
export function flattenContext(context: TemplateContext, prefix = '', out = new Map<string, string>()): Map<string, string> {
  for (const [key, value] of Object.entries(context)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      flattenContext(value as TemplateContext, name, out);
    } else if (Array.isArray(value)) {
      out.set(name, value.map((v) => String(v)).join(', '));
    } else {
      out.set(name, value === null || value === undefined ? '' : String(value));
    }
  }
  return out;
}

/** Variables a template uses, in order of first use. */
export function templateVariables(value: unknown, found = new Set<string>()): Set<string> {
  if (typeof value === 'string') for (const m of value.matchAll(VARIABLE)) found.add(m[1] as string);
  else if (Array.isArray(value)) for (const v of value) templateVariables(v, found);
  else if (value !== null && typeof value === 'object') for (const v of Object.values(value)) templateVariables(v, found);
  return found;
}

function substitute(value: unknown, vars: ReadonlyMap<string, string>): unknown {
  if (typeof value === 'string') return value.replace(VARIABLE, (whole, name: string) => vars.get(name) ?? whole);
  if (Array.isArray(value)) return value.map((v) => substitute(v, vars));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, vars)]));
  }
  return value;
}

/** Renders every string inside `template`; throws `invalid` naming each variable the context lacks. */
export function renderTemplate<T>(template: T, vars: ReadonlyMap<string, string>, what: string): T {
  const missing = [...templateVariables(template)].filter((name) => !vars.has(name));
  if (missing.length) {
    const example = JSON.stringify(Object.fromEntries(missing.slice(0, 2).map((m) => [m, '…'])));
    throw invalid(`${what} uses ${missing.map((m) => `{${m}}`).join(', ')}, which the context does not define. Pass ${missing.length === 1 ? 'it' : 'them'} in context (for example context: ${example}; dotted names can also be nested objects).`,
      missing.map((m) => ({ path: `context.${m}`, message: `variable {${m}} is not defined` })));
  }
  return substitute(template, vars) as T;
}
