/**
 * A narrow fast path for the commonest 2026-07-28 request over HTTP: one plain `tools/call` POST
 * answered with application/json. Hand-written because the SDK cannot serve it cheaply: through
 * createMcpHandler every such request pays a web Request and Response built from Node's and back, a
 * Server and a transport constructed, connected and closed, the message classified and parsed by
 * several zod schemas, an AbortController per layer and an SdkError made on every close. Measured
 * (README, Performance), that is 0.58–0.72 ms of server CPU per get_ticket against 0.08–0.16 ms for
 * the REST GET of the same ticket; the tool's own work is a few percent of it. Nothing in the SDK's public API
 * serves one exchange without that machinery (issue 15 forbids patching its internals).
 *
 * What it takes, exactly: a single JSON-RPC request object (keys jsonrpc, id, method, params only;
 * id a string or number) with method `tools/call`; params holding only `name` (a string),
 * `arguments` (a JSON object) and `_meta`; `_meta` holding only the 2026-07-28 envelope
 * (protocolVersion "2026-07-28", clientCapabilities with nothing but roots / sampling / elicitation
 * and no extensions, optionally clientInfo with a string name and version); headers
 * MCP-Protocol-Version "2026-07-28", Mcp-Method "tools/call" and Mcp-Name equal to the tool name.
 * No progress token (that answer is an SSE stream), no log level, no extension (the Tasks extension's
 * calls are the SDK's), none of the Tasks tools at all (TASK_TOOLS: with or without the extension they are the SDK's). Anything else, including every malformed
 * request, goes to the SDK, so every error the SDK answers is still the SDK's answer.
 *
 * The result comes from `runTool`, the same function the SDK path's tools/call handler calls, and is
 * encoded as the SDK's 2026-07-28 codec encodes a tools/call result (resultType "complete", the
 * server's identity in `_meta`, the JSON-RPC response keys in the same order). test/mcp/fast-path
 * .test.ts sends the same requests down both paths and requires the same status, content type and
 * body, so an SDK upgrade that changes the encoding fails there rather than drifting.
 */
import { CLIENT_CAPABILITIES_META_KEY, CLIENT_INFO_META_KEY, PROTOCOL_VERSION_META_KEY, SERVER_INFO_META_KEY, type CallToolResult } from '@modelcontextprotocol/server';
import { SERVER_INFO } from './server.js';
import { TASK_TOOLS } from './tasks/extension.js';

export const FAST_PROTOCOL_VERSION = '2026-07-28';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
// for…in rather than Object.keys: no array made per object checked (these are JSON.parse's plain
// objects, with nothing enumerable inherited).
function onlyKeys(o: Obj, allowed: ReadonlySet<string>): boolean {
  for (const k in o) if (!allowed.has(k)) return false;
  return true;
}
function isEmpty(o: Obj): boolean {
  for (const _ in o) return false;
  return true;
}

const MESSAGE_KEYS = new Set(['jsonrpc', 'id', 'method', 'params']);
const PARAMS_KEYS = new Set(['name', 'arguments', '_meta']);
const META_KEYS = new Set([PROTOCOL_VERSION_META_KEY, CLIENT_INFO_META_KEY, CLIENT_CAPABILITIES_META_KEY]);
const CLIENT_INFO_KEYS = new Set(['name', 'version', 'title']);
const CAPABILITY_KEYS = new Set(['roots', 'sampling', 'elicitation']);
const ROOTS_KEYS = new Set(['listChanged']);

/** Capabilities whose shape the SDK's envelope schema certainly accepts, and that change nothing for a tool call. */
function plainCapabilities(caps: unknown): boolean {
  if (!isObj(caps) || !onlyKeys(caps, CAPABILITY_KEYS)) return false;
  const { roots, sampling, elicitation } = caps;
  if (roots !== undefined && !(isObj(roots) && onlyKeys(roots, ROOTS_KEYS) && (roots.listChanged === undefined || typeof roots.listChanged === 'boolean'))) return false;
  if (sampling !== undefined && !(isObj(sampling) && isEmpty(sampling))) return false;
  if (elicitation !== undefined && !(isObj(elicitation) && isEmpty(elicitation))) return false;
  return true;
}

function plainClientInfo(info: unknown): boolean {
  if (info === undefined) return true;
  return isObj(info) && onlyKeys(info, CLIENT_INFO_KEYS) && typeof info.name === 'string' && typeof info.version === 'string'
    && (info.title === undefined || typeof info.title === 'string');
}

