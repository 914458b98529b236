/**
 * The transcript resources people read (Markdown and HTML) are headed in the ticket's language, as
 * the Discord face picks it: the owner's last known locale, else the group's, else the server's,
 * else English. Read through the SDK's client over HTTP; the JSON document stays machine-shaped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Engine } from '../../src/engine/index.js';
import { snowflake, staffActor, type SeededGuild } from '../support/fixtures.js';
import { discordMessage, giveChannel, OWNER, STAFF, resourceText, type ToolResult } from './helpers.js';
import { startMcpHttpServer, type McpHttpServer } from './http-server.js';

let server: McpHttpServer;
let engine: Engine;
let g: SeededGuild;
let client: Client;

beforeAll(async () => {
  server = await startMcpHttpServer();
  ({ engine, g } = server);
  client = new Client({ name: 'transcript-locale-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${server.token}`, 'x-mcp-tools': 'get_ticket_locale' } } }));
});

afterAll(async () => {
  await client?.close().catch(() => {});
  await server?.close();
});

/** A ticket with a conversation (the owner, staff, an attachment) and a staff note. */
async function ticketWithConversation(ownerId: string, groupId = g.groupId) {
  const t = await engine.tickets.create(staffActor(STAFF), { guild_id: g.guildId, user_id: ownerId, ticket_group_id: groupId, topic: 'Login' });
  const channelId = await giveChannel(server.database.db, t.id);
  await discordMessage(engine, g.guildId, channelId, { id: ownerId, name: 'Olive Owner' }, 'Ich komme nicht rein', [{ filename: 'screen.png', url: 'https://cdn.example/screen.png' }]);
  await discordMessage(engine, g.guildId, channelId, { id: STAFF, name: 'Sam Staff' }, 'Bitte Passwort zurücksetzen');
  return t;
}

const read = async (uri: string) => resourceText(await client.readResource({ uri }));
const uriOf = (ticketId: string) => `ticketbridge://guilds/${g.guildId}/tickets/${ticketId}`;

describe('transcript resources in the ticket\'s language', () => {
  it('a ticket whose owner last spoke German: German headings, labels and roles; ids, times and JSON unchanged', async () => {
    await engine.guilds.rememberLocale({ id: OWNER, username: 'olive', locale: 'de' });
    const t = await ticketWithConversation(OWNER);
    const got = (await client.callTool({ name: 'get_ticket_locale', arguments: { guild_id: g.guildId, ticket_id: t.id } })) as ToolResult;
    expect(got.structuredContent).toEqual({ ticket_id: t.id, locale: 'de', source: 'owner' });

    const md = await read(`${uriOf(t.id)}/transcript`);
    expect(md).toContain(`# Ticket #${t.number} "${t.name}" (Offen)`);
    expect(md).toContain(`Inhaber: ${OWNER}`);
    expect(md).toContain(`Ticket-ID: ${t.id}`);
    expect(md).toContain('niemandem zugewiesen');
    expect(md).toContain('Thema: Login');
    expect(md).toContain('Zeiten in UTC. Rollen: Inhaber = hat das Ticket eröffnet');
    expect(md).toContain('## Verlauf');
    expect(md).toMatch(/\[10:\d\d\] Olive Owner \(Inhaber\): Ich komme nicht rein/);
    expect(md).toMatch(/\[10:\d\d\] Sam Staff \(Mitglied\): Bitte Passwort/);
    expect(md).toContain('  Anhang: [screen.png](<https://cdn.example/screen.png>) (image/png, 1 KB)');
    for (const english of ['## Conversation', 'Owner:', 'Times are UTC', 'unassigned', 'attachment:', '(owner)', 'Opened']) expect(md, english).not.toContain(english);

    const html = await read(`${uriOf(t.id)}/transcript.html`);
    expect(html).toContain('<html lang="de">');
    expect(html).toContain(`<h1>Ticket #${t.number} · ${t.name}</h1>`);
    expect(html).toContain('<dt>Status</dt><dd>Offen</dd>');
    expect(html).toContain(`<dt>Inhaber</dt><dd>${OWNER}</dd>`);
    expect(html).toContain('<dt>Geöffnet</dt>');
    expect(html).toContain('<h2>Verlauf</h2>');
    expect(html).toContain('<span class="r">Inhaber</span>');
    expect(html).toContain('(image/png, 1234 Bytes)');
    for (const english of ['<h2>Conversation</h2>', '<dt>Owner</dt>', '<dt>Opened</dt>', '<dt>Topic</dt>', ' bytes)', 'lang="en"']) expect(html, english).not.toContain(english);

    // The JSON document is for programs: Ticketeer's field names and values, whatever the language.
    const json = JSON.parse(await read(`${uriOf(t.id)}/transcript.json`)) as { ticket: { status: string }; channel_messages: unknown[] };
    expect(json.ticket.status).toBe('open');
    expect(json.channel_messages).toHaveLength(2);
  });

  it('a ticket with no language anywhere (owner, group, server): English', async () => {
    const t = await ticketWithConversation(snowflake());
    const got = (await client.callTool({ name: 'get_ticket_locale', arguments: { guild_id: g.guildId, ticket_id: t.id } })) as ToolResult;
    expect(got.structuredContent).toEqual({ ticket_id: t.id, locale: 'en', source: 'default' });
    const md = await read(`${uriOf(t.id)}/transcript`);
    expect(md).toContain(`# Ticket #${t.number} "${t.name}" (Open)`);
    expect(md).toContain('Owner: ');
    expect(md).toContain('Times are UTC. Roles: owner = who opened it, assignee = staff member handling it, bot = automated.');
    expect(md).toContain('## Conversation');
    expect(md).toMatch(/\(owner\): Ich komme nicht rein/);
    expect(md).toContain('  attachment: [screen.png]');
    const html = await read(`${uriOf(t.id)}/transcript.html`);
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('<h2>Conversation</h2>');
    expect(html).toContain('<dt>Owner</dt>');
    expect(html).toContain('(image/png, 1234 bytes)');
  });

  it("an owner of unknown language in a group that speaks French: the group's language; a German-speaking owner's own wins over it", async () => {
    // As update_ticket_group (not among the default tools) would set it.
    await server.database.db.updateTable('ticket_groups').set({ locale: 'fr' }).where('id', '=', g.threadGroupId).execute();
    const t = await ticketWithConversation(snowflake(), g.threadGroupId);
    const got = (await client.callTool({ name: 'get_ticket_locale', arguments: { guild_id: g.guildId, ticket_id: t.id } })) as ToolResult;
    expect(got.structuredContent).toEqual({ ticket_id: t.id, locale: 'fr', source: 'group' });
    const md = await read(`${uriOf(t.id)}/transcript`);
    expect(md).toContain(`# Ticket n°${t.number} "${t.name}" (Ouvert)`);
    expect(md).toContain('## Conversation');
    expect(md).toMatch(/\(propriétaire\): Ich komme nicht rein/);
    // The German owner's own language comes first, whatever the group speaks.
    const german = await ticketWithConversation(OWNER, g.threadGroupId);
    expect(await read(`${uriOf(german.id)}/transcript`)).toContain('## Verlauf');
  });
});
