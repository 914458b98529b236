/** Permission overwrites of a ticket channel, computed from the ticket's whole state every time. */
import { PermissionFlagsBits as F, OverwriteType } from 'discord.js';
import type { ClaimMode } from '../db/schema.js';

export interface RawOverwrite { id: string; type: 0 | 1; allow: string; deny: string }

/** What a participant may do in an open ticket. */
export const PARTICIPANT = F.ViewChannel | F.SendMessages | F.ReadMessageHistory | F.AttachFiles | F.EmbedLinks | F.AddReactions;
/** Participants of a closed or locked ticket can read but not write. */
export const READ_ONLY = F.ViewChannel | F.ReadMessageHistory;
const WRITE = F.SendMessages | F.AddReactions | F.SendMessagesInThreads;
const STAFF = PARTICIPANT | F.ManageMessages;
const BOT = PARTICIPANT | F.ManageChannels | F.ManageMessages | F.ManageThreads | F.CreatePrivateThreads | F.SendMessagesInThreads;

export interface ChannelState {
  guildId: string;
  botUserId: string;
  ownerId: string;
  assignedId: string | null;
  staffRoleIds: readonly string[];
  memberIds: readonly string[];
  /** Closed or locked: owner and members lose SendMessages. */
  readOnly: boolean;
  /** What staff roles keep once the ticket is claimed (assignedId set); default open. */
  claimMode?: ClaimMode | undefined;
}

const ow = (id: string, type: 0 | 1, allow: bigint, deny: bigint): RawOverwrite => ({ id, type, allow: allow.toString(), deny: deny.toString() });

export function ticketOverwrites(s: ChannelState): RawOverwrite[] {
  const out = new Map<string, RawOverwrite>();
  out.set(s.guildId, ow(s.guildId, OverwriteType.Role, 0n, F.ViewChannel));
  // A claimed ticket in a read_only or private group is the claimer's: other staff may read, or not see it.
  const claimed = s.assignedId !== null ? (s.claimMode ?? 'open') : 'open';
  for (const role of s.staffRoleIds) {
    out.set(role, claimed === 'private' ? ow(role, OverwriteType.Role, 0n, F.ViewChannel)
      : claimed === 'read_only' ? ow(role, OverwriteType.Role, READ_ONLY, WRITE) : ow(role, OverwriteType.Role, STAFF, 0n));
  }
  const userAllow = s.readOnly ? READ_ONLY : PARTICIPANT;
  const userDeny = s.readOnly ? WRITE : 0n;
  for (const member of s.memberIds) out.set(member, ow(member, OverwriteType.Member, userAllow, userDeny));
  out.set(s.ownerId, ow(s.ownerId, OverwriteType.Member, userAllow, userDeny));
  if (s.assignedId) out.set(s.assignedId, ow(s.assignedId, OverwriteType.Member, STAFF, 0n));
  out.set(s.botUserId, ow(s.botUserId, OverwriteType.Member, BOT, 0n));
  return [...out.values()];
}

/** Overwrites of a category or transcripts channel the bot creates: staff and bot only. */
export function staffOnlyOverwrites(guildId: string, botUserId: string, staffRoleIds: readonly string[]): RawOverwrite[] {
  return [
    ow(guildId, OverwriteType.Role, 0n, F.ViewChannel),
    ...staffRoleIds.map((r) => ow(r, OverwriteType.Role, STAFF, 0n)),
    ow(botUserId, OverwriteType.Member, BOT, 0n),
  ];
}
