/**
 * stdio is the whole product: `ticketbridge stdio` alone on a fresh DATA_DIR (no other process, no
 * DISCORD_TOKEN), started as the MCP bundle starts it with nothing configured and driven by the real
 * MCP SDK client over stdio, drives its built-in sandbox: it says
 * where it listens, and a ticket opened through create_ticket gets its channel there with the opening
 * message. When the client closes stdin the process lets go of the data directory at once.
 * The client code is kept small (connect, call, close) so it can move to another SDK version.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { DEMO } from '../../src/sandbox/index.js';
import { buildManifest } from '../../tools/manifest/generate.js';

interface ToolResult { isError?: boolean; structuredContent?: Record<string, unknown>; content?: Array<{ type: string; text?: string }> }

const dataDir = mkdtempSync(join(tmpdir(), 'tb-stdio-fresh-'));
let stderr = '';

/**
 * The command and environment the MCP bundle (manifest.json) starts with nothing configured: every
 * user_config value at its default (empty token, empty database URL), the data directory ours.
 */
function bundleLaunch(): { args: string[]; env: Record<string, string> } {
  const m = buildManifest() as { server: { mcp_config: { args: string[]; env: Record<string, string> } }; user_config: Record<string, { default?: unknown }> };
  const fill = (v: string) => v.replace('${__dirname}', process.cwd()).replace(/\$\{user_config\.(\w+)\}/g, (_, k: string) => (k === 'data_dir' ? dataDir : String(m.user_config[k]?.default ?? '')));
  return { args: m.server.mcp_config.args.map(fill), env: Object.fromEntries(Object.entries(m.server.mcp_config.env).map(([k, v]) => [k, fill(v)])) };
}

async function connect(): Promise<{ client: Client; transport: StdioClientTransport }> {
  const launch = bundleLaunch();
  const transport = new StdioClientTransport({
    command: process.execPath, args: launch.args, stderr: 'pipe',
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...launch.env },
  });
  transport.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
  const client = new Client({ name: 'stdio-discord-test', version: '1.0.0' });
  await client.connect(transport);
  return { client, transport };
}

const call = async (client: Client, name: string, args: Record<string, unknown>) => await client.callTool({ name, arguments: args }) as ToolResult;
const text = (r: ToolResult) => (r.content ?? []).map((c) => c.text ?? '').join('\n');

afterAll(() => { rmSync(dataDir, { recursive: true, force: true }); });

describe('ticketbridge stdio drives Discord (the built-in sandbox)', () => {
  it('opens a ticket whose channel appears in the sandbox with its opening message, and lets go of the data directory when stdin closes', async () => {
    const { client } = await connect();
    // It says where it listens: on stderr, and in get_guild's Discord status.
    const where = /Discord sandbox \(no DISCORD_TOKEN\) at (http:\/\/\S+) /.exec(stderr);
    expect(where, stderr).not.toBeNull();
    const sandboxUrl = where![1]!;

    // The demo guild is synced from the sandbox shortly after the bot connects.
    let guild: ToolResult;
    for (let i = 0; ; i++) {
      guild = await call(client, 'get_guild', { guild_id: DEMO.guildId });
      if (!guild.isError) break;
      if (i > 100) throw new Error(`the sandbox guild never synced: ${text(guild)}\n${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(guild.structuredContent?.['discord']).toEqual({ mode: 'sandbox', url: sandboxUrl, ready: true });

    const created = await call(client, 'create_ticket', { guild_id: DEMO.guildId, user_id: DEMO.customerUserId, topic: 'Opened by an assistant' });
    expect(created.isError, text(created)).toBeFalsy();
    const ticket = created.structuredContent as { id: string; channel_id: string | null };
    expect(ticket.channel_id).toMatch(/^\d{17,19}$/);

    // The channel is in Discord (the sandbox), with the opening message (its claim button).
    const state = await (await fetch(`${sandboxUrl}/_sandbox/state?channel_id=${ticket.channel_id}`)).json() as {
      channels: Array<{ id: string; name: string }>; messages: Array<{ channel_id: string; embeds?: unknown[]; components?: Array<{ components?: Array<{ custom_id?: string }> }> }>;
    };
    expect(state.channels.find((c) => c.id === ticket.channel_id)?.name).toMatch(/^ticket-0001$/);
    const opening = state.messages.filter((m) => m.channel_id === ticket.channel_id
      && (m.components ?? []).some((row) => (row.components ?? []).some((c) => c.custom_id?.startsWith('tb:claim:'))));
    expect(opening).toHaveLength(1);

    await client.close();
    expect(existsSync(join(dataDir, 'ticketbridge.lock'))).toBe(false);

    // A client may probe with a short-lived process (here: started, then its stdin closed), then start
    // the real one at once. The probe exits by itself, not by a signal, and the real one opens.
    const launch = bundleLaunch();
    const probe = spawn(process.execPath, launch.args, { env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...launch.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let probeErr = '';
    await new Promise<void>((resolve, reject) => {
      probe.stderr.on('data', (d: Buffer) => { probeErr += d.toString(); if (probeErr.includes('MCP stdio server ready')) resolve(); });
      probe.once('exit', (code) => reject(new Error(`the probe exited early (${code}): ${probeErr}`)));
    });
    const probeExit = new Promise<{ code: number | null; signal: string | null; ms: number }>((resolve) => {
      const t0 = Date.now();
      probe.removeAllListeners('exit');
      probe.once('exit', (code, signal) => resolve({ code, signal, ms: Date.now() - t0 }));
      probe.stdin.end();
    });
    const again = await connect();
    const exit = await probeExit;
    expect(exit, probeErr).toMatchObject({ code: 0, signal: null });
    expect(exit.ms, probeErr).toBeLessThan(5_000);
    const got = await call(again.client, 'get_ticket', { guild_id: DEMO.guildId, ticket_id: ticket.id });
    expect(got.structuredContent).toMatchObject({ id: ticket.id, channel_id: ticket.channel_id });
    await again.client.close();
    expect(stderr).not.toMatch(/is in use by/);
  }, 120_000);
});
