/** Streamable HTTP transport for the MCP face at /mcp. */
import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../deps.js';

export async function registerMcpHttp(_app: FastifyInstance, _deps: AppDeps): Promise<void> {
  // Registered by the MCP face.
}
