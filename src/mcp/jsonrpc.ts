/**
 * The one shape check both MCP transports make before handing a message to the SDK's Protocol,
 * which then tells requests, notifications and responses apart and parses each with its schema.
 */
export type JsonRpcObject = Record<string, unknown>;

export const isJsonRpcMessage = (m: unknown): m is JsonRpcObject =>
  typeof m === 'object' && m !== null && !Array.isArray(m) && (m as JsonRpcObject).jsonrpc === '2.0';
