/** The catalogue: every operation, once. Faces iterate this list; nothing registers by hand. */
import type { AnyOperation } from './define.js';
import { ticketOperations } from './tickets.js';
import { transcriptOperations } from './transcripts.js';
import { statsOperations } from './stats.js';
import { getTicketByNumber } from './ticket-number.js';
import { getTicketLocale } from './ticket-locale.js';
import { guildOperations } from './guilds.js';
import { groupOperations } from './groups.js';
import { panelOperations } from './panels.js';
import { messageOperations } from './messages.js';
import { discordOperations } from './discord.js';
import { messageLinkOperations, privacyOperations } from './privacy.js';
import { actionItemOperations } from './action-items.js';
import { blockOperations } from './blocks.js';
import { guildConfigOperations } from './guild-config.js';
import { ticketWebhookOperations } from './webhooks.js';

export const catalogue: readonly AnyOperation[] = [
  ...ticketOperations,
  ...transcriptOperations,
  ...messageLinkOperations,
  ...statsOperations,
  getTicketByNumber,
  getTicketLocale,
  ...guildOperations,
  ...blockOperations,
  ...guildConfigOperations,
  ...ticketWebhookOperations,
  ...groupOperations,
  ...panelOperations,
  ...messageOperations,
  ...discordOperations,
  ...privacyOperations,
  ...actionItemOperations,
] as unknown as readonly AnyOperation[];

export function findOperation(name: string): AnyOperation | undefined {
  return catalogue.find((op) => op.name === name);
}
