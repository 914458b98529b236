/** The /ticket slash command and its subcommands, registered per guild. */
import { ApplicationCommandOptionType as O, Routes, type REST } from 'discord.js';

const user = (description: string) => ({ type: O.User, name: 'user', description, required: true });
const sub = (name: string, description: string, options: unknown[] = []) => ({ type: O.Subcommand, name, description, options });

export const TICKET_COMMAND = {
  name: 'ticket',
  description: 'Support tickets',
  type: 1,
  options: [
    sub('open', 'Open a ticket', [{ type: O.String, name: 'topic', description: 'What do you need help with?', required: false, max_length: 1024 }]),
    sub('close', 'Close this ticket', [{ type: O.String, name: 'reason', description: 'Why it is closed', required: false, max_length: 1000 }]),
    sub('closerequest', 'Ask the owner whether this ticket can be closed', [
      { type: O.String, name: 'reason', description: 'Why it can close', required: false, max_length: 1000 },
      { type: O.Integer, name: 'hours', description: 'Close by itself after this many hours without an answer', required: false, min_value: 1, max_value: 720 },
    ]),
    sub('reopen', 'Reopen this ticket'),
    sub('claim', 'Claim this ticket'),
    sub('unclaim', 'Release this ticket'),
    sub('add', 'Add a user to this ticket', [user('Who to add')]),
    sub('remove', 'Remove a user from this ticket', [user('Who to remove')]),
    sub('rename', 'Rename this ticket', [{ type: O.String, name: 'name', description: 'New name (empty restores the default)', required: false, max_length: 100 }]),
    sub('priority', 'Set the priority of this ticket', [{ type: O.Integer, name: 'level', description: 'Priority level number (0 = first level)', required: true, min_value: 0 }]),
    sub('lock', 'Lock this ticket (only staff can write)'),
    sub('unlock', 'Unlock this ticket'),
    sub('transcript', 'Save this ticket\'s transcript and DM it to you'),
    sub('notes', 'Open the private staff notes thread of this ticket'),
    sub('tag', 'Post a saved message (a custom message) in this ticket', [{ type: O.String, name: 'name', description: 'The saved message\'s name', required: true, max_length: 100 }]),
    sub('queue', 'Tickets waiting on staff, longest first (staff only)'),
  ],
} as const;

/** Right-click a message: open a ticket about it (for yourself), the message quoted with its link. */
export const MESSAGE_COMMAND = { name: 'Open a ticket about this', type: 3 } as const;
/** Right-click a member (staff only): open a ticket for them. */
export const USER_COMMAND = { name: 'Open a ticket for them', type: 2 } as const;

export async function registerCommands(rest: REST, applicationId: string, guildId: string): Promise<void> {
  await rest.put(Routes.applicationGuildCommands(applicationId, guildId), { body: [TICKET_COMMAND, MESSAGE_COMMAND, USER_COMMAND] });
}
