/**
 * Writes manifest.json (MCP Bundle, manifest_version 0.3) from the catalogue and package.json, so the
 * bundle's tool list cannot drift from the server's. Run: npx tsx tools/manifest/generate.ts
 * (test/mcp/manifest.test.ts fails when the committed file differs from what this produces).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { catalogue } from '../../src/operations/index.js';

const Pkg = z.object({ name: z.string(), version: z.string(), description: z.string(), license: z.string() });

const PROMPTS = [
  { name: 'summarize_ticket', description: 'Summarize a ticket from its transcript: problem, steps taken, resolution, follow-ups.', arguments: ['guild_id', 'ticket_id'], text: 'Summarize ticket ${arguments.ticket_id} of guild ${arguments.guild_id}.' },
  { name: 'triage_open_tickets', description: "Triage a guild's open tickets by priority and age.", arguments: ['guild_id'], text: 'Triage the open tickets of guild ${arguments.guild_id}.' },
  { name: 'draft_reply', description: "Draft the next staff reply in a ticket, in the ticket's language and tone.", arguments: ['guild_id', 'ticket_id', 'intent'], text: 'Draft a reply in ticket ${arguments.ticket_id} of guild ${arguments.guild_id}.' },
];

export function buildManifest(root: URL = new URL('../../', import.meta.url)): Record<string, unknown> {
  const pkg = Pkg.parse(JSON.parse(readFileSync(new URL('package.json', root), 'utf8')));
  return {
    manifest_version: '0.3',
    name: pkg.name,
    display_name: 'ticketbridge',
    version: pkg.version,
    description: pkg.description,
    long_description: 'Work a Discord server\'s support tickets from your assistant: list, open, claim, assign, prioritize, close and reopen tickets, read transcripts (Markdown, JSON, HTML resources) and guild stats, and use the summarize_ticket, triage_open_tickets and draft_reply prompts. Runs on PostgreSQL or an embedded PGlite database; without a Discord token it talks to a local Discord sandbox.',
    author: { name: 'ticketbridge contributors' },
    license: pkg.license,
    keywords: ['discord', 'tickets', 'support', 'helpdesk', 'mcp'],
    server: {
      type: 'node',
      entry_point: 'dist/cli.js',
      mcp_config: {
        command: 'node',
        args: ['--max-semi-space-size=64', '${__dirname}/dist/cli.js', 'stdio'],
        env: {
          DATABASE_URL: '${user_config.database_url}',
          DISCORD_TOKEN: '${user_config.discord_token}',
          DATA_DIR: '${user_config.data_dir}',
          TOOLSETS: '${user_config.toolsets}',
          READ_ONLY: '${user_config.read_only}',
        },
      },
    },
    user_config: {
      database_url: { type: 'string', title: 'PostgreSQL URL', description: 'postgres://… connection string. Leave empty to use the embedded database in the data directory.', required: false, sensitive: true, default: '' },
      discord_token: { type: 'string', title: 'Discord bot token', description: 'The bot token. Leave empty to use the local Discord sandbox.', required: false, sensitive: true, default: '' },
      data_dir: { type: 'directory', title: 'Data directory', description: 'Where the embedded database lives when no PostgreSQL URL is given.', required: false, default: '${HOME}/.ticketbridge' },
      toolsets: { type: 'string', title: 'Toolsets', description: 'Comma-separated toolsets to expose (tickets, transcripts, guild, groups, channels, panels, messages, stats, admin, or all). Empty = the defaults.', required: false, default: '' },
      read_only: { type: 'boolean', title: 'Read-only', description: 'Expose only tools that change nothing.', required: false, default: false },
    },
    tools: catalogue.map((op) => ({ name: op.name, description: op.description })),
    prompts: PROMPTS,
    compatibility: { platforms: ['darwin', 'linux', 'win32'], runtimes: { node: '>=20.19.0' } },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(new URL('../../manifest.json', import.meta.url), `${JSON.stringify(buildManifest(), null, 2)}\n`);
  process.stderr.write(`manifest.json written (${catalogue.length} tools)\n`);
}
