/** Valid-looking requests for any route, built from the route's own zod schemas (for the auth matrix and the fuzzers). */
import { z } from 'zod';
import type { AnyRoute } from '../../src/rest/kit/route.js';
import { DEMO } from './harness.js';

type Json = Record<string, unknown>;

const byName: Record<string, string> = {
  guild_id: DEMO.guildId, id: DEMO.guildId, ticket_id: DEMO.ticketId, channel_id: DEMO.channelId, channel: DEMO.channelId,
  user_id: DEMO.memberId, new_engineer: DEMO.staffId, privacy_member_id: DEMO.customerId, message_id: '1441604990945853999',
  custom_message_id: '1441604990945854000', panel_id: '1441604990945854001', ticket_type_id: '1441604990945854002', ticketId: '1',
  ticket_group_id: DEMO.groupId, guildId: DEMO.guildId, channelId: DEMO.channelId, userId: DEMO.memberId, itemId: '1441604990945854003',
  item_id: '1441604990945854003',
};

function sample(schema: Json, name: string): unknown {
  if (name in byName) return byName[name];
  if (Array.isArray(schema['anyOf'])) return sample((schema['anyOf'] as Json[]).find((s) => s['type'] !== 'null') ?? {}, name);
  if (Array.isArray(schema['enum'])) return (schema['enum'] as unknown[])[0];
  if ('const' in schema) return schema['const'];
  switch (schema['type']) {
    // An id nobody named above: a snowflake that names nothing (the route must still check who asks).
    case 'string': return name.endsWith('_id') ? '1441604990945854009' : 'value';
    case 'integer': case 'number': return 1;
    case 'boolean': return false;
    case 'array': return [];
    case 'object': {
      const out: Json = {};
      const props = (schema['properties'] ?? {}) as Record<string, Json>;
      for (const key of (schema['required'] as string[] | undefined) ?? []) out[key] = sample(props[key] ?? {}, key);
      return out;
    }
    default: return null;
  }
}

/** Arguments for a JSON-schema object (an MCP tool's input): its required fields, plus every id field it knows. */
export function sampleArgs(schema: Json): Json {
  const out = sample(schema, '') as Json;
  const props = (schema['properties'] ?? {}) as Record<string, Json>;
  for (const key of Object.keys(props)) if (key in byName && !(key in out)) out[key] = byName[key];
  return out;
}

const jsonSchema = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Json;

export interface SampleRequest { method: string; path: string; query: Record<string, string>; body: Json | undefined }

export function sampleRequest(route: AnyRoute, overrides: Record<string, string> = {}): SampleRequest {
  const value = (name: string, s: Json) => overrides[name] ?? sample(s, name);
  const path = route.path.replace(/\{(\w+)\}/g, (_m, name: string) => String(overrides[name] ?? byName[name] ?? '1'));
  const query: Record<string, string> = {};
  if (route.query) {
    const js = jsonSchema(route.query);
    const props = (js['properties'] ?? {}) as Record<string, Json>;
    for (const key of (js['required'] as string[] | undefined) ?? []) query[key] = String(value(key, props[key] ?? {}));
  }
  let body: Json | undefined;
  if (route.body) {
    const js = jsonSchema(route.body);
    const props = (js['properties'] ?? {}) as Record<string, Json>;
    body = {};
    for (const key of (js['required'] as string[] | undefined) ?? []) body[key] = value(key, props[key] ?? {});
    // ticketbridge's own API takes operation inputs, like MCP tools: give them every id they know (a ticket by ticket_id, …).
    if (route.path.startsWith('/api/ticketbridge/')) for (const key of Object.keys(props)) if (key in byName && !(key in body)) body[key] = value(key, props[key] ?? {});
  }
  return { method: route.method, path, query, body };
}

export function urlOf(r: SampleRequest): string {
  const qs = new URLSearchParams(r.query).toString();
  return qs ? `${r.path}?${qs}` : r.path;
}
