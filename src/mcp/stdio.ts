/** `ticketbridge stdio`: the MCP server over stdin/stdout. */
import type { AppDeps } from '../deps.js';

export interface StdioOptions { toolsets?: string[] | undefined; tools?: string[] | undefined; readOnly?: boolean | undefined }

export async function runStdio(_deps: AppDeps, _opts: StdioOptions): Promise<void> {
  throw new Error('The MCP stdio transport is not built yet.');
}