export interface FastToolCall { id: string | number; name: string; args: Obj }

/**
 * The tool call this request is, when it is exactly the plain shape described above; undefined sends
 * it to the SDK. `header` reads one request header (lower-case name; repeated headers joined).
 */
export function recogniseToolCall(body: unknown, header: (name: string) => string | undefined): FastToolCall | undefined {
  if (!isObj(body) || body.jsonrpc !== '2.0' || body.method !== 'tools/call' || !onlyKeys(body, MESSAGE_KEYS)) return undefined;
  const id = body.id;
  if (typeof id !== 'string' && !(typeof id === 'number' && Number.isFinite(id))) return undefined;
  const params = body.params;
  if (!isObj(params) || !onlyKeys(params, PARAMS_KEYS)) return undefined;
  const { name, arguments: args, _meta: meta } = params;
  if (typeof name !== 'string' || !isObj(args) || !isObj(meta) || TASK_TOOLS.has(name)) return undefined;
  if (!onlyKeys(meta, META_KEYS) || meta[PROTOCOL_VERSION_META_KEY] !== FAST_PROTOCOL_VERSION) return undefined;
  if (!plainCapabilities(meta[CLIENT_CAPABILITIES_META_KEY]) || !plainClientInfo(meta[CLIENT_INFO_META_KEY])) return undefined;
  if (header('mcp-protocol-version') !== FAST_PROTOCOL_VERSION || header('mcp-method') !== 'tools/call' || header('mcp-name') !== name) return undefined;
  return { id, name, args };
}

/** What follows content in a complete answer: its resultType and the server's identity in `_meta`. */
const COMPLETE_TAIL = `,"resultType":"complete","_meta":${JSON.stringify({ [SERVER_INFO_META_KEY]: SERVER_INFO })}}`;

/**
 * Encodings of answers built from the read cache's shared, deep-frozen outputs (read-cache.ts), whose
 * text content tools.ts also renders once: while the cache holds an answer, every call for it is
 * encoded once. Keyed weakly by the structured content, so they go when the cache drops the answer;
 * used only when the content is the very (frozen) one encoded.
 */
const frozenHeads = new WeakMap<Obj, { content: CallToolResult['content']; head: string }>();

/** The common answer up to its id: `{"result":{…},"jsonrpc":"2.0","id":`. */
function commonHead(sc: Obj, content: CallToolResult['content']): string {
  const reusable = Object.isFrozen(sc) && Object.isFrozen(content);
  if (reusable) {
    const held = frozenHeads.get(sc);
    if (held?.content === content) return held.head;
  }
  const head = `{"result":{"structuredContent":${JSON.stringify(sc)},"content":${JSON.stringify(content)}${COMPLETE_TAIL},"jsonrpc":"2.0","id":`;
  if (reusable) frozenHeads.set(sc, { content, head });
  return head;
}

/**
 * The JSON-RPC response body the SDK sends for this tools/call result on 2026-07-28: its codec's
 * text fallback for non-object structured content, `resultType: "complete"` and the server's
 * identity added to `_meta`, and the response keys in the Protocol's order (result, jsonrpc, id).
 */
export function encodeToolCallResponse(id: string | number, result: CallToolResult): string {
  // The common answer (toolResult's: an object as structuredContent, then content, nothing else)
  // written in pieces around a prepared tail: the same bytes as the general case below, without
  // copying the result twice to add two constant keys.
  const keys = Object.keys(result);
  const sc = result.structuredContent;
  if (keys.length === 2 && keys[0] === 'structuredContent' && keys[1] === 'content' && isObj(sc)) {
    return `${commonHead(sc, result.content)}${JSON.stringify(id)}}`;
  }
  let projected: CallToolResult = result;
  if (sc !== undefined && !isObj(sc) && !(result.content?.some((c) => c.type === 'text') ?? false)) {
    projected = { ...result, content: [...(result.content ?? []), { type: 'text', text: JSON.stringify(sc) }] };
  }
  const typed: Obj = projected.resultType === undefined ? { ...projected, resultType: 'complete' } : { ...projected };
  const meta = typed._meta;
  if (meta === undefined) typed._meta = { [SERVER_INFO_META_KEY]: SERVER_INFO };
  else if (isObj(meta) && meta[SERVER_INFO_META_KEY] === undefined) typed._meta = { ...meta, [SERVER_INFO_META_KEY]: SERVER_INFO };
  return JSON.stringify({ result: typed, jsonrpc: '2.0', id });
}
