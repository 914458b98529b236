/** manifest.json: generated from the catalogue, equal to it, and valid for `mcpb validate`. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { catalogue } from '../../src/operations/index.js';
import { buildManifest } from '../../tools/manifest/generate.js';

describe('MCP Bundle manifest', () => {
  const manifest = JSON.parse(readFileSync('manifest.json', 'utf8')) as { manifest_version: string; tools: Array<{ name: string; description: string }>; user_config: Record<string, unknown>; server: { mcp_config: { args: string[] } } };

  it('lists exactly the catalogue tools and is what the generator writes (npx tsx tools/manifest/generate.ts)', () => {
    expect(manifest.tools.map((t) => t.name).sort()).toEqual(catalogue.map((op) => op.name).sort());
    expect(manifest.tools).toEqual(catalogue.map((op) => ({ name: op.name, description: op.description })));
    expect(manifest).toEqual(buildManifest());
  });

  it('is a 0.3 bundle running "ticketbridge stdio" with the settings a user fills in', () => {
    expect(manifest.manifest_version).toBe('0.3');
    expect(manifest.server.mcp_config.args).toEqual(['--max-semi-space-size=64', '${__dirname}/dist/cli.js', 'stdio']);
    expect(Object.keys(manifest.user_config).sort()).toEqual(['data_dir', 'database_url', 'discord_token', 'read_only', 'toolsets']);
  });

  it('passes mcpb validate', () => {
    const out = execFileSync('node_modules/.bin/mcpb', ['validate', 'manifest.json'], { encoding: 'utf8' });
    expect(out).toMatch(/validation passes/i);
  });
});
