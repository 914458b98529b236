/**
 * Gateway events into the engine: ticket-channel messages into the transcript store, interactions
 * into ticket operations, deleted channels and departing members into ticket state, joined guilds
 * into a sync. Never writes tables itself.
 */
import { Events, MessageType, type Client, type Message, type PartialMessage } from 'discord.js';
import type { Actor } from '../../engine/actor.js';
import { isEngineError } from '../../engine/errors.js';
import type { Engine } from '../../engine/index.js';
import type { Logger } from '../../logger.js';
import { createInteractionHandler } from './interactions.js';
import { whileUnavailable } from './while-unavailable.js';

const botActor: Actor = { userId: null, tokenId: null, abilities: 'all', guilds: null, asBot: true };

export interface GatewayDeps {
  client: Client;
  engine: Engine;
  logger: Logger;
  onGuildJoin: (guildId: string) => void;
}

function toRecord(m: Message) {
  return {
    id: m.id,
    content: m.content ?? '',
    created_at: m.createdAt,
    embeds: m.embeds.map((e) => e.toJSON()),
    attachments: [...m.attachments.values()].map((a) => ({ id: a.id, filename: a.name, content_type: a.contentType ?? null, size: a.size, url: a.url })),
    author: { id: m.author.id, username: m.author.username, global_name: m.author.globalName ?? null, avatar: m.author.avatar ?? null, bot: m.author.bot },
    ...(m.member ? { member_roles: [...m.member.roles.cache.keys()] } : {}),
  };
}

export function attachGateway(deps: GatewayDeps): () => void {
  const { client, engine, logger } = deps;
  const fail = (what: string) => (err: unknown) => {
    if (isEngineError(err) && (err.code === 'not_found' || err.code === 'conflict')) return;
    logger.warn({ err: (err as Error).message }, `gateway: ${what} failed`);
  };

  const onMessage = (m: Message) => {
    // Discord's "pinned a message" notice (we pin each ticket's opening message) is not conversation.
    if (!m.guildId || m.type === MessageType.ChannelPinnedMessage) return;
    const guildId = m.guildId;
    const record = toRecord(m);
    whileUnavailable(() => engine.transcripts.recordMessage({ guild_id: guildId, channel_id: m.channelId, message: record })).catch(fail('recording a message'));
  };
  const onUpdate = (_old: Message | PartialMessage, m: Message | PartialMessage) => {
    if (!m.guildId) return;
    const guildId = m.guildId;
    const embeds = m.embeds.map((e) => e.toJSON());
    whileUnavailable(() => engine.transcripts.recordEdit({
      guild_id: guildId, channel_id: m.channelId, message_id: m.id,
      ...(typeof m.content === 'string' ? { content: m.content } : {}),
      embeds,
      ...(m.editedAt ? { edited_at: m.editedAt } : {}),
    })).catch(fail('recording an edit'));
  };
  const onDelete = (m: Message | PartialMessage) => {
    if (!m.guildId) return;
    const guildId = m.guildId;
    whileUnavailable(() => engine.transcripts.recordDelete({ guild_id: guildId, channel_id: m.channelId, message_id: m.id })).catch(fail('recording a delete'));
  };
  /** A ticket channel or thread deleted by hand: the ticket is marked deleted. */
  const onChannelDelete = (ch: { id: string; guildId?: string | null }) => {
    const guildId = ch.guildId;
    if (!guildId) return;
    (async () => {
      const t = await engine.tickets.get({ guild_id: guildId, ticket: { channel_id: ch.id } });
      if (t.deleted_at) return;
      await engine.tickets.delete(botActor, { guild_id: guildId, ticket: { ticket_id: t.id }, reason: 'The channel was deleted in Discord.' });
    })().catch(fail('marking a ticket deleted'));
  };
  /** A member left: their open tickets close in groups that ask for it. */
  const onLeave = (member: { id: string; guild: { id: string } }) => {
    (async () => {
      for (const t of await engine.outbox.ticketsClosingOnLeave(member.guild.id, member.id)) {
        await engine.tickets.close(botActor, { guild_id: member.guild.id, ticket: { ticket_id: t.id }, reason: 'The ticket owner left the server.' }).catch(fail('closing a ticket on leave'));
      }
    })().catch(fail('closing tickets on leave'));
  };
  const onGuildCreate = (g: { id: string }) => deps.onGuildJoin(g.id);
  /**
   * Channels, threads and members changed between syncs, taken from the raw dispatch (its JSON is
   * the shape the engine records): messages can then go to a ticket channel made a second ago, and
   * a block on a role sees the roles a member has now.
   */
  const onRaw = (packet: { t?: string | null; d?: unknown }) => {
    const d = packet.d as Record<string, unknown> | null | undefined;
    // The server's language changed: ticket messages with nothing closer to go by follow it.
    if (packet.t === 'GUILD_UPDATE' && d && typeof d['id'] === 'string') {
      engine.guilds.applyChange({ kind: 'guild', guild_id: d['id'], preferred_locale: d['preferred_locale'] ?? null }).catch(fail('recording GUILD_UPDATE'));
      return;
    }
    const guildId = typeof d?.['guild_id'] === 'string' ? d['guild_id'] : null;
    if (!d || !guildId) return;
    const channel = () => ({
      id: d['id'], name: d['name'] ?? '', type: d['type'], parent_id: d['parent_id'] ?? null, position: d['position'] ?? 0,
      topic: d['topic'] ?? null, permission_overwrites: d['permission_overwrites'] ?? [],
    });
    // Discord's JSON goes to the engine as it came; the engine checks it (GuildChangeSchema).
    let change: Record<string, unknown>;
    switch (packet.t) {
      case 'CHANNEL_CREATE': case 'CHANNEL_UPDATE': case 'THREAD_CREATE': case 'THREAD_UPDATE':
        change = { kind: 'channel', guild_id: guildId, channel: channel() };
        break;
      case 'CHANNEL_DELETE': case 'THREAD_DELETE':
        change = { kind: 'channel_deleted', guild_id: guildId, channel_id: String(d['id']) };
        break;
      case 'GUILD_MEMBER_ADD': case 'GUILD_MEMBER_UPDATE':
        change = { kind: 'member', guild_id: guildId, member: { user: d['user'], nick: d['nick'] ?? null, roles: d['roles'] ?? [], joined_at: d['joined_at'] ?? null } };
        break;
      default: return;
    }
    engine.guilds.applyChange(change).catch(fail(`recording ${packet.t}`));
  };
  const onInteraction = createInteractionHandler({ engine, logger });

  client.on(Events.Raw, onRaw);
  client.on(Events.MessageCreate, onMessage);
  client.on(Events.MessageUpdate, onUpdate);
  client.on(Events.MessageDelete, onDelete);
  client.on(Events.ChannelDelete, onChannelDelete);
  client.on(Events.ThreadDelete, onChannelDelete);
  client.on(Events.GuildMemberRemove, onLeave);
  client.on(Events.GuildCreate, onGuildCreate);
  client.on(Events.InteractionCreate, (i) => { void onInteraction(i); });
  return () => client.removeAllListeners();
}
